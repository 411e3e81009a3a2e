"""What changes a comment: submitting, reporting and moderating. Views, admin actions and
commands all call these, so each rule lives here once."""

import dataclasses
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from articles.models import Article
from articles.page_scopes import article_page_scope
from comments import screening
from comments.models import Comment, Flag, ModerationDecision
from comments.screening_adapter import context_for
from portal import pagecache

DUPLICATE_WINDOW = timedelta(days=1)
REPORT_WINDOW = timedelta(hours=1)
# A reader whose comment was published at least this long ago has a history on the site.
HISTORY_AGE = timedelta(days=1)

_STATUS_FOR = {
    screening.Decision.PUBLISH: Comment.Status.PUBLISHED,
    screening.Decision.HOLD: Comment.Status.HELD,
    screening.Decision.REMOVE: Comment.Status.REMOVED,
}

_TO_STATUS = {
    ModerationDecision.Action.APPROVE: Comment.Status.PUBLISHED,
    ModerationDecision.Action.REMOVE_ABUSIVE: Comment.Status.REMOVED,
    ModerationDecision.Action.REMOVE_HATE: Comment.Status.REMOVED,
    ModerationDecision.Action.REMOVE_OFF_TOPIC: Comment.Status.REMOVED,
    ModerationDecision.Action.REMOVE_SPAM: Comment.Status.REMOVED,
    ModerationDecision.Action.HOLD_REPORTED: Comment.Status.HELD,
}


class CommentsClosed(Exception):
    """The article takes no new comments."""


class FormAlreadyUsed(Exception):
    """The form's token already sent another comment; a fresh form is needed."""


class TooManyReports(Exception):
    """The client filed COMMENT_REPORTS_PER_HOUR reports in the past hour."""


class MayBreakRules(Exception):
    """The screening would remove this comment and the reader has not yet been told so: it
    was not stored (the nudge, as Coral does before posting)."""

    def __init__(self, screening_result: screening.Screening):
        super().__init__(screening_result.decision.value)
        self.screening = screening_result

    @property
    def reasons(self) -> list[dict]:
        return self.screening.reasons


@dataclass(frozen=True)
class Submitted:
    comment: Comment
    created: bool  # False when the reader sent the same comment again

    @property
    def published(self) -> bool:
        return self.comment.status == Comment.Status.PUBLISHED

    @property
    def refused(self) -> bool:
        return self.comment.status == Comment.Status.REMOVED


def queue_since(
    *, status: str, report_count: int, since: datetime | None, now: datetime
) -> datetime | None:
    """The moderators' queue, decided once: when a comment in this state entered it (held,
    or published and reported; it keeps the time it first entered), or None when it needs
    no review."""
    held = status == Comment.Status.HELD
    reported = status == Comment.Status.PUBLISHED and report_count > 0
    if not (held or reported):
        return None
    return since or now


def reason_codes(reasons: Iterable[dict]) -> dict[str, bool]:
    """The codes of the screening's reasons, as the keys Comment.reason_codes stores."""
    return {str(reason["code"]): True for reason in reasons if reason.get("code")}


def _update_queue(comment: Comment) -> None:
    since = queue_since(
        status=comment.status,
        report_count=comment.report_count,
        since=comment.review_since,
        now=timezone.now(),
    )
    if since != comment.review_since:
        comment.review_since = since
        Comment.objects.filter(pk=comment.pk).update(review_since=since)


def content_hash(text: str) -> str:
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


