"""The page cache serves reader pages without the database, yet every visitor gets their
own tokens and every change shows at once."""

import re

import pytest
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.comments.conftest import name_cookie, post_comment, timestamp_for
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
        post_comment(
            client,
            seed_article,
            user_name="Fresh Reader",
            text="Lavrov's point about the SCO and regional security is convincing.",
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
        post_comment(Client(), seed_article, user_name="pagecache-comment-name-5b2e", text=text)
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    Client().get(SEED_URL)  # fills the cache
    visitor = Client()
    visitor.cookies["comment_name"] = name_cookie("Secret Pseudonym")
    html = visitor.get(SEED_URL).content.decode()
    assert "See pagecache-comment-name-5b2e and pagecache-csrf-9d1c3e7a" in html
    assert html.count("Secret Pseudonym") == 1  # only in the visitor's own form field
    assert html.count(csrf_token_in(html)) == html.count('name="csrfmiddlewaretoken"')


@pytest.mark.parametrize(
    "query",
    ["?utm_source=1", "?utm_source=2&fbclid=x", "?cpage=1", "?cpage=abc", "?cpage=01", "?cpage="],
)
def test_query_strings_the_page_does_not_read_share_its_cached_copy(
    query, django_assert_num_queries
):
    # Each new query string used to store a new ~29 KB copy: a flood of them filled the cache.
    Client().get(SEED_URL)
    with django_assert_num_queries(0):
        response = Client().get(SEED_URL + query)
    assert response.status_code == 200


def test_each_comment_page_is_its_own_cached_page(seed_article, settings):
    settings.COMMENTS_PER_PAGE = 1
    for name in ["First Reader", "Second Reader"]:
        Comment.objects.create(
            article=seed_article, user_name=name, text="On the SCO.", status="published"
        )
    Client().get(SEED_URL)
    second = Client().get(SEED_URL + "?cpage=2").content.decode()
    assert "Second Reader" in second and "First Reader" not in second
    assert "Second Reader" in Client().get(SEED_URL + "?cpage=+2").content.decode()
    assert "First Reader" in Client().get(SEED_URL).content.decode()


@pytest.mark.parametrize("query", ["?cpage=0", "?cpage=-3", "?cpage=987654321"])
def test_page_numbers_past_the_end_are_shown_but_not_kept(query, django_assert_num_queries):
    assert Client().get(SEED_URL + query).status_code == 200
    with django_assert_num_queries(4):
        assert Client().get(SEED_URL + query).status_code == 200


def test_home_pages_are_keyed_by_their_page_number(make_article, settings):
    for n in range(21):
        make_article(headline=f"Listing story {n}")
    first = Client().get("/").content.decode()
    assert Client().get("/?page=1&utm_source=x").content.decode().count("<article") == (
        first.count("<article")
    )
    assert "Listing story 0" in Client().get("/?page=2").content.decode()
    assert "Listing story 0" not in Client().get("/?page=abc").content.decode()


def test_an_evicted_version_never_brings_back_an_older_page(
    seed_article, django_capture_on_commit_callbacks
):
    Client().get(SEED_URL)  # cached before the comment
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(
            Client(),
            seed_article,
            user_name="Late Reader",
            text="Putin and Beijing agree on the SCO's role in regional security.",
        )
    assert "Late Reader" in Client().get(SEED_URL).content.decode()
    # The cache evicts the version numbers (they are small, and least recently used).
    from django.core.cache import cache

    cache.delete_many(
        ["pagecache:version:articles", "pagecache:version:comments:" + seed_article.slug]
    )
    assert "Late Reader" in Client().get(SEED_URL).content.decode()


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.mark.parametrize("path", ["/", SEED_URL, "/feeds/"])
def test_pages_render_without_the_cache_when_it_is_down(path, settings, caplog):
    settings.CACHES = UNREACHABLE_REDIS
    client = Client(enforce_csrf_checks=True)
    first, second = client.get(path), client.get(path)
    assert first.status_code == 200 and second.status_code == 200
    assert 'name="csrfmiddlewaretoken" value="pc' not in second.content.decode()
    logged = [r for r in caplog.records if r.name == "portal.shared_cache"]
    assert len(logged) <= 1  # one line per outage, not one per call


def test_a_bump_that_fails_after_commit_does_not_fail_the_request(
    seed_article, settings, django_capture_on_commit_callbacks
):
    settings.CACHES = UNREACHABLE_REDIS
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(
            Client(),
            seed_article,
            user_name="Outage Reader",
            text="Lavrov said the SCO keeps Beijing and Moscow close on security.",
        )
    assert response.status_code == 303
    assert Comment.objects.get().user_name == "Outage Reader"
