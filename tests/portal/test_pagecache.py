"""The page cache serves reader pages without the database, yet every visitor gets their
own tokens and every change shows at once."""

import re

import pytest
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.comments.conftest import name_cookie, timestamp_for
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def without_csrf_token(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_repeat_visits_are_served_without_queries(client, django_assert_num_queries):
    first = client.get(SEED_URL)
    home = client.get("/")
    with django_assert_num_queries(0):
        second = client.get(SEED_URL)
        home_again = client.get("/")
    assert second.status_code == 200 and home_again.status_code == 200
    assert "China-Russia ties at all-time high</h1>" in second.content.decode()
    # The same page; only each request's masked CSRF token (the footer's form) differs.
    assert without_csrf_token(home.content) == without_csrf_token(home_again.content)
    assert (
        "pagecache-" not in second.content.decode() and "pagecache-" not in first.content.decode()
    )


def test_each_visitor_gets_a_csrf_token_that_works_for_them(seed_article):
    Client().get(SEED_URL)  # fills the cache
    reader = Client(enforce_csrf_checks=True)
    html = reader.get(SEED_URL).content.decode()
    token = csrf_token_in(html)
    response = reader.post(
        f"/comments/post/{seed_article.pk}/",
        {
            "csrfmiddlewaretoken": token,
            "user_name": "Token Tester",
            "text": "The SCO expansion to Afghanistan as an observer matters for security.",
            "timestamp": timestamp_for(seed_article),
        },
    )
    assert response.status_code == 303
    font = reader.post("/preferences/font-size/", {"csrfmiddlewaretoken": token, "size": "l"})
    assert font.status_code == 303


def test_each_visitor_gets_a_fresh_signed_timestamp_and_their_own_name(client):
    Client().get(SEED_URL)
    client.cookies["comment_name"] = name_cookie("Olga O'Neill")
    html = client.get(SEED_URL).content.decode()
    assert 'value="Olga O&#x27;Neill"' in html
    stamp = html.split('name="timestamp" value="', 1)[1].split('"', 1)[0]
    from django.core import signing

    from comments.forms import TIMESTAMP_SALT

    assert (
        signing.loads(stamp, salt=TIMESTAMP_SALT)["a"]
        == Article.objects.get(slug="china-russia-ties-at-all-time-high").pk
    )
    assert 'value="Olga' not in Client().get(SEED_URL).content.decode()


def test_text_size_has_its_own_cached_page(client):
    client.get(SEED_URL)
    client.cookies["fontsize"] = "xl"
    assert '<html lang="en" class="fs-xl">' in client.get(SEED_URL).content.decode()
    client.cookies["fontsize"] = "m"
    assert '<html lang="en" class="fs-m">' in client.get(SEED_URL).content.decode()


def test_a_new_comment_shows_at_once(client, seed_article, django_capture_on_commit_callbacks):
    client.get(SEED_URL)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/comments/post/{seed_article.pk}/",
            {
                "user_name": "Fresh Reader",
                "text": "Lavrov's point about the SCO and regional security is convincing.",
                "timestamp": timestamp_for(seed_article),
            },
        )
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    fresh = Client().get(SEED_URL).content.decode()
    assert "Fresh Reader" in fresh


def test_an_edit_shows_at_once(client, seed_article, django_capture_on_commit_callbacks):
    client.get(SEED_URL)
    with django_capture_on_commit_callbacks(execute=True):
        seed_article.headline = "China-Russia ties at an all-time high"
        seed_article.save()
    assert "at an all-time high</h1>" in client.get(SEED_URL).content.decode()


def test_one_time_messages_and_signed_in_users_bypass_the_cache(
    admin_client, django_assert_num_queries
):
    Client().get(SEED_URL)
    with django_assert_num_queries(0):
        Client().get(SEED_URL)
    reader = Client()
    reader.cookies["messages"] = "anything"
    with django_assert_num_queries(4):
        reader.get(SEED_URL)
    response = admin_client.get(SEED_URL)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", SEED_URL, "/feeds/", "/topics/sco/"])
def test_every_cached_page_gives_each_visitor_a_working_csrf_token(path):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_html = first.get(path).content.decode()
    second_html = second.get(path).content.decode()
    assert "pagecache-" not in second_html
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', second_html))
    assert tokens and not tokens & set(re.findall(r'value="([^"]+)"', first_html))
    for token in tokens:
        response = second.post(
            "/preferences/font-size/", {"csrfmiddlewaretoken": token, "size": "l"}
        )
        assert response.status_code == 303


def test_placeholder_like_text_from_readers_is_shown_as_written(
    seed_article, django_capture_on_commit_callbacks
):
    # The markers the cache used to splice visitors' values into were fixed public strings;
    # a comment carrying them showed every visitor their own name and CSRF token.
    text = (
        "See pagecache-comment-name-5b2e and pagecache-csrf-9d1c3e7a about the SCO and "
        "Russia's relations with China."
    )
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            f"/comments/post/{seed_article.pk}/",
            {
                "user_name": "pagecache-comment-name-5b2e",
                "text": text,
                "timestamp": timestamp_for(seed_article),
            },
        )
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    Client().get(SEED_URL)  # fills the cache
    visitor = Client()
    visitor.cookies["comment_name"] = name_cookie("Secret Pseudonym")
    html = visitor.get(SEED_URL).content.decode()
    assert "See pagecache-comment-name-5b2e and pagecache-csrf-9d1c3e7a" in html
    assert html.count("Secret Pseudonym") == 1  # only in the visitor's own form field
    assert html.count(csrf_token_in(html)) == html.count('name="csrfmiddlewaretoken"')