def submit_comment(
    *,
    article: Article,
    user_name: str,
    text: str,
    client_key: str = "",
    signals: screening.Signals | None = None,
    idempotency_key: str | None = None,
    nudge: bool = False,
) -> Submitted:
    """Screen a reader's comment and store it as published, held or removed.

    With `nudge`, a comment the screening would remove is not stored: MayBreakRules is
    raised with the screening, so the reader can be told before anything is recorded. The
    caller sends it again without `nudge` once the reader confirms; it is then stored as
    removed, where moderators find it (a wrong removal can be restored).

    Sending the same form again (the same `idempotency_key`, the nonce of its token), or the
    same text under the same name within DUPLICATE_WINDOW, returns the comment already
    stored. Unique keys in the database hold this for posts that race each other, too. A form
    that already sent a different comment raises FormAlreadyUsed."""
    if not article.is_live or article.comment_mode == Article.CommentMode.CLOSED:
        raise CommentsClosed
    digest = content_hash(text)
    since = timezone.now() - DUPLICATE_WINDOW
    earlier = _already_sent(article, user_name, digest, idempotency_key, since)
    if earlier is not None:
        return earlier
    signals = signals or screening.Signals()
    if not signals.duplicate_elsewhere and (
        Comment.objects.filter(content_hash=digest, created__gte=since).exists()
    ):
        # The same words under another name, or on another article: a sign of spam.
        signals = dataclasses.replace(signals, duplicate_elsewhere=True)
    result = screening.screen(
        screening.Submission(
            text=text, user_name=user_name, article=context_for(article), signals=signals
        )
    )
    if nudge and result.decision == screening.Decision.REMOVE:
        raise MayBreakRules(result)
    status = _STATUS_FOR[result.decision]
    if (
        status == Comment.Status.PUBLISHED
        and article.comment_mode == Article.CommentMode.PREMODERATED
    ):
        status = Comment.Status.HELD
    key = _duplicate_key(article.pk, user_name, digest)
    # An older comment with the same words gives up the key: they may be said again.
    Comment.objects.filter(duplicate_key=key, created__lt=since).update(duplicate_key=None)
    now = timezone.now()
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                article=article,
                user_name=user_name,
                text=text,
                status=status,
                screening=result.decision.value,
                screening_reasons=result.reasons,
                reason_codes=reason_codes(result.reasons),
                screening_score=result.score,
                screening_model=result.model_version,
                client_key=client_key,
                content_hash=digest,
                idempotency_key=idempotency_key or None,
                duplicate_key=key,
                created=now,
                review_since=queue_since(status=status, report_count=0, since=None, now=now),
            )
    except IntegrityError:
        # The same form or the same comment was stored a moment ago by a parallel request.
        earlier = _already_sent(article, user_name, digest, idempotency_key, since)
        if earlier is None:
            raise
        return earlier
    if status == Comment.Status.PUBLISHED:
        pagecache.bump(article_page_scope(article.slug))
    return Submitted(comment, created=True)


def _duplicate_key(article_pk: int, user_name: str, digest: str) -> str:
    return hashlib.sha256(f"{article_pk}\n{user_name}\n{digest}".encode()).hexdigest()


def _already_sent(
    article: Article, user_name: str, digest: str, idempotency_key: str | None, since: datetime
) -> Submitted | None:
    if idempotency_key:
        sent = Comment.objects.filter(idempotency_key=idempotency_key).first()
        if sent is not None:
            if (sent.article_id, sent.user_name, sent.content_hash) != (
                article.pk,
                user_name,
                digest,
            ):
                raise FormAlreadyUsed
            return Submitted(sent, created=False)
    earlier = Comment.objects.filter(
        article=article, content_hash=digest, user_name=user_name, created__gte=since
    ).first()
    return None if earlier is None else Submitted(earlier, created=False)


