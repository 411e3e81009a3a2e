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
from django.db.models import CharField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from articles.models import Article
from articles.page_scopes import article_page_scope
from comments import commenters, screening, tallies
from comments.models import Comment, Commenter, Flag, ModerationDecision
from comments.screening_adapter import context_for
from portal import content_versions

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
    ModerationDecision.Action.HOLD: Comment.Status.HELD,
}


# What each decision about a commenter does: the standings it applies to, and the new one.
_STANDING_CHANGES = {
    ModerationDecision.Action.BAN: (
        {Commenter.Standing.REGULAR, Commenter.Standing.TRUSTED},
        Commenter.Standing.BANNED,
    ),
    ModerationDecision.Action.UNBAN: ({Commenter.Standing.BANNED}, Commenter.Standing.REGULAR),
    ModerationDecision.Action.TRUST: (
        {Commenter.Standing.REGULAR, Commenter.Standing.BANNED},
        Commenter.Standing.TRUSTED,
    ),
    ModerationDecision.Action.UNTRUST: ({Commenter.Standing.TRUSTED}, Commenter.Standing.REGULAR),
}


class CommentsClosed(Exception):
    """The article takes no new comments."""


class CommenterBanned(Exception):
    """A moderator banned the commenter, and COMMENT_BAN_MODE is "refuse"."""


class TooManyComments(Exception):
    """More comments from this browser or under this name in COMMENT_RATE_WINDOW than
    COMMENT_RATE_LIMIT_FINGERPRINT or COMMENT_RATE_LIMIT_NAME allow."""


class FormAlreadyUsed(Exception):
    """The form's token already sent another comment; a fresh form is needed."""


class CannotReply(Exception):
    """The comment replied to is not a comment of this article."""


class ReplyToHidden(CannotReply):
    """The comment replied to is not published (held, removed, or a reply under a comment
    that is not): readers cannot see it, so it cannot be answered."""


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


def reply_parent(*, article: Article, replying_to: int) -> Comment:
    """The comment a reply to comment `replying_to` is stored under. Replies go one level
    deep: a reply to a reply joins the thread of the top-level comment it is under. Raises
    CannotReply when `replying_to` is not a comment of `article`, ReplyToHidden when readers
    cannot see it."""
    target = Comment.objects.select_related("parent").filter(pk=replying_to).first()
    if target is None or target.article_id != article.pk:
        raise CannotReply
    head = target.parent or target
    if not (target.is_published and head.is_published):
        raise ReplyToHidden
    return head


def content_hash(text: str) -> str:
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


