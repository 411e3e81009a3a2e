"""Posting and reporting comments: plain form POSTs that always redirect (303), so a refresh
sends nothing, with a JSON answer for the page's script; the report form's own page."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from comments import commenters, display, feedback, outcomes, pages, screening, services
from comments.display import remember_name
from comments.forms import CommentForm, ReportForm, sign_timestamp
from comments.models import Comment
from portal import ratelimit
from portal.csrf import origin_checked

logger = logging.getLogger(__name__)

CLOSED = "Comments are closed on this article."
FORM_USED = (
    "This form has already sent a comment. Your new comment is still here: please send it again."
)
BANNED = (
    "Your comment was not published: a moderator has stopped comments from this browser or "
    "under this name. Your text is still in the form."
)
REPLY_HIDDEN = (
    "The comment you are replying to is no longer shown, so your reply was not posted. Your "
    "text is still in the form: you can post it as a comment on the article."
)
REPLY_ELSEWHERE = (
    "The comment you are replying to is not on this article, so your reply was not posted. "
    "Your text is still in the form: you can post it as a comment on the article."
)
TOO_MANY = (
    "You have sent several comments in a short time. Please wait a few minutes and send it "
    "again; your comment is still in the form."
)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept") == "application/json"


def _refuse(request, article, form, status: int, message: str | None = None) -> HttpResponse:
    """The form again with its errors and the reader's text."""
    if message:
        form.add_error(None, message)
    return _form_again(request, article, form, outcome="invalid", status=status)


def _form_again(
    request, article, form, *, outcome: str, status: int, notice: dict | None = None
) -> HttpResponse:
    """The form again with the reader's text, its errors or a notice (refused, nudge): the
    form's HTML for the page's script; without it, kept for one read and shown in the form
    on the article page, after a redirect."""
    if _wants_json(request):
        context = {"comment_form": form, "article": article, "comment_notice": notice}
        html = render_to_string("comments/_form.html", context, request=request)
        data = {"status": outcome, "form": html}
        if notice:
            data["message"] = notice["text"]
        return JsonResponse(data, status=status)
    feedback.keep(request, article, notice=notice, form=form)
    return _see_other(_back_to_form(request, article, form))


def _back_to_form(request, article, form: CommentForm | None = None) -> str:
    """Where the form was sent from, at the top of the form, where its notice or errors are:
    the reply page of the comment a reply answers, when the reader's text is shown again
    there; else the article's comment page. Not at #comment-form: a reader who came by that
    link would be sent to the address they are on, which Chromium treats as a reload and
    keeps their scroll."""
    reply_to = form.data.get("reply_to") if form is not None else None
    if reply_to and str(reply_to).isdigit():
        return f"{reverse('comments:reply', args=[reply_to])}#comment-outcome"
    return f"{article.get_absolute_url()}{pages.listing_query(request.GET)}#comment-outcome"


def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303
    return response


def _published_url(request, article_url: str, comment: Comment) -> str:
    """Where the comment is shown, in the order the reader reads the comments: the page
    that starts with it, or with the comment it replies to (pages.comment_link: nothing is
    counted, however old the comment)."""
    return pages.comment_link(comment, article_url, newest=pages.newest_first(request.GET))


def _posted_url(request, article_url: str, comment: Comment) -> str:
    """Where a comment just posted is shown: a new comment on its numbered page (counted
    from the newest end, where it is: the last page oldest first, the first newest first),
    among the comments before it; a reply on the page that starts with its comment. The
    comment is saved: if finding its page fails (the database connection dropped), the
    article's first page with the anchor will do."""
    if comment.parent_id:
        return _published_url(request, article_url, comment)
    newest = pages.newest_first(request.GET)
    try:
        position = pages.position_of(comment, newest=newest)
        return pages.comment_url(
            article_url, comment.pk, pages.page_number(position), newest=newest
        )
    except DatabaseError:
        logger.warning("Could not find the page of comment %s", comment.pk, exc_info=True)
        return f"{article_url}#c{comment.pk}"


@origin_checked  # the form is on pages a shared cache keeps, without a CSRF token
@require_POST
def post_comment(request: HttpRequest, article_id: int) -> HttpResponse:
    # Every answer, a refusal too, gives a new browser its id: its next try is the same
    # commenter's.
    client = commenters.identify(request)
    response = _post_comment(request, article_id, client)
    commenters.remember_browser(response, client, secure=request.is_secure())
    return response


