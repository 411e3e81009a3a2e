"""A reader posts a comment: what is published, held, refused, and how they are told."""

import pytest
from django.test import Client, override_settings

from articles.models import Article
from comments.models import Comment
from tests.comments.conftest import shown_after, timestamp_for
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def post_url(article) -> str:
    return f"/comments/post/{article.pk}/"


def test_clean_comment_is_published_and_reader_is_sent_to_it(client, seed_article, comment_data):
    response = client.post(post_url(seed_article), comment_data())
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PUBLISHED
    assert response.status_code == 303
    assert response.headers["Location"] == f"{SEED_URL}#c{comment.pk}"
    page = client.get(response.headers["Location"]).content.decode()
    assert f'id="c{comment.pk}"' in page
    assert "Lavrov and Putin keep the SCO at the centre of ties with Beijing" in page
    assert "Your comment is published." in page
    assert "<span data-comment-count>1 comment</span>" in page
    assert "No comments yet" not in page


@pytest.mark.parametrize("name", ["Irina K.", "王伟", "Иван Петров", "Zoë ✓"])
def test_user_name_is_remembered_in_a_cookie_a_header_can_carry(
    client, seed_article, comment_data, name
):
    response = client.post(post_url(seed_article), comment_data(user_name=f"  {name} "))
    assert response.status_code == 303
    for cookie in response.cookies.values():
        # What a WSGI server sends: header values must be Latin-1 (gunicorn refuses others).
        cookie.output(header="").encode("latin-1")
    page = client.get(SEED_URL).content.decode()
    assert f'value="{name}"' in page


def test_a_forged_name_cookie_is_ignored(client, seed_article):
    client.cookies["comment_name"] = "Someone Else"
    page = client.get(SEED_URL).content.decode()
    assert "Someone Else" not in page


def test_abusive_comment_is_not_shown_and_reader_is_told_why(client, seed_article, comment_data):
    data = comment_data(
        text="Lavrov is a lying idiot, and anyone who believes this is a brain-dead moron."
    )
    nudged = shown_after(client, client.post(post_url(seed_article), data))
    assert "This comment may break our rules: it reads as a personal attack" in nudged
    assert Comment.objects.count() == 0
    marker = nudged.split('name="nudge" value="', 1)[1].split('"', 1)[0]
    response = client.post(post_url(seed_article), {**data, "nudge": marker}, follow=True)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.REMOVED
    html = response.content.decode()
    assert "Your comment was not published: it reads as a personal attack or abuse." in html
    assert "awaiting moderation" not in html
    assert "lying idiot" not in client.get(SEED_URL).content.decode()


def test_pre_moderated_article_holds_every_comment(client, seed_article, comment_data):
    Article.objects.filter(pk=seed_article.pk).update(comment_mode="premoderated")
    response = client.post(post_url(seed_article), comment_data(), follow=True)
    assert Comment.objects.get().status == Comment.Status.HELD
    assert "A moderator will read your comment before it appears." in response.content.decode()


def test_closed_article_refuses_comments_with_a_clear_message(client, seed_article, comment_data):
    Article.objects.filter(pk=seed_article.pk).update(comment_mode="closed")
    page = client.get(SEED_URL).content.decode()
    assert "Comments are closed on this article." in page
    assert 'id="comment-form"' not in page
    response = client.post(post_url(seed_article), comment_data())
    assert "Comments are closed on this article." in shown_after(client, response)
    assert Comment.objects.count() == 0
    json = client.post(
        post_url(seed_article), comment_data(), headers={"Accept": "application/json"}
    )
    assert json.status_code == 403


def test_unknown_and_unpublished_articles_are_404(client, make_article, comment_data):
    draft = make_article(status="draft", published_at=None)
    assert client.post(post_url(draft), comment_data()).status_code == 404
    assert client.post("/comments/post/999999/", comment_data()).status_code == 404
    assert Comment.objects.count() == 0


