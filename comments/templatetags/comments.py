"""{% load comments %}: what a host page shows of an object's comments, as
django-contrib-comments offers it, so the host app never imports the comments app.

    {% get_comment_count article as comment_count %}
    {{ comment_count|comment_count_label }}  "No comments yet", "1 comment", "24 comments"
    {% render_comment_list article %}    the count, one page of published comments, and
                                         the template of the inline report panel
    {% render_comment_form article %}    the form (or "closed") and the rules
"""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from comments import display, feedback, fragments, pages
from comments.forms import ReportForm, sign_timestamp

register = template.Library()


@register.simple_tag(takes_context=True)
def get_comment_count(context, article) -> int:
    """How many comments readers see under `article`, replies included."""
    return display.comment_paginator(context.get("request"), article).total


@register.filter
def comment_count_label(count: int) -> str:
    """{{ comment_count|comment_count_label }}: "No comments yet", "1 comment", "24 comments"."""
    return display.count_label(count)


@register.simple_tag(takes_context=True)
def comment_form_action(context, article) -> str:
    """Where the form posts: with the comment page it was shown on, so that a reader
    without JavaScript comes back to that page."""
    # Inside an inclusion tag's template the context processors' variables are gone; the
    # request stays on the context.
    request = getattr(context, "request", None)
    query = pages.listing_query(request.GET) if request is not None else ""
    return reverse("comments:post", args=[article.pk]) + query


@register.simple_tag(takes_context=True)
def render_comment_list(context, article) -> str:
    """One page (?cpage=, ?from=, ?before=: comments.pages) of `article`'s published
    top-level comments, oldest or newest first (?order=newest), each with its replies and a
    "Reply" link (a link: the page stays free of per-visitor bytes), with the count, the
    order links and page links; the
    reader's own comment, just published, with the notice saying so.

    The same for every reader but that notice: without one, the HTML comes from the
    fragment cache (comments.fragments); with one, it is rendered for this reader alone."""
    request = context.get("request")
    sent = feedback.take(request, article) or {}
    notice = sent.get("notice") if "comment_id" in sent else None
    replies_open = not display.is_closed(article)
    newest = request is not None and pages.newest_first(request.GET)

    def render() -> str:
        page = display.comment_page(request, article)
        # A notice about a comment this page does not show (a report just hid it) goes
        # above the list.
        shown = notice is not None and any(c.pk == sent["comment_id"] for c in page.object_list)
        list_context = {
            "article": article,
            "comment_page": page,
            "comment_count": page.paginator.total,
            "replies_open": replies_open,
            "newest_first": newest,
            "published_id": sent.get("comment_id"),
            "comment_notice": notice,
            "list_notice": notice if notice is not None and not shown else None,
            "report_form": ReportForm(),
        }
        return render_to_string("comments/list.html", list_context)

    if notice is not None:
        return render()
    paginator = display.comment_paginator(request, article)
    # Our own templates' output (autoescaped when rendered), kept as text by the cache.
    return mark_safe(
        fragments.comment_list(
            request,
            article,
            newest=newest,
            page=display.requested_page_key(request, paginator),
            replies_open=replies_open,
            render=render,
        )
    )


@register.simple_tag(takes_context=True)
def render_comment_form(context, article) -> str:
    """The comment form for `article`, or a note that comments are closed, below the rules.
    After a send without JavaScript, the form as the reader left it (their text, the
    errors) and the outcome, inside the form.

    An empty form is the same for every reader but its token and the remembered name: its
    HTML comes from the fragment cache with markers where those go (comments.fragments)."""
    request = context.get("request")
    closed = display.is_closed(article)
    sent = feedback.take(request, article) or {}
    kept = None if closed else feedback.form_from(sent, article)
    notice = None if "comment_id" in sent else sent.get("notice")
    form_template = context.template.engine.get_template("comments/form.html")

    def render(form) -> str:
        values = {
            "article": article,
            "comment_form": form,
            "comment_notice": notice,
            "comments_closed": closed,
            "comments_premoderated": display.is_premoderated(article),
        }
        with context.push(values):
            return form_template.render(context)

    if kept is not None or notice is not None:
        return render(kept if kept is not None else display.new_form(request, article))
    return mark_safe(
        fragments.comment_form(
            request,
            article,
            variant=fragments.form_variant(request, closed=closed),
            render=lambda name, token: render(
                None if closed else display.new_form(request, article, name=name, token=token)
            ),
            name=display.remembered_name(request),
            token=lambda: sign_timestamp(article.pk),
        )
    )
