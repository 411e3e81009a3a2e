"""How often moderators overruled the screening, per label the machine gave: the figure that
says whether to retrain the model or move a threshold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from comments.models import Comment, ModerationDecision
from comments.screening.classifier import CODES
from comments.training_data import LABEL_FOR

# A model finding's code -> the label it stands for; a comment with none was "ok" to it.
LABEL_OF_CODE = {str(code): label for label, code in CODES.items()}
REMOVING = {action for action, label in LABEL_FOR.items() if label != "ok"}


@dataclass
class Row:
    label: str
    screened: int = 0
    reviewed: int = 0  # a moderator decided on it
    overruled: int = 0  # and did the opposite of the machine

    @property
    def rate(self) -> float | None:
        return self.overruled / self.reviewed if self.reviewed else None


def machine_label(comment: Comment) -> str:
    """The label the model gave: its most probable flagged label, or ok."""
    flagged = [
        (reason.get("score", 0), LABEL_OF_CODE[reason["code"]])
        for reason in comment.screening_reasons or ()
        if reason.get("code") in LABEL_OF_CODE
    ]
    return max(flagged)[1] if flagged else "ok"


def overrules(*, days: int = 30) -> list[Row]:
    """Per machine label, over comments written in the last `days`: how many were screened,
    how many a moderator decided on, and how many of those the moderator overruled (approved
    what the machine held or removed, or removed what it published)."""
    since = timezone.now() - timedelta(days=days)
    rows = {label: Row(label) for label in ("ok", *LABEL_OF_CODE.values())}
    last_human: dict[int, str] = {}
    decisions = (
        ModerationDecision.objects.filter(comment__created__gte=since)
        .exclude(moderator_name="")
        .exclude(to_status="")  # bans and trust: about the commenter, not the comment's status
        .order_by("created", "id")
        .values_list("comment_id", "action")
    )
    for comment_id, action in decisions:
        last_human[comment_id] = action
    comments = Comment.objects.filter(created__gte=since).only(
        "id", "screening", "screening_reasons"
    )
    for comment in comments.iterator():
        row = rows[machine_label(comment)]
        row.screened += 1
        action = last_human.get(comment.pk)
        if action is None:
            continue
        row.reviewed += 1
        machine_published = comment.screening == Comment.Screened.PUBLISH
        if (machine_published and action in REMOVING) or (
            not machine_published and action == ModerationDecision.Action.APPROVE
        ):
            row.overruled += 1
    return list(rows.values())
