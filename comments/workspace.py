"""The moderators' workspace: its tabs, the cards it shows, the decisions a card's form
makes and the undo of an action. A page of cards takes a fixed number of queries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core import signing
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString

from comments import screening, services
from comments.highlight import highlight, spans_from_reasons
from comments.models import Comment, Flag, ModerationDecision

Action = ModerationDecision.Action

PER_PAGE = 30
HISTORY_SHOWN = 5  # the commenter's latest other comments, per name and per client
CONTEXT_SHOWN = 2  # published comments just before it on the article
REPLIES_SHOWN = 3  # a top-level comment's latest replies, whatever their status
REPORTS_SHOWN = 5
DECISIONS_SHOWN = 3
# Tab counts stop here ("1,000+"): a moderator needs to know that there is a lot, and no
# tab reads more than this many rows of its index to say so.
COUNT_CAP = 1_000
HISTORY_COUNT_CAP = 100  # a commenter's comments counted up to here ("100+")
UNDO_SECONDS = 30
_UNDO_SALT = "comments.workspace.undo"


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    empty: str  # what the tab says when there is nothing in it

    def comments(self) -> QuerySet[Comment]:
        return _TAB_QUERIES[self.slug]()


def machine_removed() -> QuerySet[Comment]:
    """Comments the screening removed that no moderator has decided on: where a wrong
    removal is caught and reversed."""
    by_a_person = ModerationDecision.objects.filter(comment=OuterRef("pk")).exclude(
        moderator_name=""
    )
    return Comment.objects.filter(
        status=Comment.Status.REMOVED, screening=Comment.Screened.REMOVE
    ).exclude(Exists(by_a_person))


_TAB_QUERIES = {
    "held": lambda: (
        Comment.objects.filter(status=Comment.Status.HELD)
        .needs_review()
        .order_by("review_since", "id")
    ),
    "reported": lambda: (
        Comment.objects.needs_review().filter(report_count__gt=0).order_by("review_since", "id")
    ),
    "machine": lambda: machine_removed().order_by("-created", "-id"),
    "all": lambda: Comment.objects.order_by("-created", "-id"),
}

TABS = {
    tab.slug: tab
    for tab in [
        Tab("held", "Held", "No comment is held: nothing waits for a moderator."),
        Tab("reported", "Reported", "No reader has reported a comment that waits for review."),
        Tab(
            "machine",
            "Removed by the machine",
            "Every comment the screening removed has been looked at by a moderator.",
        ),
        Tab("all", "All", "No comments yet."),
    ]
}
DEFAULT_TAB = "held"


@dataclass(frozen=True)
class TabCount:
    tab: Tab
    count: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown(self) -> str:
        return f"{COUNT_CAP:,}+" if self.capped else f"{self.count:,}"


def capped_count(queryset: QuerySet) -> int:
    """How many rows, counting at most COUNT_CAP + 1 of them."""
    return queryset.order_by()[: COUNT_CAP + 1].count()


def tab_counts() -> list[TabCount]:
    return [TabCount(tab, capped_count(tab.comments())) for tab in TABS.values()]


def queue_summary() -> dict[str, TabCount]:
    """What waits for a moderator, for the admin's home page."""
    return {
        slug: TabCount(TABS[slug], capped_count(TABS[slug].comments()))
        for slug in ("held", "reported", "machine")
    }


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    decision: str
    score: float
    detail: str


@dataclass(frozen=True)
class ReportTally:
    """A comment's readers' reports (withdrawn ones left out), counted by reason, the most
    frequent first: "3 reports: 2 spam or advertising, 1 off-topic"."""

    total: int
    by_reason: list[tuple[str, int]]

    def __str__(self) -> str:
        if not self.total:
            return "no reports"
        counts = ", ".join(f"{n} {label}" for label, n in self.by_reason)
        return f"{self.total} report{'' if self.total == 1 else 's'}: {counts}"


NO_REASON = "no reason given"  # reports filed before readers were asked why


