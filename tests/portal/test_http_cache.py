"""What a shared HTTP cache may keep: anonymous reader pages are public for a few seconds and
hold nobody's bytes; anything for a visitor with a session or a message, and every other
page, is private."""

import re

import pytest
from django.conf import settings
from django.test import Client

from articles import fontsize
from comments.display import NAME_COOKIE
from comments.models import Comment
from portal import http_cache
from tests.comments.conftest import hidden_value, name_cookie, post_comment
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=0, s-maxage=10, stale-while-revalidate=60"
READER_PAGES = [
    "/",
    "/?page=2",
    SEED_URL,
    SEED_URL + "?cpage=2&order=newest",
    "/topics/sco/",
    "/feeds/",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/json/",
    f"{SEED_URL}comments/feed/",
]


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize("path", READER_PAGES)
def test_anonymous_reader_pages_are_public_for_a_few_seconds(seed_article, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PUBLIC
    assert "cookie" in vary(response)
    assert not response.cookies  # a response that sets a cookie is never shared


def test_browsers_get_the_html_page_of_a_feed_kept_apart_by_accept(seed_article):
    response = Client(headers={"Accept": "text/html"}).get("/feeds/rss/")
    assert response["Content-Type"].startswith("text/html")
    assert response.headers["Cache-Control"] == PUBLIC
    assert {"cookie", "accept"} <= vary(response)


def test_the_freshness_window_is_a_setting(seed_article, settings):
    settings.SHARED_CACHE_SECONDS = 3
    settings.SHARED_CACHE_STALE_SECONDS = 30
    response = Client().get(SEED_URL)
    assert response.headers["Cache-Control"] == (
        "public, max-age=0, s-maxage=3, stale-while-revalidate=30"
    )


@pytest.mark.parametrize("cookie", [settings.SESSION_COOKIE_NAME, "messages"])
@pytest.mark.parametrize("path", ["/", SEED_URL, "/topics/sco/", "/feeds/rss/"])
def test_a_session_or_a_message_makes_the_page_private(seed_article, cookie, path):
    reader = Client()
    reader.cookies[cookie] = "anything"
    response = reader.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "cookie" in vary(response)


@pytest.mark.parametrize("path", ["/", SEED_URL, "/topics/sco/"])
def test_signed_in_staff_never_get_a_shared_page(admin_client, seed_article, path):
    response = admin_client.get(path)
    assert "public" not in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_admin_pages_are_never_stored(admin_client):
    response = admin_client.get("/admin/")
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/send-your-stories/", "/newsletter/", "/no-such-page/", "/comments/99/report/"]
)
def test_pages_no_view_marks_shared_are_private(db, path):
    response = Client().get(path)
    assert "public" not in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_robots_keeps_its_own_long_public_lifetime(db):
    assert Client().get("/robots.txt").headers["Cache-Control"] == "max-age=3600, public"


def test_the_key_cookies_are_the_ones_the_apps_read():
    assert set(http_cache.KEY_COOKIES) == {fontsize.COOKIE_NAME, NAME_COOKIE}
    assert set(http_cache.bypass_cookies()) == {settings.SESSION_COOKIE_NAME, "messages"}


@pytest.mark.parametrize("path", ["/", SEED_URL, "/topics/sco/", "/feeds/"])
def test_a_shared_page_holds_no_csrf_token_and_sets_no_cookie(seed_article, path):
    response = Client(enforce_csrf_checks=True).get(path)
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert settings.CSRF_COOKIE_NAME not in response.cookies


def test_a_remembered_name_is_only_in_the_page_of_its_own_cookie(seed_article):
    olga = Client()
    olga.cookies[NAME_COOKIE] = name_cookie("Olga O'Neill")
    html = olga.get(SEED_URL).content.decode()
    assert 'value="Olga O&#x27;Neill"' in html
    assert "Olga" not in Client().get(SEED_URL).content.decode()


def test_the_text_size_cookie_gives_its_own_page(seed_article):
    reader = Client()
    reader.cookies[fontsize.COOKIE_NAME] = "xl"
    assert '<html lang="en" class="fs-xl">' in reader.get(SEED_URL).content.decode()
    assert '<html lang="en" class="fs-m">' in Client().get(SEED_URL).content.decode()