def submit_comment(
    *,
    article: Article,
    user_name: str,
    text: str,
    client_key: str = "",
    fingerprint: str = "",
    signals: screening.Signals | None = None,
    idempotency_key: str | None = None,
    nudge: bool = False,
    reply_to: int | None = None,
) -> Submitted:
    """Screen a reader's comment and store it as published, held or removed, under its
    commenter (the name from the browser with this `fingerprint`, when there is one).

    With `reply_to` (a comment's id) it is a reply, stored under reply_parent()'s comment;
    CannotReply or ReplyToHidden when there is none. Otherwise a reply is a comment like any
    other: screened, limited, held and moderated the same way.

    With `nudge`, a comment the screening would remove is not stored: MayBreakRules is
    raised with the screening, so the reader can be told before anything is recorded. The
    caller sends it again without `nudge` once the reader confirms; it is then stored as
    removed, where moderators find it (a wrong removal can be restored).

    Sending the same form again (the same `idempotency_key`, the nonce of its token), or the
    same text under the same name within DUPLICATE_WINDOW, returns the comment already
    stored. Unique keys in the database hold this for posts that race each other, too. A form
    that already sent a different comment raises FormAlreadyUsed.

    `signals` carry the caller's counts of earlier comments in COMMENT_RATE_WINDOW from this
    browser (recent_by_client) and under this name: too many raise TooManyComments, a few
    hold the comment as a flood, unless the commenter is trusted. A banned commenter raises
    CommenterBanned (COMMENT_BAN_MODE "refuse") or is held."""
    if not article.is_live or article.comment_mode == Article.CommentMode.CLOSED:
        raise CommentsClosed
    parent = None if reply_to is None else reply_parent(article=article, replying_to=reply_to)
    digest = content_hash(text)
    since = timezone.now() - DUPLICATE_WINDOW
    earlier = _already_sent(article, user_name, digest, idempotency_key, since)
    if earlier is not None:
        return earlier
    standing = commenters.standing_of(
        name=user_name, fingerprint=fingerprint, address_key=client_key
    )
    banned = standing == Commenter.Standing.BANNED
    trusted = standing == Commenter.Standing.TRUSTED
    if banned and settings.COMMENT_BAN_MODE == "refuse":
        raise CommenterBanned
    signals = signals or screening.Signals()
    if trusted:
        # Trusted commenters skip the flood limits and hold; every other check still applies.
        signals = dataclasses.replace(signals, recent_by_client=0, recent_by_name=0)
    elif (
        signals.recent_by_client >= settings.COMMENT_RATE_LIMIT_FINGERPRINT[0]
        or signals.recent_by_name >= settings.COMMENT_RATE_LIMIT_NAME[0]
    ):
        raise TooManyComments
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
    reasons = result.reasons
    if (
        status == Comment.Status.PUBLISHED
        and article.comment_mode == Article.CommentMode.PREMODERATED
        and not trusted
    ):
        status = Comment.Status.HELD
    if banned:  # COMMENT_BAN_MODE "hold": the reader is told it awaits moderation
        reasons = [*reasons, commenters.BANNED_REASON]
        if status == Comment.Status.PUBLISHED:
            status = Comment.Status.HELD
    key = _duplicate_key(article.pk, user_name, digest)
    # An older comment with the same words gives up the key: they may be said again.
    Comment.objects.filter(duplicate_key=key, created__lt=since).update(duplicate_key=None)
    now = timezone.now()
    # A reply is counted with its thread (its comment may be hidden meanwhile).
    threads = [] if parent is None else [(article.pk, parent.pk)]
    try:
        with transaction.atomic(), tallies.kept(threads):
            comment = Comment.objects.create(
                article=article,
                parent=parent,
                commenter=(
                    commenters.commenter_for(name=user_name, fingerprint=fingerprint)
                    if fingerprint
                    else None
                ),
                user_name=user_name,
                text=text,
                status=status,
                screening=result.decision.value,
                screening_reasons=reasons,
                reason_codes=reason_codes(reasons),
                screening_score=result.score,
                screening_model=result.model_version,
                client_key=client_key,
                content_hash=digest,
                idempotency_key=idempotency_key or None,
                duplicate_key=key,
                created=now,
                review_since=queue_since(status=status, report_count=0, since=None, now=now),
            )
            if parent is None and status == Comment.Status.PUBLISHED:
                tallies.add(article.pk, shown=1, top_level=1)
    except IntegrityError:
        # The same form or the same comment was stored a moment ago by a parallel request.
        earlier = _already_sent(article, user_name, digest, idempotency_key, since)
        if earlier is None:
            raise
        return earlier
    if status == Comment.Status.PUBLISHED:
        content_versions.bump(article_page_scope(article.slug))
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


_MODERATED_FIELDS = ["status", "status_changed", "report_count", "report_weight", "review_since"]


@dataclass(frozen=True)
class PriorState:
    """What a decision may change on a comment, as it was before: what undo puts back."""

    status: str
    report_count: int
    report_weight: int
    review_since: datetime | None

    @classmethod
    def of(cls, comment: Comment) -> "PriorState":
        return cls(
            status=comment.status,
            report_count=comment.report_count,
            report_weight=comment.report_weight,
            review_since=comment.review_since,
        )


