"""The article's comment tally: what readers see under an article, kept by every change the
services make, so the page reads one row instead of counting; and pages read from the
nearer end."""

import pytest

from comments import services, tallies
from comments.models import Comment, CommentTally, ModerationDecision
from tests.comments.test_article_comments import bulk_comments
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def label(client, query="") -> str:
    html = client.get(SEED_URL + query).content.decode()
    return html


def counted(article) -> tallies.Counts:
    """What a full count finds: the truth the tally must agree with."""
    visible = Comment.objects.filter(article=article).visible()
    return tallies.Counts(visible.count(), visible.top_level().count())


@pytest.fixture
def thread(make_comment):
    """A published comment with two published replies and one held reply."""
    head = make_comment(text="The head of the thread.")
    replies = [make_comment(parent=head, text=f"Reply {n}") for n in range(2)]
    make_comment(parent=head, text="Held reply", status=Comment.Status.HELD)
    return head, replies


def test_without_a_tally_the_reader_counts(client, seed_article, thread):
    assert not CommentTally.objects.exists()
    assert tallies.counts(seed_article.pk) == tallies.Counts(3, 1)
    assert "3 comments" in label(client)


def test_holding_a_comment_hides_its_replies_from_the_count(client, seed_article, thread):
    head, _ = thread
    tallies.recount(seed_article.pk)
    services.moderate(comment=head, moderator=None, action=ModerationDecision.Action.HOLD)
    assert CommentTally.objects.get(article=seed_article).shown == 0
    assert "No comments yet" in label(client)
    services.approve(comment=head, moderator=None)
    assert tallies.counts(seed_article.pk) == counted(seed_article) == tallies.Counts(3, 1)


def test_a_reply_under_a_held_comment_does_not_count(seed_article, thread):
    head, replies = thread
    tallies.recount(seed_article.pk)
    services.moderate(comment=head, moderator=None, action=ModerationDecision.Action.HOLD)
    services.remove(comment=replies[0], moderator=None)
    services.approve(comment=head, moderator=None)
    assert tallies.counts(seed_article.pk) == counted(seed_article) == tallies.Counts(2, 1)


def test_bulk_moderation_and_undo_keep_the_tally(seed_article, thread, moderator):
    head, replies = thread
    tallies.recount(seed_article.pk)
    done = services.moderate_many(
        comment_ids=[head.pk, replies[1].pk],
        moderator=moderator,
        action=ModerationDecision.Action.REMOVE_SPAM,
    )
    assert tallies.counts(seed_article.pk) == counted(seed_article) == tallies.Counts(0, 0)
    services.undo(decisions={d.pk: prior for d, prior in done}, moderator=moderator)
    assert tallies.counts(seed_article.pk) == counted(seed_article) == tallies.Counts(3, 1)


def test_the_first_change_stores_the_count(seed_article, thread):
    head, _ = thread
    services.remove(comment=head, moderator=None)
    assert CommentTally.objects.get(article=seed_article).shown == 0
    services.approve(comment=head, moderator=None)
    assert CommentTally.objects.get(article=seed_article).shown == 3


def test_submitted_comments_and_replies_count(seed_article, thread):
    head, _ = thread
    tallies.recount(seed_article.pk)
    text = "The SCO summit in Beijing will be watched closely in Moscow."
    top = services.submit_comment(article=seed_article, user_name="Wang Lei", text=text)
    assert top.published
    reply = services.submit_comment(
        article=seed_article, user_name="Anna", text="Beijing agrees on that.", reply_to=head.pk
    )
    assert reply.published
    assert tallies.counts(seed_article.pk) == counted(seed_article) == tallies.Counts(5, 2)


def test_a_withdrawn_report_puts_the_comment_back_in_the_count(
    seed_article, make_comment, settings
):
    settings.COMMENT_REPORTS_TO_HOLD = 1
    comment = make_comment()
    tallies.recount(seed_article.pk)
    services.report(comment=comment, client_key="reader-1", reason="spam")
    assert tallies.counts(seed_article.pk).shown == 0
    services.withdraw_report(comment=comment, client_key="reader-1")
    assert tallies.counts(seed_article.pk) == counted(seed_article) == tallies.Counts(1, 1)


@pytest.mark.parametrize("order", ["", "&order=newest"])
def test_every_page_read_from_either_end_shows_its_own_comments(
    client, seed_article, settings, order
):
    settings.COMMENTS_PER_PAGE = 10
    bulk_comments(seed_article, 47, replies=12)  # 35 top-level: pages of 10, 10, 10, 5
    tallies.recount(seed_article.pk)
    seen = []
    for page in range(1, 5):
        html = label(client, f"?cpage={page}{order}")
        seen.append([n for n in range(35) if f"Comment number {n}<" in html])
    forward = list(range(35)) if not order else list(reversed(range(35)))
    pages = [forward[0:10], forward[10:20], forward[20:30], forward[30:35]]
    assert seen == [sorted(page) for page in pages]
    assert all("47 comments" in label(client, f"?cpage={p}{order}") for p in (1, 4))