def _post_comment(request: HttpRequest, article_id: int, client: commenters.Client) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.published().select_related("source").prefetch_related("topics"),
        pk=article_id,
    )
    form = CommentForm(request.POST, article=article)
    if article.comment_mode == Article.CommentMode.CLOSED:
        form.is_valid()
        return _refuse(request, article, form, 403, CLOSED)
    # Every attempt counts, valid or not: a client looping over invalid posts is limited too.
    # The address's limit is high (one office, one carrier: many readers); the browser's and
    # the name's, counted here, are the tight ones, applied by submit_comment.
    limit, window = settings.COMMENT_RATE_LIMIT_ADDRESS
    if ratelimit.count("comment-address", client.address_key, window=window) > limit:
        form.is_valid()  # keep what the reader typed on the page
        return _refuse(request, article, form, 429, TOO_MANY)
    if not form.is_valid():
        if "reply_to" in form.errors:
            form.set_hidden(reply_to="")
        return _refuse(request, article, form, 400)
    name = form.cleaned_data["user_name"]
    window = settings.COMMENT_RATE_LIMIT_FINGERPRINT[1]
    by_browser = ratelimit.count("comment-browser", client.fingerprint, window=window)
    window = settings.COMMENT_RATE_LIMIT_NAME[1]
    by_name = ratelimit.count("comment-name", services.content_hash(name), window=window)
    signals = screening.Signals(recent_by_client=by_browser - 1, recent_by_name=by_name - 1)
    text = form.cleaned_data["text"]
    digest = services.content_hash(text)
    try:
        submitted = services.submit_comment(
            article=article,
            user_name=name,
            text=text,
            client_key=client.address_key,
            fingerprint=client.fingerprint,
            signals=signals,
            idempotency_key=form.idempotency_key(client.fingerprint),
            # The first send of a text the screening would remove is not stored: the
            # reader is told why and may edit it, or send it again as it is.
            nudge=not outcomes.nudge_confirmed(form.cleaned_data["nudge"], article.pk, digest),
            reply_to=form.cleaned_data["reply_to"],
        )
    except services.CommentsClosed:
        return _refuse(request, article, form, 403, CLOSED)
    except services.CommenterBanned:
        return _refuse(request, article, form, 403, BANNED)
    except services.TooManyComments:
        return _refuse(request, article, form, 429, TOO_MANY)
    except services.CannotReply as refused:
        # The text goes back to the article's own form, where it can be posted as a comment.
        form.set_hidden(reply_to="")
        if isinstance(refused, services.ReplyToHidden):
            return _refuse(request, article, form, 409, REPLY_HIDDEN)
        return _refuse(request, article, form, 400, REPLY_ELSEWHERE)
    except services.FormAlreadyUsed:
        form.refresh_timestamp()
        return _refuse(request, article, form, 409, FORM_USED)
    except services.MayBreakRules as nudged:
        # Nothing was stored: the form's token is still unused and stays.
        form.set_hidden(nudge=outcomes.sign_nudge(article.pk, digest))
        notice = {"kind": "warning", "text": outcomes.nudge(nudged.reasons)}
        return _form_again(request, article, form, outcome="nudge", status=200, notice=notice)
    comment = submitted.comment
    if submitted.refused:
        # Stored for the moderators; the reader keeps the text to edit, with a fresh token.
        form.set_hidden(timestamp=sign_timestamp(article.pk), nudge="")
        notice = {"kind": "danger", "text": outcomes.refused(comment.screening_reasons)}
        response = _form_again(
            request,
            article,
            form,
            outcome="refused",
            status=201 if submitted.created else 200,
            notice=notice,
        )
    elif _wants_json(request):
        data = {
            "status": "published" if submitted.published else "held",
            "message": outcomes.PUBLISHED if submitted.published else outcomes.HELD,
            "timestamp": sign_timestamp(article.pk),  # this form's token is spent
        }
        if comment.parent_id:
            data["parent"] = comment.parent_id  # the comment a reply is shown under
        if submitted.published:
            context = {
                "comment": comment,
                "published_id": comment.pk,
                "comment_notice": {"kind": "success", "text": outcomes.PUBLISHED},
                "replies_open": True,
            }
            display.prepare(comment)
            data["html"] = render_to_string("comments/_comment.html", context, request=request)
            data["url"] = _posted_url(request, article.get_absolute_url(), comment)
            data["count"] = display.count_label(display.comment_count(article))
        response = JsonResponse(data, status=201 if submitted.created else 200)
    elif submitted.published:
        # Shown in place: the notice sits next to the comment on its page.
        notice = {"kind": "success", "text": outcomes.PUBLISHED}
        feedback.keep(request, article, notice=notice, comment_id=comment.pk)
        response = _see_other(_posted_url(request, article.get_absolute_url(), comment))
    else:
        feedback.keep(request, article, notice={"kind": "info", "text": outcomes.HELD})
        response = _see_other(_back_to_form(request, article))
    remember_name(response, name, secure=request.is_secure())
    return response