class UndoRefused(Exception):
    """The comment was decided on again after the decision to undo: undo would overwrite it."""


def _decide(
    locked: Comment,
    *,
    moderator: AbstractBaseUser | None,
    action: ModerationDecision.Action,
    reason: str,
    now: datetime,
    restore: PriorState | None = None,
) -> ModerationDecision:
    """The decision row for `action` on a locked comment, and the comment's new state set on
    it; the caller saves both in its transaction. The one place a decision's effect is made."""
    if action == ModerationDecision.Action.UNDO:
        if restore is None:
            raise ValueError("undo needs the state to put back")
        to_status = restore.status
    else:
        to_status = _TO_STATUS[action]
    decision = ModerationDecision(
        comment=locked,
        moderator=moderator,
        moderator_name=moderator.get_username() if moderator is not None else "",
        action=action,
        from_status=locked.status,
        to_status=to_status,
        reason=reason,
        created=now,
    )
    since = locked.review_since
    locked.status = to_status
    locked.status_changed = now
    if action == ModerationDecision.Action.APPROVE:
        # Approved comments leave the queue; readers' reports are kept as Flags.
        locked.report_count = locked.report_weight = 0
    if restore is not None:
        locked.report_count, locked.report_weight = restore.report_count, restore.report_weight
        since = restore.review_since
    locked.review_since = queue_since(
        status=locked.status, report_count=locked.report_count, since=since, now=now
    )
    return decision


def _copy_state(source: Comment, target: Comment) -> None:
    for field in _MODERATED_FIELDS:
        setattr(target, field, getattr(source, field))


def moderate(
    *,
    comment: Comment,
    moderator: AbstractBaseUser | None,
    action: ModerationDecision.Action,
    reason: str = "",
) -> ModerationDecision:
    """Change a comment's status and record who did it, in one transaction. Comments are
    never deleted: a removed comment can be approved again."""
    with transaction.atomic(), tallies.kept([tallies.thread_of(comment)]):
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        decision = _decide(
            locked, moderator=moderator, action=action, reason=reason, now=timezone.now()
        )
        decision.save()
        locked.save(update_fields=_MODERATED_FIELDS)
        content_versions.bump(article_page_scope(locked.article.slug))
    _copy_state(locked, comment)
    return decision


def _locked(pks: Iterable[int]) -> list[Comment]:
    return list(
        Comment.objects.select_for_update(of=("self",))
        .select_related("article")
        .filter(pk__in=list(pks))
        .order_by("pk")
    )


def _save_all(comments: list[Comment], decisions: list[ModerationDecision]) -> None:
    """Decisions and comments in a fixed number of queries, whatever their number."""
    ModerationDecision.objects.bulk_create(decisions)
    Comment.objects.bulk_update(comments, _MODERATED_FIELDS)
    for slug in {comment.article.slug for comment in comments}:
        content_versions.bump(article_page_scope(slug))


def moderate_many(
    *,
    comment_ids: Iterable[int],
    moderator: AbstractBaseUser,
    action: ModerationDecision.Action,
    reason: str = "",
) -> list[tuple[ModerationDecision, PriorState]]:
    """moderate() for several comments in one transaction: every one gets its own decision,
    or none does. Returns each decision with the state it replaced (for undo)."""
    comment_ids = list(comment_ids)
    with transaction.atomic(), tallies.kept(tallies.threads_of(comment_ids)):
        comments = _locked(comment_ids)
        now = timezone.now()
        done = []
        for comment in comments:
            prior = PriorState.of(comment)
            decision = _decide(comment, moderator=moderator, action=action, reason=reason, now=now)
            done.append((decision, prior))
        _save_all(comments, [decision for decision, _ in done])
    return done


