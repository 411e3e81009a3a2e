"""Moderators' recorded decisions as training examples for the screening model: what the
newsroom actually removed and approved is the best teacher of its own policy."""

from comments.models import ModerationDecision
from comments.screening.corpus import Example
from comments.screening_adapter import context_for

Action = ModerationDecision.Action

LABEL_FOR = {
    Action.APPROVE: "ok",
    Action.REMOVE_ABUSIVE: "abusive",
    Action.REMOVE_HATE: "hate",
    Action.REMOVE_SPAM: "spam",
    Action.REMOVE_OFF_TOPIC: "off_topic",
}


def moderator_examples(*, weight: float = 3.0) -> list[Example]:
    """The latest decision a person made on each comment, as a labelled example. Decisions
    the portal made by itself (reader reports) teach nothing and are left out, and so do
    comments whose latest decision holds or undoes (the moderator has not settled)."""
    latest = (
        ModerationDecision.objects.exclude(moderator_name="")
        # Bans and trust are about the commenter, not a verdict on the comment's text.
        .exclude(to_status="")
        .filter(comment__isnull=False)
        .order_by("comment_id", "-created", "-id")
        .select_related("comment__article")
    )
    examples, seen, articles = [], set(), {}
    for decision in latest.iterator():
        if decision.comment_id in seen:
            continue
        seen.add(decision.comment_id)
        if decision.action not in LABEL_FOR:
            continue
        examples.append(
            Example(
                text=decision.comment.text,
                label=LABEL_FOR[decision.action],
                family=f"moderated-{decision.comment_id}",
                weight=weight,
                article=_context(decision.comment.article, articles).words,
                passages=_context(decision.comment.article, articles).passages,
            )
        )
    examples.sort(key=lambda example: example.family)
    return examples


def _context(article, known: dict):
    """The article as the model reads it, once per article (its topics are a query)."""
    if article.pk not in known:
        known[article.pk] = context_for(article)
    return known[article.pk]
