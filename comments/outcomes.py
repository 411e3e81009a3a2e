"""What a reader is told after sending a comment: published, held, refused, or a nudge
before anything is stored, with the screening's reasons in plain words (never its scores),
and the signed marker that lets a nudged reader send the same text again on purpose; and
after reporting a comment or withdrawing the report."""

from collections.abc import Iterable

from django.conf import settings
from django.core import signing

from comments.screening import Code, Decision

PUBLISHED = "Thank you. Your comment is published."
HELD = "Thank you. A moderator will read your comment before it appears."
REFUSED = (
    "Your comment was not published: {why}. It has been recorded, and a moderator may "
    "restore it. Your text is still in the form if you want to edit it."
)
NUDGE = (
    "This comment may break our rules: {why}. Edit it, or send it again as it is and it "
    "will be recorded for a moderator."
)

# After a report, its withdrawal ("Undo"), or a refusal of either.
REPORTED = "Thank you. A moderator will look at this comment."
REPORTED_AND_HELD = (
    "Thank you. With the reports of other readers, yours has hidden this comment until a "
    "moderator has looked at it."
)
ALREADY_REPORTED = "You have already reported this comment. A moderator will look at it."
WITHDRAWN = "Your report was withdrawn."
WITHDRAW_REFUSED = (
    "There is no report of yours on this comment that can still be withdrawn: a report can "
    "be withdrawn within {seconds} seconds of sending it, once."
)
REPORTS_LIMITED = (
    "You have sent many reports in the past hour. Please try again later; moderators are "
    "looking at the comments already reported."
)

NUDGE_SALT = "comments.nudge"

# Each screening reason code in words a reader understands: what the comment looks like,
# not which rule fired or how sure the model was.
_IN_PLAIN_WORDS = {
    Code.BANNED_TERM: "it uses words we do not allow",
    Code.SUSPECT_TERM: "it uses words that are often abusive",
    Code.HATE: "it may be hateful towards a group of people",
    Code.ABUSIVE: "it reads as a personal attack or abuse",
    Code.THREAT: "it reads as a threat",
    Code.INSULT: "it reads as a personal attack or abuse",
    Code.PROFANITY: "it uses strong language",
    Code.SPAM_LINKS: "it looks like advertising or carries links",
    Code.SPAM_CONTACT: "it carries contact details",
    Code.SPAM_COMMERCIAL: "it looks like advertising or carries links",
    Code.SPAM: "it looks like advertising or carries links",
    Code.OFF_TOPIC: "it does not seem to be about this article",
    Code.LANGUAGE: "it is in a language our moderators do not read yet",
    Code.SHOUTING: "it is written mostly in capital letters",
    Code.FLOOD: "many comments were sent from your connection in a short time",
    Code.DUPLICATE: "the same text was posted elsewhere",
    Code.UNSURE: "our screening could not tell whether it follows the rules",
    Code.CHECK_ERROR: "our screening could not check it",
}
_GENERIC = "it may break the rules for comments"


def why(reasons: Iterable[dict]) -> str:
    """The reasons for the strictest decision among the screening's `reasons` (as stored
    with a comment), in plain words: "it reads as a personal attack or abuse and it ..."."""
    reasons = list(reasons)
    strictest = max((Decision(r["decision"]) for r in reasons if "decision" in r), default=None)
    words: list[str] = []
    for reason in reasons:
        if strictest is not None and reason.get("decision") != strictest.value:
            continue
        try:
            phrase = _IN_PLAIN_WORDS[Code(reason.get("code"))]
        except ValueError:
            phrase = _GENERIC
        if phrase not in words:
            words.append(phrase)
    if not words:
        return _GENERIC
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def refused(reasons: Iterable[dict]) -> str:
    return REFUSED.format(why=why(reasons))


def nudge(reasons: Iterable[dict]) -> str:
    return NUDGE.format(why=why(reasons))


def reported(*, created: bool, held: bool) -> str:
    """After a report: filed (and whether, with others', it hid the comment), or filed before."""
    if not created:
        return ALREADY_REPORTED
    return REPORTED_AND_HELD if held else REPORTED


def withdraw_refused() -> str:
    return WITHDRAW_REFUSED.format(seconds=settings.COMMENT_REPORT_UNDO_SECONDS)


def sign_nudge(article_pk: int, digest: str) -> str:
    """The hidden marker a nudged form carries: this text (its content hash) on this
    article was shown the nudge, so sending it again stores it."""
    return signing.dumps({"a": article_pk, "h": digest}, salt=NUDGE_SALT)


def nudge_confirmed(marker: str, article_pk: int, digest: str) -> bool:
    """Whether `marker` is a valid nudge for this article and this text. Another article,
    an edited text (it is screened and nudged afresh) or an old or forged marker is not."""
    if not marker:
        return False
    try:
        data = signing.loads(marker, salt=NUDGE_SALT, max_age=settings.COMMENT_FORM_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("a") == article_pk and data.get("h") == digest