def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A page of its own to reply to a comment without JavaScript: the comment, and the
    article's comment form with the comment in a hidden field. It posts to post_comment like
    any comment; after an error or a refusal the reader comes back here, text kept."""
    answered = get_object_or_404(
        Comment.objects.visible()
        .filter(article__in=Article.objects.published())
        .select_related("article", "parent"),
        pk=comment_id,
    )
    article = answered.article
    closed = display.is_closed(article)
    sent = feedback.take(request, article) or {}
    form = None
    if not closed:
        form = feedback.form_from(sent, article)
        if form is None:
            form = display.new_form(request, article, reply_to=answered.pk)
        else:
            form.set_hidden(reply_to=str(answered.pk))
    context = {
        "answered": answered,
        "answered_url": _published_url(request, article.get_absolute_url(), answered),
        "thread": answered.parent or answered,
        "article": article,
        "comment_form": form,
        "comment_notice": sent.get("notice"),
        "comments_closed": closed,
        "comments_premoderated": display.is_premoderated(article),
    }
    return render(request, "comments/reply.html", context, status=403 if closed else 200)


def _reportable(comment_id: int) -> Comment:
    """A comment a reader can see, so can report: published, under a published article."""
    return get_object_or_404(
        Comment.objects.published()
        .filter(article__in=Article.objects.published())
        .select_related("article"),
        pk=comment_id,
    )


def _after_report_url(request, comment: Comment) -> str:
    """The comment on its page, or, when the report hid it, the article's comments."""
    article_url = comment.article.get_absolute_url()
    if comment.status == Comment.Status.PUBLISHED:
        return _published_url(request, article_url, comment)
    return f"{article_url}{pages.listing_query(request.GET)}#comments"


@origin_checked
@require_http_methods(["GET", "POST"])
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET: the comment and the report form (the page a reader without JavaScript gets from
    the comment's "Report" link). POST: file the report; the outcome is shown next to the
    comment, with "Undo" for COMMENT_REPORT_UNDO_SECONDS."""
    comment = _reportable(comment_id)
    if request.method == "GET":
        return _report_page(request, comment, ReportForm())
    form = ReportForm(request.POST)
    reported = None
    if form.is_valid():
        try:
            reported = services.report(
                comment=comment,
                client_key=ratelimit.client_key(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.ReportInvalid as invalid:
            form.add_error(invalid.field, str(invalid))
        except services.TooManyReports:
            if _wants_json(request):
                return JsonResponse(
                    {"status": "limited", "message": outcomes.REPORTS_LIMITED}, status=429
                )
            return render(
                request,
                "comments/report_refused.html",
                {"message": outcomes.REPORTS_LIMITED, "comment": comment},
                status=429,
            )
    if reported is None:
        # Nothing was filed: the form again, with the error and the reader's note.
        if _wants_json(request):
            errors = {
                field: [error["message"] for error in found]
                for field, found in form.errors.get_json_data().items()
            }
            message = " ".join(message for found in errors.values() for message in found)
            return JsonResponse(
                {"status": "invalid", "errors": errors, "message": message}, status=400
            )
        return _report_page(request, comment, form, status=400)
    message = outcomes.reported(created=reported.created, held=reported.held)
    undo = reverse("comments:withdraw-report", args=[comment.pk]) if reported.withdrawable else None
    if _wants_json(request):
        data = {
            "status": "reported" if reported.created else "already",
            "message": message,
            "held": reported.held,
        }
        if undo:
            data["undo"] = undo
            data["undo_seconds"] = int(services.seconds_to_withdraw(reported.flag))
        return JsonResponse(data, status=201 if reported.created else 200)
    notice = {"kind": "success", "text": message, "undo": undo}
    feedback.keep(request, comment.article, notice=notice, comment_id=comment.pk)
    return _see_other(_after_report_url(request, comment))


def _report_page(request, comment: Comment, form: ReportForm, status: int = 200) -> HttpResponse:
    context = {
        "comment": comment,
        "form": form,
        "back": _published_url(request, comment.article.get_absolute_url(), comment),
    }
    return render(request, "comments/report.html", context, status=status)


@origin_checked
@require_POST
def withdraw_report(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The reader's "Undo": withdraws their report, within COMMENT_REPORT_UNDO_SECONDS."""
    comment = get_object_or_404(
        Comment.objects.filter(article__in=Article.objects.published()).select_related("article"),
        pk=comment_id,
    )
    try:
        services.withdraw_report(comment=comment, client_key=ratelimit.client_key(request))
    except services.WithdrawRefused:
        message = outcomes.withdraw_refused()
        if _wants_json(request):
            return JsonResponse({"status": "refused", "message": message}, status=409)
        context = {
            "message": message,
            "comment": comment,
            "heading": "Your report was not withdrawn",
        }
        return render(request, "comments/report_refused.html", context, status=409)
    if _wants_json(request):
        return JsonResponse({"status": "withdrawn", "message": outcomes.WITHDRAWN})
    notice = {"kind": "info", "text": outcomes.WITHDRAWN}
    feedback.keep(request, comment.article, notice=notice, comment_id=comment.pk)
    return _see_other(_after_report_url(request, comment))