def test_a_reader_is_back_on_the_shared_page_once_the_notice_is_read(seed_article):
    reader = Client()
    sent = post_comment(
        reader,
        seed_article,
        user_name="Once Only",
        text="Lavrov's remarks on the SCO and regional security deserve a close reading.",
    )
    assert sent.status_code == 303
    assert settings.SESSION_COOKIE_NAME in reader.cookies  # the one-time notice waits
    shown = reader.get(sent["Location"])
    assert "comment-notice" in shown.content.decode()
    assert shown.headers["Cache-Control"] == "private, no-cache"
    # The notice was the session's only content: its cookie is deleted with it.
    assert shown.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 0
    assert not reader.cookies[settings.SESSION_COOKIE_NAME].value
    del reader.cookies[settings.SESSION_COOKIE_NAME]  # as a browser drops an expired cookie
    again = reader.get(SEED_URL)
    assert again.headers["Cache-Control"] == PUBLIC
    assert "Once Only" in again.content.decode()


def test_two_readers_sending_from_one_shared_copy_both_have_their_comment_stored(
    seed_article, settings
):
    settings.COMMENT_MIN_SECONDS = 0
    html = Client().get(SEED_URL).content.decode()
    token = hidden_value(html, "timestamp")  # the same for every reader of this copy
    for name in ("First Reader", "Second Reader"):
        response = Client(enforce_csrf_checks=True).post(
            f"/comments/post/{seed_article.pk}/",
            {
                "user_name": name,
                "text": f"{name} thinks the SCO summit matters for Beijing and Moscow.",
                "timestamp": token,
            },
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert response.status_code == 303
        assert "already sent a comment" not in Client().get(response["Location"]).content.decode()
    assert sorted(Comment.objects.values_list("user_name", flat=True)) == [
        "First Reader",
        "Second Reader",
    ]


def test_two_script_copies_in_one_browser_are_two_forms_and_one_copy_sends_once(
    seed_article, settings
):
    settings.COMMENT_MIN_SECONDS = 0
    html = Client().get(SEED_URL).content.decode()
    token = hidden_value(html, "timestamp")
    reader = Client()
    headers = {"Accept": "application/json", "Sec-Fetch-Site": "same-origin"}

    def send(text, nonce):
        data = {"user_name": "Tab Reader", "text": text, "timestamp": token}
        data["reader_nonce"] = nonce
        return reader.post(f"/comments/post/{seed_article.pk}/", data, headers=headers)

    first = send("The SCO summit agenda on Afghanistan is worth following.", "copy-a")
    assert first.status_code == 201
    # The same copy sent again (a double click): the same comment, not a second one.
    assert (
        send("The SCO summit agenda on Afghanistan is worth following.", "copy-a").status_code
        == 200
    )
    # The same cached page in another tab: the script gave it its own value.
    other = send("Trade between Russia and China keeps growing, says Lavrov.", "copy-b")
    assert other.status_code == 201
    # The first copy cannot send a different comment.
    assert send("Something else entirely about the SCO.", "copy-a").status_code == 409
    assert Comment.objects.count() == 2


def test_no_nonce_of_another_reader_is_in_a_shared_page(seed_article):
    html = Client().get(SEED_URL).content.decode()
    # Empty: each reader's script fills in its own.
    assert '<input type="hidden" name="reader_nonce" id="id_reader_nonce">' in html
    assert re.search(
        r'name="reader_nonce"[^>]*type="hidden"|type="hidden"[^>]*name="reader_nonce"', html
    )


def test_a_form_lifetime_too_short_for_the_shared_cache_fails_the_checks(settings):
    from portal.checks import check_form_age_outlives_the_shared_cache

    assert check_form_age_outlives_the_shared_cache(None) == []
    settings.COMMENT_FORM_MAX_AGE = 300
    [error] = check_form_age_outlives_the_shared_cache(None)
    assert error.id == "portal.E002"