def report_tallies(comment_ids: list[int]) -> dict[int, ReportTally]:
    """Each comment's ReportTally, in one query whatever their number."""
    counted: dict[int, list[tuple[str, int]]] = {}
    rows = (
        Flag.objects.filter(comment__in=comment_ids, withdrawn__isnull=True)
        .values_list("comment", "reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = dict(Flag.Reason.choices)
    for comment_id, reason, n in rows:
        label = labels[reason].lower() if reason in labels else NO_REASON
        counted.setdefault(comment_id, []).append((label, n))
    return {
        comment_id: ReportTally(
            total=sum(n for _, n in found),
            by_reason=sorted(found, key=lambda item: (-item[1], item[0])),
        )
        for comment_id, found in counted.items()
    }


@dataclass
class Card:
    """One comment with everything a moderator needs to decide on it."""

    comment: Comment
    text: SafeString
    reasons: list[Reason]
    reports: list[Flag]  # the latest REPORTS_SHOWN, not withdrawn
    decisions: list[ModerationDecision]
    context: list[Comment]
    suggested: str = ""  # the removal category the screening's strongest reason points to
    same_name: list[Comment] = dataclasses.field(default_factory=list)
    same_name_count: int = 0
    same_name_capped: bool = False  # more than HISTORY_COUNT_CAP: "100+"
    same_client: list[Comment] = dataclasses.field(default_factory=list)
    same_client_count: int = 0
    same_client_capped: bool = False
    # The thread: a reply's parent comes with the comment (comment.parent); a top-level
    # comment's latest replies (any status), and how many it has.
    replies: list[Comment] = dataclasses.field(default_factory=list)
    reply_count: int = 0
    report_tally: ReportTally = ReportTally(0, [])


def reasons_of(comment: Comment) -> list[Reason]:
    reasons = []
    for reason in comment.screening_reasons or ():
        code = str(reason.get("code", "?"))
        try:
            label = screening.Code(code).label
        except ValueError:
            label = code
        try:
            score = float(reason.get("score", 0))
        except (TypeError, ValueError):
            score = 0.0
        reasons.append(
            Reason(code, label, str(reason.get("decision", "?")), score, reason.get("detail", ""))
        )
    return reasons


_CATEGORY_OF_CODE = {
    "hate": "hate",
    "banned_term": "hate",
    "abusive": "abusive",
    "threat": "abusive",
    "insult": "abusive",
    "profanity": "abusive",
    "suspect_term": "abusive",
    "shouting": "abusive",
    "spam": "spam",
    "spam_links": "spam",
    "spam_contact": "spam",
    "spam_commercial": "spam",
    "duplicate": "spam",
    "flood": "spam",
    "off_topic": "off_topic",
    "language": "off_topic",
}


def suggested_category(reasons: list[Reason]) -> str:
    """The removal category of the weightiest reason that held or removed the comment, as
    the keyboard's confirmation first offers it; "" when none does."""
    flagged = [
        (reason.score, _CATEGORY_OF_CODE[reason.code])
        for reason in reasons
        if reason.decision != "publish" and reason.code in _CATEGORY_OF_CODE
    ]
    return max(flagged)[1] if flagged else ""


class _CountOf(Subquery):
    """How many rows a (sliced) subquery gives."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


# What a card shows of a comment of the commenter's history, or of the article before it.
_HISTORY_FIELDS = (
    "id",
    "user_name",
    "client_key",
    "text",
    "status",
    "created",
    "article__headline",
    "article__slug",
    "article__published_at",
)


def _history(field: str) -> QuerySet[Comment]:
    """The comments with the card's comment's `field` (its name, its client), newest first:
    a range of an index in its order (comment_name_history_idx, comment_client_history_idx)
    that each card reads only the start of."""
    return (
        Comment.objects.filter(**{field: OuterRef(field)}).order_by("-created", "-id").values("pk")
    )


def cards_for(comments: QuerySet[Comment]) -> list[Card]:
    """Cards for a sliced queryset of comments, in six queries whatever their number (the
    commenter and a reply's parent come with the comment). What is read of a commenter's
    history and of the article is bounded per card, however long they are: the newest few
    ids, one index step each, and a count that stops at HISTORY_COUNT_CAP."""
    before = (
        Comment.objects.published()
        .filter(article=OuterRef("article"), created__lt=OuterRef("created"))
        .order_by("-created", "-id")
        .values("pk")
    )
    at_most = HISTORY_COUNT_CAP + 1
    annotations = {f"context_{n}": Subquery(before[n : n + 1]) for n in range(CONTEXT_SHOWN)}
    for field, prefix in (("user_name", "name"), ("client_key", "client")):
        # The comment itself is one of them: one more than is shown of the others.
        for n in range(HISTORY_SHOWN + 1):
            annotations[f"{prefix}_{n}"] = Subquery(_history(field)[n : n + 1])
        annotations[f"{prefix}_total"] = _CountOf(_history(field).order_by()[:at_most])
    shown = list(
        comments.select_related("article", "commenter", "parent")
        .annotate(**annotations)
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(withdrawn__isnull=True).order_by("-filed", "-id")[
                    :REPORTS_SHOWN
                ],
                to_attr="latest_reports",
            ),
            Prefetch(
                "decisions",
                queryset=ModerationDecision.objects.order_by("-created", "-id")[:DECISIONS_SHOWN],
                to_attr="latest_decisions",
            ),
        )
    )
    # The article's comments before each and the commenters' other comments: one query.
    wanted = {
        getattr(c, f"{prefix}_{n}")
        for c in shown
        for prefix, count in (("context", CONTEXT_SHOWN), ("name", HISTORY_SHOWN + 1))
        for n in range(count)
    }
    wanted |= {
        getattr(c, f"client_{n}") for c in shown if c.client_key for n in range(HISTORY_SHOWN + 1)
    }
    wanted -= {None}
    found = Comment.objects.filter(pk__in=wanted).select_related("article").only(*_HISTORY_FIELDS)
    by_id = {c.pk: c for c in found} if wanted else {}
    tallies = report_tallies([c.pk for c in shown])
    replies = _latest_replies({c.pk for c in shown if c.parent_id is None})
    cards = []
    for comment in shown:
        card = Card(
            comment=comment,
            text=highlight(comment.text, spans_from_reasons(comment.screening_reasons)),
            reasons=(reasons := reasons_of(comment)),
            suggested=suggested_category(reasons),
            reports=comment.latest_reports,
            report_tally=tallies.get(comment.pk, ReportTally(0, [])),
            decisions=comment.latest_decisions,
            context=[
                by_id[pk]
                for n in reversed(range(CONTEXT_SHOWN))
                if (pk := getattr(comment, f"context_{n}")) in by_id
            ],
        )
        card.same_name, card.same_name_count, card.same_name_capped = _others(
            comment, "name", by_id
        )
        if comment.client_key:
            card.same_client, card.same_client_count, card.same_client_capped = _others(
                comment, "client", by_id
            )
        card.replies, card.reply_count = replies.get(comment.pk, ([], 0))
        cards.append(card)
    return cards


def _latest_replies(parent_ids: set[int]) -> dict[int, tuple[list[Comment], int]]:
    """For each of these top-level comments, its newest REPLIES_SHOWN replies of any status
    (newest first) and how many it has: one query, however many replies."""
    if not parent_ids:
        return {}
    order = [F("created").desc(), F("id").desc()]
    rows = (
        Comment.objects.filter(parent_id__in=parent_ids)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("parent_id")], order_by=order),
            total=Window(Count("id"), partition_by=[F("parent_id")]),
        )
        .filter(rank__lte=REPLIES_SHOWN)
        .only("id", "parent_id", "user_name", "text", "status", "created")
        .order_by("parent_id", "-created", "-id")
    )
    found: dict[int, tuple[list[Comment], int]] = {}
    for row in rows:
        found.setdefault(row.parent_id, ([], row.total))[0].append(row)
    return found


def _others(comment: Comment, prefix: str, by_id: dict[int, Comment]) -> tuple[list, int, bool]:
    """The commenter's other comments by name or by client (newest first, at most
    HISTORY_SHOWN), how many there are, and whether there are more than that count says."""
    ids = [getattr(comment, f"{prefix}_{n}") for n in range(HISTORY_SHOWN + 1)]
    others = [by_id[pk] for pk in ids if pk is not None and pk != comment.pk and pk in by_id]
    total = getattr(comment, f"{prefix}_total")
    # The comment itself is always among them.
    return others[:HISTORY_SHOWN], total - 1, total > HISTORY_COUNT_CAP


@dataclass
class CardPage:
    tab: Tab
    number: int
    cards: list[Card]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of_cards(tab: Tab, number: int) -> CardPage:
    start = (number - 1) * PER_PAGE
    ids = list(tab.comments().values_list("pk", flat=True)[start : start + PER_PAGE + 1])
    order = {pk: n for n, pk in enumerate(ids[:PER_PAGE])}
    cards = cards_for(Comment.objects.filter(pk__in=list(order))) if order else []
    cards.sort(key=lambda card: order[card.comment.pk])
    return CardPage(tab, number, cards, has_next=len(ids) > PER_PAGE)


# What a card's form or the bulk form can do.
REMOVALS = {
    "abusive": Action.REMOVE_ABUSIVE,
    "hate": Action.REMOVE_HATE,
    "spam": Action.REMOVE_SPAM,
    "off_topic": Action.REMOVE_OFF_TOPIC,
}
CATEGORY_LABELS = {"abusive": "Abusive", "hate": "Hate", "spam": "Spam", "off_topic": "Off-topic"}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("hold", "Hold"), ("remove", "Remove")]
    )
    category = forms.ChoiceField(
        label="Remove as",
        choices=[("", "Choose why…"), *CATEGORY_LABELS.items()],
        required=False,
    )
    note = forms.CharField(
        label="Note",
        max_length=500,
        required=False,
        help_text="Optional; kept with the decision.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "remove" and not data.get("category"):
            self.add_error("category", "Choose why the comment is removed.")
        return data

    @property
    def action(self) -> Action:
        decision = self.cleaned_data["decision"]
        if decision == "remove":
            return REMOVALS[self.cleaned_data["category"]]
        return Action.APPROVE if decision == "approve" else Action.HOLD


# What a card's commenter form can do: the change of standing (services.change_standing, as
# the Commenter admin's actions), and the message a moderator reads after it.
STANDING_CHANGES = {
    "ban": (Action.BAN, "Banned"),
    "unban": (Action.UNBAN, "Ban lifted on"),
    "trust": (Action.TRUST, "Trusted"),
    "untrust": (Action.UNTRUST, "Stopped trusting"),
}


class StandingForm(forms.Form):
    change = forms.ChoiceField(choices=[(key, key) for key in STANDING_CHANGES])
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        required=False,
        help_text="Optional; kept with the decision.",
    )


def undo_token(done: list[tuple[ModerationDecision, services.PriorState]], user) -> str:
    """A signed note of what the decisions replaced, that only `user` may use to undo them,
    for UNDO_SECONDS."""
    return signing.dumps(
        {
            "user": user.pk,
            "undo": [
                [
                    decision.pk,
                    prior.status,
                    prior.report_count,
                    prior.report_weight,
                    prior.review_since.isoformat() if prior.review_since else None,
                ]
                for decision, prior in done
            ],
        },
        salt=_UNDO_SALT,
    )


class UndoExpired(Exception):
    """The undo token is older than UNDO_SECONDS, or not one this site gave this user."""


def read_undo_token(token: str, user) -> dict[int, services.PriorState]:
    try:
        data = signing.loads(token, salt=_UNDO_SALT, max_age=UNDO_SECONDS)
    except signing.BadSignature as error:  # SignatureExpired is one
        raise UndoExpired from error
    if data.get("user") != user.pk:
        raise UndoExpired
    return {
        int(pk): services.PriorState(
            status=status,
            report_count=int(count),
            report_weight=int(weight),
            review_since=_when(since),
        )
        for pk, status, count, weight, since in data["undo"]
    }


def _when(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None
