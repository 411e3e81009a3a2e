"""Without JavaScript: every send answers 303 (a refresh sends nothing again) and the
article page shows the outcome, the errors and the reader's own text at the form, once,
to that reader only."""

import pytest
from django.conf import settings
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.comments.conftest import form_in, hidden_value, shown_after
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db

ABUSIVE = "Lavrov is a lying idiot, and anyone who believes this is a brain-dead moron."


def post_url(article) -> str:
    return f"/comments/post/{article.pk}/"


def test_a_nudge_is_shown_in_the_form_with_the_text_and_stores_nothing(
    client, seed_article, comment_data
):
    data = comment_data(user_name="Sharp Tongue", text=ABUSIVE)
    response = client.post(post_url(seed_article), data)
    assert response.headers["Location"] == f"{SEED_URL}#comment-outcome"
    form = form_in(shown_after(client, response))
    assert "This comment may break our rules: it reads as a personal attack or abuse." in form
    assert form.index("comment-notice") < form.index('name="text"')  # above the fields
    assert ABUSIVE in form and 'value="Sharp Tongue"' in form
    assert Comment.objects.count() == 0
    # Sent again from that form: recorded, refused, and the text still there to edit.
    again = client.post(
        post_url(seed_article),
        {
            **data,
            "timestamp": hidden_value(form, "timestamp"),
            "nudge": hidden_value(form, "nudge"),
        },
    )
    refused = form_in(shown_after(client, again))
    assert "Your comment was not published: it reads as a personal attack or abuse." in refused
    assert "It has been recorded, and a moderator may restore it." in refused
    assert ABUSIVE in refused
    assert Comment.objects.get().status == Comment.Status.REMOVED


def test_a_held_comment_is_announced_in_the_emptied_form(client, seed_article, comment_data):
    Article.objects.filter(pk=seed_article.pk).update(comment_mode="premoderated")
    data = comment_data()
    response = client.post(post_url(seed_article), data)
    assert response.headers["Location"] == f"{SEED_URL}#comment-outcome"
    form = form_in(shown_after(client, response))
    assert "Thank you. A moderator will read your comment before it appears." in form
    assert data["text"] not in form
    assert 'value="Wang Lei"' in form  # the remembered name


def test_a_published_comment_is_announced_next_to_it(client, seed_article, comment_data):
    response = client.post(post_url(seed_article), comment_data())
    comment = Comment.objects.get()
    assert response.headers["Location"] == f"{SEED_URL}#c{comment.pk}"
    html = shown_after(client, response)
    item = html.split(f'id="c{comment.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Thank you. Your comment is published." in item
    assert "Your comment is published." not in form_in(html)


def test_the_outcome_is_shown_once_and_a_refresh_sends_nothing(client, seed_article, comment_data):
    response = client.post(post_url(seed_article), comment_data(user_name="A"))
    location = response.headers["Location"]
    assert "at least 2 characters" in shown_after(client, response)
    refreshed = client.get(location)  # what the browser's refresh repeats: the GET
    assert "at least 2 characters" not in refreshed.content.decode()
    assert Comment.objects.count() == 0
    # The session was there for this one message: its cookie is gone with it.
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == ""


def test_no_reader_sees_another_readers_text_and_the_cached_page_is_untouched(
    seed_article, comment_data, django_assert_num_queries
):
    others = Client()
    writer = Client()
    secret = "My unsent draft about the SCO, with a name that is too short."
    writer.post(post_url(seed_article), comment_data(user_name="A", text=secret))
    seen = others.get(SEED_URL)
    assert secret not in seen.content.decode() and "at least 2 characters" not in str(seen)
    assert seen.headers["Cache-Control"].startswith("public")
    # The writer's page is theirs alone: no shared cache may keep it.
    own = writer.get(SEED_URL)
    assert secret in own.content.decode()
    assert own.headers["Cache-Control"] == "private, no-cache"
    # Nor did it go into the fragment cache that fresh renders share.
    assert secret not in Client().get(SEED_URL).content.decode()


def test_a_long_text_survives_the_redirect_without_a_large_cookie(
    client, seed_article, comment_data
):
    text = "𝄞" * settings.COMMENT_MAX_LENGTH  # 12 KB in UTF-8: more than a cookie holds
    response = client.post(post_url(seed_article), comment_data(user_name="A", text=text))
    for cookie in response.cookies.values():
        assert len(cookie.OutputString()) < 4096
    assert text in form_in(shown_after(client, response))


def test_the_reader_comes_back_to_the_comment_page_they_sent_from(
    client, seed_article, comment_data, settings
):
    settings.COMMENTS_PER_PAGE = 1
    for i in range(3):
        Comment.objects.create(
            article=seed_article,
            user_name=f"R{i}",
            text="x",
            content_hash=str(i),
            status="published",
        )
    page = client.get(SEED_URL + "?cpage=2&utm_source=x").content.decode()
    action = page.split('id="comment-form"', 1)[0].rsplit('action="', 1)[1].split('"', 1)[0]
    assert action == f"{post_url(seed_article)}?cpage=2"
    response = client.post(action, comment_data(user_name="A"))
    assert response.headers["Location"] == f"{SEED_URL}?cpage=2#comment-outcome"


def test_a_form_used_twice_keeps_the_new_text_at_the_form(client, seed_article, comment_data):
    data = comment_data()
    client.post(post_url(seed_article), data)
    second = {**data, "text": "And Russian energy exports to China keep rising too."}
    form = form_in(shown_after(client, client.post(post_url(seed_article), second)))
    assert "This form has already sent a comment." in form
    assert second["text"] in form
    assert hidden_value(form, "timestamp") != data["timestamp"]


def test_a_reader_reading_newest_first_is_sent_to_their_comment_in_that_order(
    client, seed_article, comment_data, settings
):
    settings.COMMENTS_PER_PAGE = 2
    for i in range(3):
        Comment.objects.create(
            article=seed_article,
            user_name=f"R{i}",
            text="x",
            content_hash=str(i),
            status="published",
        )
    page = client.get(SEED_URL + "?order=newest&cpage=2").content.decode()
    action = page.split('id="comment-form"', 1)[0].rsplit('action="', 1)[1].split('"', 1)[0]
    assert action == f"{post_url(seed_article)}?cpage=2&amp;order=newest"
    response = client.post(action.replace("&amp;", "&"), comment_data())
    comment = Comment.objects.get(user_name="Wang Lei")
    # The newest comment is on the first page when reading newest first.
    assert response.headers["Location"] == f"{SEED_URL}?order=newest#c{comment.pk}"
    errors = client.post(action.replace("&amp;", "&"), comment_data(user_name="A"))
    assert errors.headers["Location"] == f"{SEED_URL}?cpage=2&order=newest#comment-outcome"
