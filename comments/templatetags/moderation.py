"""The moderation queue's size on the admin's home page, for those who moderate."""

from django import template

from comments import workspace
from comments.workspace_views import can_moderate

register = template.Library()


@register.inclusion_tag("admin/comments/_queue_summary.html", takes_context=True)
def moderation_summary(context) -> dict:
    request = context.get("request")
    if request is None or not can_moderate(request.user):
        return {"show": False}
    return {"show": True, **workspace.queue_summary()}