def moderate(
    *,
    comment: Comment,
    moderator: AbstractBaseUser | None,
    action: ModerationDecision.Action,
    reason: str = "",
) -> ModerationDecision:
    """Change a comment's status and record who did it, in one transaction. Comments are
    never deleted: a removed comment can be approved again."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        decision = ModerationDecision.objects.create(
            comment=locked,
            moderator=moderator,
            moderator_name=moderator.get_username() if moderator is not None else "",
            action=action,
            from_status=locked.status,
            to_status=_TO_STATUS[action],
            reason=reason,
        )
        locked.status = decision.to_status
        locked.status_changed = decision.created
        if action == ModerationDecision.Action.APPROVE:
            # Approved comments leave the queue; readers' reports are kept as Flags.
            locked.report_count = locked.report_weight = 0
        locked.review_since = queue_since(
            status=locked.status,
            report_count=locked.report_count,
            since=locked.review_since,
            now=decision.created,
        )
        locked.save(
            update_fields=[
                "status",
                "status_changed",
                "report_count",
                "report_weight",
                "review_since",
            ]
        )
        pagecache.bump(article_page_scope(locked.article.slug))
    comment.status, comment.status_changed = locked.status, locked.status_changed
    comment.report_count, comment.review_since = locked.report_count, locked.review_since
    comment.report_weight = locked.report_weight
    return decision


def approve(*, comment: Comment, moderator: AbstractBaseUser, reason: str = ""):
    return moderate(
        comment=comment,
        moderator=moderator,
        action=ModerationDecision.Action.APPROVE,
        reason=reason,
    )


def remove(
    *,
    comment: Comment,
    moderator: AbstractBaseUser,
    action: ModerationDecision.Action = ModerationDecision.Action.REMOVE_ABUSIVE,
    reason: str = "",
):
    if _TO_STATUS[action] != Comment.Status.REMOVED:
        raise ValueError(f"{action} does not remove a comment")
    return moderate(comment=comment, moderator=moderator, action=action, reason=reason)


def report_weight(client_key: str) -> int:
    """What one report from this client counts: 2 from a reader with a history here (a
    comment of theirs published at least HISTORY_AGE ago), 1 from anyone else."""
    history = Comment.objects.published().filter(
        client_key=client_key, created__lte=timezone.now() - HISTORY_AGE
    )
    return 2 if client_key and history.exists() else 1


def report(*, comment: Comment, client_key: str) -> bool:
    """A reader reports a comment. Returns False when this client already had.

    So that a few addresses cannot hold comments at will: one client may file
    COMMENT_REPORTS_PER_HOUR reports an hour (more raise TooManyReports); each report weighs
    report_weight(); a published comment is held for a moderator once its reports weigh
    COMMENT_REPORTS_TO_HOLD (default 4: two readers with a history, or four without).
    Approving the comment starts the count again."""
    if Flag.objects.filter(comment=comment, client_key=client_key).exists():
        return False
    recent = Flag.objects.filter(client_key=client_key, created__gte=timezone.now() - REPORT_WINDOW)
    if recent.count() >= settings.COMMENT_REPORTS_PER_HOUR:
        raise TooManyReports
    weight = report_weight(client_key)
    try:
        with transaction.atomic():
            Flag.objects.create(comment=comment, client_key=client_key, weight=weight)
            Comment.objects.filter(pk=comment.pk).update(
                report_count=F("report_count") + 1, report_weight=F("report_weight") + weight
            )
            comment.refresh_from_db(
                fields=["report_count", "report_weight", "status", "review_since"]
            )
            _update_queue(comment)
    except IntegrityError:
        return False
    if (
        comment.status == Comment.Status.PUBLISHED
        and comment.report_weight >= settings.COMMENT_REPORTS_TO_HOLD
    ):
        moderate(
            comment=comment,
            moderator=None,
            action=ModerationDecision.Action.HOLD_REPORTED,
            reason=f"{comment.report_count} reader reports, weighing {comment.report_weight}",
        )
    return True


def clear_client_keys(*, days: int | None = None) -> tuple[int, int]:
    """Forget the client keys of comments and reports older than `days` (default
    COMMENT_CLIENT_KEY_DAYS). A report keeps its row and weight: its key becomes
    "cleared-<id>", distinct per row, so one client's reports on a comment stay apart.
    Returns how many comments and reports were cleared."""
    days = settings.COMMENT_CLIENT_KEY_DAYS if days is None else days
    before = timezone.now() - timedelta(days=days)
    comments = (
        Comment.objects.filter(created__lt=before).exclude(client_key="").update(client_key="")
    )
    reports = (
        Flag.objects.filter(created__lt=before)
        .exclude(client_key__startswith="cleared-")
        .update(client_key=Concat(Value("cleared-"), Cast("pk", CharField())))
    )
    return comments, reports