def test_sending_the_same_comment_twice_stores_it_once(client, seed_article, comment_data):
    first = client.post(post_url(seed_article), comment_data())
    second = client.post(post_url(seed_article), comment_data())
    assert Comment.objects.count() == 1
    assert first.headers["Location"] == second.headers["Location"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"user_name": ""}, "This field is required."),
        ({"text": ""}, "This field is required."),
        ({"text": "   \n  "}, "This field is required."),
        ({"user_name": "A"}, "at least 2 characters"),
        ({"user_name": "N" * 51}, "at most 50 characters"),
        ({"user_name": "Bob\u202eevil"}, "control or invisible characters"),
        ({"user_name": "Zero\u200bWidth"}, "control or invisible characters"),
        ({"user_name": "Bob\x07"}, "control or invisible characters"),
        ({"user_name": "<b>Bob</b>"}, "cannot contain markup"),
        ({"user_name": "Moderator"}, "kept for the site"),
        ({"user_name": "the_admin"}, "kept for the site"),
        ({"user_name": "Editor Li"}, "kept for the site"),
        ({"user_name": "Dispatch Team"}, "kept for the site"),
        ({"user_name": "ＡＤＭＩＮ"}, "kept for the site"),
        ({"text": "x" * 3001}, "at most 3000 characters"),
        ({"text": "hello\x00world"}, "Null characters are not allowed."),
        ({"user_name": "Li\x00Na"}, "Null characters are not allowed."),
        ({"website": "http://spam.example"}, "This field must be left empty."),
        ({"timestamp": "garbage"}, "could not be checked"),
        ({"timestamp": ""}, "could not be checked"),
    ],
)
def test_invalid_input_shows_the_errors_and_what_was_typed_at_the_form(
    client, seed_article, comment_data, overrides, message
):
    data = comment_data(**overrides)
    response = client.post(post_url(seed_article), data)
    assert response.headers["Location"] == f"{SEED_URL}#comment-outcome"
    html = shown_after(client, response)
    form = html.split('id="comment-form"', 1)[1].split("</form>", 1)[0]
    assert message in form
    if "text" not in overrides:
        assert "Lavrov and Putin keep the SCO at the centre of ties with Beijing" in form
    assert Comment.objects.count() == 0
    # Once: the next visit shows the empty form.
    assert message not in client.get(SEED_URL).content.decode()
    json = client.post(post_url(seed_article), data, headers={"Accept": "application/json"})
    assert json.status_code == 400


def test_missing_fields_entirely_is_a_400_not_a_500(client, seed_article):
    assert "This field is required." in shown_after(client, client.post(post_url(seed_article)))
    json = client.post(post_url(seed_article), {}, headers={"Accept": "application/json"})
    assert json.status_code == 400


def test_timestamp_for_another_article_is_refused(client, seed_article, make_article, comment_data):
    other = make_article()
    response = client.post(post_url(seed_article), comment_data(timestamp=timestamp_for(other)))
    assert "belongs to another article" in shown_after(client, response)


def test_too_fast_is_refused_and_keeps_the_text(client, seed_article, comment_data):
    response = client.post(
        post_url(seed_article), comment_data(timestamp=timestamp_for(seed_article, age=0.5))
    )
    html = shown_after(client, response)
    assert "very quick" in html
    assert "Lavrov and Putin keep the SCO" in html


@override_settings(COMMENT_FORM_MAX_AGE=60)
def test_expired_form_is_refused_and_gets_a_fresh_timestamp(client, seed_article, comment_data):
    response = client.post(
        post_url(seed_article), comment_data(timestamp=timestamp_for(seed_article, age=120))
    )
    html = shown_after(client, response)
    assert "open too long" in html
    fresh = html.split('name="timestamp" value="', 1)[1].split('"', 1)[0]
    assert fresh != comment_data()["timestamp"]


def test_invalid_utf8_is_refused_clearly(client, seed_article):
    body = b"user_name=%FF%FE&text=%C3%28&website=&timestamp=x"
    response = client.post(
        post_url(seed_article), body, content_type="application/x-www-form-urlencoded"
    )
    assert "could not be checked" in shown_after(client, response)
    json = client.post(
        post_url(seed_article),
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"Accept": "application/json"},
    )
    assert json.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        '<script>alert("x")</script>',
        '<img src=x onerror="alert(1)">',
        "javascript:alert(1)",
        '"><svg onload=alert(1)>',
    ],
)
def test_markup_in_the_comment_is_shown_as_text_never_run(
    client, seed_article, comment_data, payload
):
    client.post(post_url(seed_article), comment_data(text=f"About the SCO summit: {payload}"))
    comment = Comment.objects.get()
    html = client.get(SEED_URL).content.decode()
    if comment.status == Comment.Status.PUBLISHED:
        shown = html.split(f'id="c{comment.pk}"', 1)[1].split("</li>", 1)[0]
        assert "<script" not in shown and "<img" not in shown and "<svg" not in shown
        assert "onerror=" not in shown.replace("onerror=&quot;", "")
        assert 'href="javascript' not in shown
    assert "<script>alert" not in html


