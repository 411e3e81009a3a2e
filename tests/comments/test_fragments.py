"""Fresh renders use cached fragments of the comment list, yet every change a reader or a
moderator makes shows at once in the next fresh render."""

from unittest import mock

import pytest
from django.core.cache import caches
from django.test import Client

from comments import services
from comments.models import Comment
from tests.comments.conftest import post_comment
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def fresh() -> str:
    return Client().get(SEED_URL).content.decode()


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def publish(commits, seed_article, name: str, text: str, **extra) -> Comment:
    with commits():
        response = post_comment(Client(), seed_article, user_name=name, text=text, **extra)
    assert response.status_code == 303
    return Comment.objects.get(user_name=name)


def test_the_comment_list_is_kept_between_fresh_renders(seed_article, commits):
    publish(commits, seed_article, "Kept Reader", "The SCO summit matters for regional security.")
    assert "Kept Reader" in fresh()
    # Changed behind the services' back (no version bump): the cached list is what shows.
    Comment.objects.update(user_name="Changed Silently")
    assert "Kept Reader" in fresh()


def test_a_published_comment_and_a_reply_show_at_once(seed_article, commits):
    assert "No comments yet" in fresh()
    first = publish(
        commits, seed_article, "First Voice", "Lavrov's view of the SCO deserves attention."
    )
    html = fresh()
    assert "First Voice" in html and "1 comment" in html
    publish(
        commits,
        seed_article,
        "Second Voice",
        "I agree with your point on the SCO and Afghanistan.",
        reply_to=first.pk,
    )
    html = fresh()
    assert "Second Voice" in html and "2 comments" in html and "in reply to" in html


def test_a_removed_comment_disappears_at_once(seed_article, commits, moderator):
    comment = publish(
        commits, seed_article, "Gone Soon", "Trade between China and Russia is growing fast."
    )
    assert "Gone Soon" in fresh()
    with commits():
        services.remove(comment=comment, moderator=moderator, reason="spam")
    html = fresh()
    assert "Gone Soon" not in html and "No comments yet" in html


def test_an_article_edit_that_closes_comments_shows_at_once(seed_article, commits):
    comment = publish(
        commits, seed_article, "Open Thread", "Beijing and Moscow agree on the SCO's agenda."
    )
    assert f'href="/comments/{comment.pk}/reply/"' in fresh()
    with commits():
        seed_article.comment_mode = seed_article.CommentMode.CLOSED
        seed_article.save()
    html = fresh()
    assert "Open Thread" in html and f'href="/comments/{comment.pk}/reply/"' not in html


def test_the_readers_own_notice_is_never_cached_for_others(seed_article, commits):
    reader = Client()
    with commits():
        sent = post_comment(
            reader,
            seed_article,
            user_name="Noticed Reader",
            text="The SCO's observers include Afghanistan, Lavrov noted.",
        )
    own = reader.get(sent["Location"]).content.decode()
    assert "Noticed Reader" in own and "comment-notice" in own
    html = fresh()
    assert "Noticed Reader" in html and "comment-notice" not in html


def test_the_cached_form_gets_a_token_made_for_each_render_and_the_readers_name(seed_article):
    from django.core import signing

    from comments.forms import TIMESTAMP_SALT
    from tests.comments.conftest import hidden_value, name_cookie

    first, second = hidden_value(fresh(), "timestamp"), hidden_value(fresh(), "timestamp")
    assert first != second
    for token in (first, second):
        assert signing.loads(token, salt=TIMESTAMP_SALT)["a"] == seed_article.pk
    reader = Client()
    reader.cookies["comment_name"] = name_cookie("Zoë O'Brien")
    html = reader.get(SEED_URL).content.decode()
    assert 'name="user_name" value="Zoë O&#x27;Brien"' in html
    assert 'name="user_name" value=""' in fresh()  # the same cached form, without the name


def test_an_article_edit_or_unpublishing_shows_at_once(seed_article, commits):
    assert "China-Russia ties at all-time high</h1>" in fresh()
    with commits():
        seed_article.headline = "China-Russia ties at an all-time high"
        seed_article.save()
    assert "China-Russia ties at an all-time high</h1>" in fresh()
    with commits():
        seed_article.status = seed_article.Status.DRAFT
        seed_article.save()
    assert Client().get(SEED_URL).status_code == 404


@pytest.mark.parametrize("query", ["", "?cpage=2&order=newest"])
def test_a_fresh_render_reads_the_cache_in_three_round_trips(
    seed_article, commits, settings, django_assert_num_queries, query
):
    # Each read is a round trip to Redis in production.
    settings.COMMENTS_PER_PAGE = 1
    publish(commits, seed_article, "First Reader", "The SCO summit matters for security.")
    publish(commits, seed_article, "Second Reader", "Trade with Moscow grew over a decade.")
    assert Client().get(SEED_URL + query).status_code == 200
    backend, reads, depth = caches["default"], [], [0]

    def counted(name):
        original = getattr(backend, name)

        def read(*args, **kwargs):
            if not depth[0]:  # not the gets a get_many makes of its own
                reads.append(name)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return read

    with (
        mock.patch.object(backend, "get", counted("get")),
        mock.patch.object(backend, "get_many", counted("get_many")),
        django_assert_num_queries(0),
    ):
        response = Client().get(SEED_URL + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "First Reader" in html and "Second Reader" not in html  # one a page
    # The versions, the article, then every comment fragment of the page at once.
    assert reads == ["get_many", "get", "get_many"]
