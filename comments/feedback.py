"""What a reader's last send leaves for the article page after the redirect (without
JavaScript): the text and name they typed, the form's errors, and the outcome, read once.

It is kept in the session, on the server: a comment may be longer than a cookie can carry,
and a cookie would send it with every request. Only a request that already carries the
session cookie looks for it, so a page a shared cache keeps (never one for a request with a
session cookie: portal.http_cache) never holds a reader's text or message. Once read, an
empty session is flushed, its cookie deleted: the reader is back on the shared cache."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest

from articles.models import Article
from comments.forms import CommentForm

# The fields a re-shown form gets back: what the reader typed and the hidden values.
KEPT_FIELDS = ("user_name", "text", "timestamp", "nudge", "reply_to")


def _key(article: Article) -> str:
    return f"comments.sent.{article.pk}"


def keep(
    request: HttpRequest,
    article: Article,
    *,
    notice: dict | None = None,
    form: CommentForm | None = None,
    comment_id: int | None = None,
) -> None:
    """Keep this send's outcome for the next article page this reader opens: `notice`
    ({"kind": ..., "text": ...}), `form` when it is shown again with the reader's text and
    its errors, `comment_id` when the notice belongs next to that (published) comment."""
    state: dict = {}
    if notice:
        state["notice"] = notice
    if comment_id is not None:
        state["comment_id"] = comment_id
    if form is not None:
        state["data"] = {name: form.data.get(name, "") for name in KEPT_FIELDS}
        state["errors"] = form.errors.get_json_data()
    request.session[_key(article)] = state


def take(request: HttpRequest | None, article: Article) -> dict | None:
    """The outcome keep() left for `article`, once: the next page shows nothing. Every
    template tag of one page sees the same value."""
    if request is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    taken = request.__dict__.setdefault("_comments_feedback", {})
    if article.pk not in taken:
        session = request.session
        taken[article.pk] = session.pop(_key(article), None)
        if taken[article.pk] is not None and not session.keys():
            # The session existed for this one message: drop its row with the cookie.
            session.flush()
    return taken[article.pk]


def form_from(state: dict, article: Article) -> CommentForm | None:
    """The form as the reader left it, with the errors found then (not validated again: the
    form's token would now count as sent too fast), or None when it was not kept."""
    if "data" not in state:
        return None
    form = CommentForm(dict(state["data"]), article=article)
    form._errors = ErrorDict(renderer=form.renderer)
    form.cleaned_data = {}
    for name, errors in state.get("errors", {}).items():
        field = name if name in form.fields else None
        for error in errors:
            form.add_error(field, ValidationError(error["message"], code=error["code"]))
    return form
