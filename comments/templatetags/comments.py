"""{% load comments %}: what a host page shows of an object's comments, as
django-contrib-comments offers it, so the host app never imports the comments app.

    {% get_comment_count article as comment_count %}
    {% render_comment_list article %}    the count, one page of published comments
    {% render_comment_form article %}    the form (or "closed") and the rules
"""

from django import template

from comments import display

register = template.Library()


@register.simple_tag(takes_context=True)
def get_comment_count(context, article) -> int:
    """How many published comments `article` has."""
    return display.comment_page(context.get("request"), article).paginator.count


@register.inclusion_tag("comments/list.html", takes_context=True)
def render_comment_list(context, article) -> dict:
    """One page (?cpage=) of `article`'s published comments, oldest first, with its count
    and page links."""
    page = display.comment_page(context.get("request"), article)
    return {"article": article, "comment_page": page, "comment_count": page.paginator.count}


@register.inclusion_tag("comments/form.html", takes_context=True)
def render_comment_form(context, article, form=None, notice=None) -> dict:
    """The comment form for `article` (`form` when re-shown with errors, `notice` when it
    carries an outcome: refused, nudge), or a note that comments are closed, beside the
    rules."""
    closed = display.is_closed(article)
    if form is None and not closed:
        form = display.new_form(context.get("request"), article)
    return {
        "article": article,
        "comment_form": form,
        "comment_notice": notice,
        "comments_closed": closed,
        "comments_premoderated": display.is_premoderated(article),
    }