def test_links_in_comments_are_nofollow_ugc(client, seed_article, comment_data):
    client.post(
        post_url(seed_article),
        comment_data(
            text="The SCO charter text is at https://example.org/sco-charter for reference."
        ),
    )
    comment = Comment.objects.get()
    assert '<a href="https://example.org/sco-charter" rel="nofollow ugc noopener">' in comment.html


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://blog.example.org"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "null"},
    ],
)
def test_a_comment_sent_from_another_site_is_refused_with_a_clear_page(
    seed_article, comment_data, headers
):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(post_url(seed_article), comment_data(), headers=headers)
    assert response.status_code == 403
    assert "sent from another website" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://testserver"},
        {},  # no browser headers at all: a non-browser client, accepted by the policy
    ],
)
def test_a_comment_from_this_site_needs_no_csrf_token(seed_article, comment_data, headers):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(post_url(seed_article), comment_data(), headers=headers)
    assert response.status_code == 303
    assert Comment.objects.count() == 1


@override_settings(COMMENT_RATE_LIMIT_ADDRESS=(2, 300))
def test_rate_limit_per_address_answers_429_and_keeps_the_text(client, seed_article, comment_data):
    for i in range(2):
        assert (
            client.post(
                post_url(seed_article), comment_data(text=f"On SCO trade, point {i}.")
            ).status_code
            == 303
        )
    response = client.post(
        post_url(seed_article), comment_data(text="A third thought on SCO trade.")
    )
    html = shown_after(client, response)
    assert "A third thought on SCO trade." in html
    assert "several comments in a short time" in html
    assert Comment.objects.count() == 2
    json = client.post(
        post_url(seed_article),
        comment_data(text="A fourth thought on SCO trade."),
        headers={"Accept": "application/json"},
    )
    assert json.status_code == 429


@override_settings(COMMENT_RATE_LIMIT_NAME=(1, 300))
def test_rate_limit_per_name_applies_across_clients(client, seed_article, comment_data):
    assert client.post(post_url(seed_article), comment_data()).status_code == 303
    other = Client(REMOTE_ADDR="192.0.2.9")
    response = other.post(
        post_url(seed_article),
        comment_data(text="Another view on the SCO."),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 429


def test_json_submission_returns_the_rendered_comment(client, seed_article, comment_data):
    response = client.post(
        post_url(seed_article), comment_data(), headers={"Accept": "application/json"}
    )
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "published"
    assert "Lavrov and Putin keep the SCO" in data["html"]
    assert data["html"].startswith('<li class="comment" id="c')
    assert data["count"] == "1 comment"


def test_json_submission_with_errors_returns_the_form(client, seed_article, comment_data):
    response = client.post(
        post_url(seed_article), comment_data(user_name=""), headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    data = response.json()
    assert data["status"] == "invalid"
    assert "This field is required." in data["form"]
    assert "Lavrov and Putin keep the SCO" in data["form"]


def test_a_saved_comment_is_not_a_500_when_finding_its_page_fails(
    client, seed_article, comment_data, monkeypatch
):
    from django.db import OperationalError

    from comments import pages

    def connection_dropped(comment, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(pages, "position_of", connection_dropped)
    response = client.post(post_url(seed_article), comment_data())
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response.headers["Location"] == f"{SEED_URL}#c{comment.pk}"


@override_settings(COMMENT_RATE_LIMIT_ADDRESS=(2, 300))
def test_invalid_posts_count_against_the_rate_limit(client, seed_article, comment_data):
    for _ in range(2):
        assert client.post(post_url(seed_article), comment_data(user_name="")).status_code == 303
    response = client.post(post_url(seed_article), comment_data(text="A valid thought on SCO."))
    html = shown_after(client, response)
    assert "A valid thought on SCO." in html and "several comments in a short time" in html
    assert Comment.objects.count() == 0


def test_comment_min_seconds_is_the_one_speed_setting(client, seed_article, comment_data, settings):
    # With the screening's own defaults, a reader the site lets send at once is not held.
    settings.COMMENT_MIN_SECONDS = 0
    del settings.COMMENT_SCREENING_CHECKS
    response = client.post(
        post_url(seed_article), comment_data(timestamp=timestamp_for(seed_article, age=0.5))
    )
    assert response.status_code == 303
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
