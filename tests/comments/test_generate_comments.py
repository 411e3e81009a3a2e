"""manage.py generate_comments: many realistic comments, in the state the services give."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from comments import tallies
from comments.models import Comment, Flag
from portal.sanitizer import render_comment_text
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db

SLUG = "china-russia-ties-at-all-time-high"


def generate(**options):
    call_command("generate_comments", article=SLUG, verbosity=0, **options)


def test_refuses_with_debug_off_unless_told_yes(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--yes"):
        generate(count=10)
    assert not Comment.objects.exists()


def test_refuses_an_unknown_article(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="No published article"):
        call_command("generate_comments", article="no-such-article", count=5, verbosity=0)


def test_comments_come_in_the_state_the_services_give(client, seed_article):
    generate(count=600, yes=True, batch=128, held_share=0.1, reports_share=0.1, removed_share=0.05)
    comments = Comment.objects.filter(article=seed_article)
    assert comments.count() == 600
    by_status = dict(comments.values_list("status").annotate(n=Count("id")).order_by())
    assert by_status["held"] > 20 and by_status["removed"] > 5 and by_status["published"] > 400
    # Replies answer a published top-level comment of the same article.
    replies = comments.filter(parent__isnull=False).select_related("parent")
    assert replies.count() > 60
    assert all(
        r.parent.parent_id is None and r.parent.status == "published" and r.parent.article_id
        for r in replies
    )
    # The queue: held ones, and published ones readers reported.
    assert not comments.filter(status="held", review_since__isnull=True).exists()
    reported = comments.filter(report_count__gt=0)
    assert reported.exists() and not reported.filter(review_since__isnull=True).exists()
    flags = dict(
        Flag.objects.filter(comment__in=reported).values_list("comment").annotate(n=Count("id"))
    )
    assert flags == dict(reported.values_list("pk", "report_count"))
    assert not Flag.objects.filter(reason="").exists()
    # What save() would have rendered, and the screening's fields filled.
    for comment in comments.order_by("?")[:20]:
        assert comment.html == render_comment_text(comment.text)
        assert comment.commenter_id and comment.client_key and comment.content_hash
    held = comments.filter(status="held").first()
    assert held.screening == "hold" and held.reason_codes and held.screening_reasons
    # The tally the article page reads is right.
    visible = comments.visible()
    assert tallies.counts(seed_article.pk) == tallies.Counts(
        visible.count(), visible.top_level().count()
    )
    assert f"{visible.count()} comments" in client.get(SEED_URL).content.decode()


def test_a_second_run_adds_to_the_first(seed_article):
    generate(count=50, yes=True)
    generate(count=70, yes=True)
    assert Comment.objects.count() == 120
    visible = Comment.objects.visible()
    assert tallies.counts(seed_article.pk).shown == visible.count()