def undo(
    *, decisions: dict[int, PriorState], moderator: AbstractBaseUser
) -> list[ModerationDecision]:
    """Put back what the decisions (by id) changed, each with its own UNDO decision, in one
    transaction; the undone decisions stay on record. Raises UndoRefused, changing nothing,
    when any of those comments has been decided on since."""
    with transaction.atomic():
        undone = {
            d.comment_id: d for d in ModerationDecision.objects.filter(pk__in=list(decisions))
        }
        with tallies.kept(tallies.threads_of(undone)):
            comments = _locked(undone)
            latest = _latest_decisions(list(undone))
            if len(undone) != len(decisions) or any(
                latest.get(comment.pk) != undone[comment.pk].pk for comment in comments
            ):
                raise UndoRefused
            now = timezone.now()
            made = [
                _decide(
                    comment,
                    moderator=moderator,
                    action=ModerationDecision.Action.UNDO,
                    reason=f"Undoes decision {undone[comment.pk].pk}: "
                    f"{undone[comment.pk].get_action_display()}",
                    now=now,
                    restore=decisions[undone[comment.pk].pk],
                )
                for comment in comments
            ]
            _save_all(comments, made)
    return made


def _latest_decisions(comment_ids: list[int]) -> dict[int, int]:
    """Each comment's newest decision id, in one query."""
    newest = (
        ModerationDecision.objects.filter(comment=OuterRef("pk"))
        .order_by("-created", "-id")
        .values("pk")[:1]
    )
    return dict(
        Comment.objects.filter(pk__in=comment_ids)
        .annotate(newest=Subquery(newest))
        .values_list("pk", "newest")
    )


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


def change_standing(
    *,
    commenter: Commenter,
    moderator: AbstractBaseUser | None,
    action: ModerationDecision.Action,
    reason: str = "",
    comment: Comment | None = None,
) -> ModerationDecision | None:
    """Ban, unban, trust or stop trusting a commenter, and record who did it and why (about
    `comment` too when the moderator acted from one), in one transaction. Returns None and
    records nothing when the commenter's standing is not one the action applies to (banning
    a banned commenter, unbanning one who was never banned)."""
    applies_to, new_standing = _STANDING_CHANGES[action]
    with transaction.atomic():
        locked = Commenter.objects.select_for_update().get(pk=commenter.pk)
        if locked.standing not in applies_to:
            commenter.standing = locked.standing
            return None
        decision = ModerationDecision.objects.create(
            commenter=locked,
            comment=comment,
            moderator=moderator,
            moderator_name=moderator.get_username() if moderator is not None else "",
            action=action,
            from_standing=locked.standing,
            to_standing=new_standing,
            reason=reason,
        )
        locked.standing = new_standing
        locked.save(update_fields=["standing"])
    commenter.standing = locked.standing
    return decision


def ban_commenter(
    *, commenter: Commenter, moderator: AbstractBaseUser, reason: str = "", comment=None
) -> ModerationDecision | None:
    """New comments from the commenter's browser, or under their name from their address,
    are refused (or held, COMMENT_BAN_MODE)."""
    return change_standing(
        commenter=commenter,
        moderator=moderator,
        action=ModerationDecision.Action.BAN,
        reason=reason,
        comment=comment,
    )


def unban_commenter(
    *, commenter: Commenter, moderator: AbstractBaseUser, reason: str = "", comment=None
) -> ModerationDecision | None:
    return change_standing(
        commenter=commenter,
        moderator=moderator,
        action=ModerationDecision.Action.UNBAN,
        reason=reason,
        comment=comment,
    )


def trust_commenter(
    *, commenter: Commenter, moderator: AbstractBaseUser, reason: str = "", comment=None
) -> ModerationDecision | None:
    """The commenter's comments skip the flood and pre-moderation holds; the screening for
    abuse, hate and spam still applies."""
    return change_standing(
        commenter=commenter,
        moderator=moderator,
        action=ModerationDecision.Action.TRUST,
        reason=reason,
        comment=comment,
    )


def untrust_commenter(
    *, commenter: Commenter, moderator: AbstractBaseUser, reason: str = "", comment=None
) -> ModerationDecision | None:
    return change_standing(
        commenter=commenter,
        moderator=moderator,
        action=ModerationDecision.Action.UNTRUST,
        reason=reason,
        comment=comment,
    )


def report_weight(client_key: str) -> int:
    """What one report from this client counts: 2 from a reader with a history here (a
    comment of theirs published at least HISTORY_AGE ago), 1 from anyone else."""
    history = Comment.objects.published().filter(
        client_key=client_key, created__lte=timezone.now() - HISTORY_AGE
    )
    return 2 if client_key and history.exists() else 1


REPORT_NOTE_MAX_LENGTH = Flag._meta.get_field("note").max_length
WITHDRAWN_REASON = "report withdrawn by the reader"


class ReportInvalid(ValueError):
    """A report without one of Flag.Reason, or with a note longer than
    REPORT_NOTE_MAX_LENGTH; `field` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class WithdrawRefused(Exception):
    """This client has no report on the comment it may still withdraw: none, already
    withdrawn, or filed more than COMMENT_REPORT_UNDO_SECONDS ago."""


@dataclass(frozen=True)
class Reported:
    flag: Flag
    created: bool  # False when this client's report was already on file
    held: bool  # the comment is now held: readers no longer see it

    @property
    def withdrawable(self) -> bool:
        return can_withdraw(self.flag)


@dataclass(frozen=True)
class Withdrawn:
    flag: Flag
    # The portal's hold that this report caused, undone: the comment is shown again.
    republished: bool


def seconds_to_withdraw(flag: Flag, now: datetime | None = None) -> float:
    """How long the reader may still withdraw this report (0 when they may not)."""
    if flag.withdrawn is not None:
        return 0.0
    elapsed = ((now or timezone.now()) - flag.filed).total_seconds()
    return max(settings.COMMENT_REPORT_UNDO_SECONDS - elapsed, 0.0)


def can_withdraw(flag: Flag, now: datetime | None = None) -> bool:
    """Whether the reader may still withdraw this report (within the undo window)."""
    return seconds_to_withdraw(flag, now) > 0


def reports_filed_recently(client_key: str, now: datetime) -> int:
    """How many reports this client filed in the past REPORT_WINDOW. Withdrawn ones count,
    and a report filed again after a withdrawal counts each time, so withdrawing cannot
    make room for more (a report filed again within the hour counts its earlier filings
    too: that errs on the side of the limit)."""
    recent = Flag.objects.filter(client_key=client_key, filed__gte=now - REPORT_WINDOW)
    return recent.aggregate(total=Sum("filings", default=0))["total"]


def report(*, comment: Comment, client_key: str, reason: str, note: str = "") -> Reported:
    """A reader reports a comment with a reason (one of Flag.Reason) and an optional note.
    Invalid input raises ReportInvalid; a report this client already has on file is
    returned as it is (created False). A report the client withdrew is filed again, with
    the new reason.

    So that a few addresses cannot hold comments at will: one client may file
    COMMENT_REPORTS_PER_HOUR reports an hour (more raise TooManyReports); each report weighs
    report_weight(); a published comment is held for a moderator once its reports weigh
    COMMENT_REPORTS_TO_HOLD (default 4: two readers with a history, or four without).
    Approving the comment starts the count again."""
    if reason not in Flag.Reason.values:
        raise ReportInvalid("reason", "Please choose why you are reporting this comment.")
    note = note.strip()
    if len(note) > REPORT_NOTE_MAX_LENGTH:
        raise ReportInvalid(
            "note",
            f"Please keep the note to {REPORT_NOTE_MAX_LENGTH} characters (it has {len(note)}).",
        )
    existing = Flag.objects.filter(comment=comment, client_key=client_key).first()
    if existing is not None and existing.withdrawn is None:
        return Reported(existing, created=False, held=comment.status == Comment.Status.HELD)
    now = timezone.now()
    if reports_filed_recently(client_key, now) >= settings.COMMENT_REPORTS_PER_HOUR:
        raise TooManyReports
    weight = report_weight(client_key)
    fields = {"reason": reason, "note": note, "weight": weight, "filed": now}
    try:
        with transaction.atomic():
            if existing is None:
                flag = Flag.objects.create(
                    comment=comment, client_key=client_key, created=now, **fields
                )
            else:
                # Filed again: only the request that finds it withdrawn files it.
                refiled = Flag.objects.filter(pk=existing.pk, withdrawn__isnull=False).update(
                    withdrawn=None, filings=F("filings") + 1, **fields
                )
                if not refiled:
                    raise IntegrityError("filed again by a parallel request")
                flag = Flag.objects.get(pk=existing.pk)
            Comment.objects.filter(pk=comment.pk).update(
                report_count=F("report_count") + 1, report_weight=F("report_weight") + weight
            )
            comment.refresh_from_db(
                fields=["report_count", "report_weight", "status", "review_since"]
            )
            _update_queue(comment)
    except IntegrityError:
        flag = Flag.objects.get(comment=comment, client_key=client_key)
        return Reported(flag, created=False, held=comment.status == Comment.Status.HELD)
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
    return Reported(flag, created=True, held=comment.status == Comment.Status.HELD)


def withdraw_report(*, comment: Comment, client_key: str) -> Withdrawn:
    """The reader who filed a report withdraws it, within COMMENT_REPORT_UNDO_SECONDS of
    filing it; anything else raises WithdrawRefused. The report's row is kept, marked
    withdrawn.

    Its count and weight come off the comment, unless a moderator has decided on the
    comment since it was filed (their decision stands; an approval already started the
    count again). When this report's weight put the comment on hold and nothing was decided
    after that hold, the comment is published again, with an UNDO decision by the portal."""
    now = timezone.now()
    flag = Flag.objects.filter(comment=comment, client_key=client_key).first()
    if flag is None or not can_withdraw(flag, now):
        raise WithdrawRefused
    republished = False
    with transaction.atomic(), tallies.kept([tallies.thread_of(comment)]):
        locked = Comment.objects.select_for_update().select_related("article").get(pk=comment.pk)
        # Only the request that finds it filed withdraws it (a double click counts once).
        if not Flag.objects.filter(pk=flag.pk, withdrawn__isnull=True).update(withdrawn=now):
            raise WithdrawRefused
        flag.withdrawn = now
        since_filed = list(
            ModerationDecision.objects.filter(comment=locked, created__gte=flag.filed).order_by(
                "-created", "-id"
            )
        )
        if not any(decision.moderator_name for decision in since_filed):
            locked.report_count = max(locked.report_count - 1, 0)
            locked.report_weight = max(locked.report_weight - flag.weight, 0)
            latest = since_filed[0] if since_filed else None
            if (
                locked.status == Comment.Status.HELD
                and latest is not None
                and latest.action == ModerationDecision.Action.HOLD_REPORTED
                and locked.report_weight < settings.COMMENT_REPORTS_TO_HOLD
            ):
                restore = PriorState(
                    status=Comment.Status.PUBLISHED,
                    report_count=locked.report_count,
                    report_weight=locked.report_weight,
                    review_since=locked.review_since,
                )
                _decide(
                    locked,
                    moderator=None,
                    action=ModerationDecision.Action.UNDO,
                    reason=WITHDRAWN_REASON,
                    now=now,
                    restore=restore,
                ).save()
                content_versions.bump(article_page_scope(locked.article.slug))
                republished = True
            else:
                locked.review_since = queue_since(
                    status=locked.status,
                    report_count=locked.report_count,
                    since=locked.review_since,
                    now=now,
                )
            locked.save(update_fields=_MODERATED_FIELDS)
    _copy_state(locked, comment)
    return Withdrawn(flag, republished=republished)


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
