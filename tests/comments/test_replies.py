"""One level of replies: where a reply goes, who may be answered, what the article page, the
reply page and the count show, and a fixed number of queries whatever the replies."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment, ModerationDecision
from tests.comments.conftest import form_in, hidden_value, shown_after, timestamp_for
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db

REPLY = "Putin and Xi meet again at the SCO summit; Lavrov has said so for years."
JSON = {"HTTP_ACCEPT": "application/json"}


def post_url(article) -> str:
    return f"/comments/post/{article.pk}/"


def reply_data(article, comment, **overrides) -> dict:
    data = {
        "user_name": "Olga",
        "text": REPLY,
        "website": "",
        "timestamp": timestamp_for(article),
        "reply_to": str(comment.pk),
    }
    data.update(overrides)
    return data


def item_of(html: str, comment: Comment) -> str:
    """The HTML of a comment's <li>, its replies included."""
    start = html.index(f'<li class="comment" id="c{comment.pk}">')
    depth, position = 0, start
    for match in re.compile(r"<(/?)li[ >]").finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = match.end()
            break
    return html[start:position]


# Where a reply goes


def test_a_reply_is_published_under_its_comment_and_the_reader_sent_to_it(
    client, seed_article, make_comment
):
    top = make_comment(user_name="Wang Lei")
    response = client.post(post_url(seed_article), reply_data(seed_article, top))
    reply = Comment.objects.get(parent=top)
    assert reply.status == Comment.Status.PUBLISHED and reply.article == seed_article
    assert response.status_code == 303
    # On the page that starts with the comment it answers.
    assert response.headers["Location"] == f"{SEED_URL}?from={top.pk}#c{reply.pk}"
    html = shown_after(client, response)
    thread = item_of(html, top)
    assert '<ol class="comment-replies list-unstyled" aria-label="Replies to Wang Lei"' in thread
    mine = item_of(html, reply)
    assert "in reply to <a href=" in mine and f'#c{top.pk}">Wang Lei</a>' in mine
    assert "Your comment is published." in mine
    assert "<span data-comment-count>2 comments</span>" in html


def test_a_reply_to_a_reply_joins_the_thread_of_its_top_level_comment(seed_article, make_comment):
    top = make_comment(user_name="Wang Lei")
    first = make_comment(user_name="Olga", parent=top, text="A first reply on the SCO.")
    submitted = services.submit_comment(
        article=seed_article, user_name="Ivan", text=REPLY, reply_to=first.pk
    )
    assert submitted.comment.parent == top


@pytest.mark.parametrize(
    "status", [Comment.Status.HELD, Comment.Status.REMOVED], ids=["held", "removed"]
)
def test_a_hidden_comment_cannot_be_answered_and_the_text_is_kept(
    client, seed_article, make_comment, status
):
    hidden = make_comment(user_name="Hidden", status=status)
    response = client.post(post_url(seed_article), reply_data(seed_article, hidden))
    assert not Comment.objects.filter(parent=hidden).exists()
    # Back on the article, in its own form, to post as a comment.
    assert response.headers["Location"] == f"{SEED_URL}#comment-outcome"
    form = form_in(shown_after(client, response))
    assert "The comment you are replying to is no longer shown" in form
    assert REPLY in form and 'value="Olga"' in form
    assert 'name="reply_to" value=' not in form
    answer = client.post(post_url(seed_article), reply_data(seed_article, hidden), **JSON)
    assert answer.status_code == 409
    data = answer.json()
    assert data["status"] == "invalid" and REPLY in data["form"]
    assert 'name="reply_to" value=' not in data["form"]


def test_a_reply_under_a_removed_comment_cannot_be_answered_either(seed_article, make_comment):
    top = make_comment(status=Comment.Status.REMOVED)
    reply = make_comment(parent=top, text="A reply left alone.")
    with pytest.raises(services.ReplyToHidden):
        services.submit_comment(
            article=seed_article, user_name="Ivan", text=REPLY, reply_to=reply.pk
        )


def test_a_comment_of_another_article_cannot_be_answered(
    client, seed_article, make_comment, make_article
):
    elsewhere = make_comment(article=make_article())
    answer = client.post(post_url(seed_article), reply_data(seed_article, elsewhere), **JSON)
    assert answer.status_code == 400
    assert "not on this article" in answer.json()["form"] and REPLY in answer.json()["form"]
    missing = reply_data(seed_article, elsewhere, reply_to="999999")
    assert client.post(post_url(seed_article), missing, **JSON).status_code == 400
    assert not Comment.objects.filter(parent__isnull=False).exists()


@pytest.mark.parametrize("value", ["abc", "-3", "1" * 40])
def test_a_tampered_reply_field_is_a_clear_error_never_a_500(client, seed_article, value):
    answer = client.post(
        post_url(seed_article), reply_data(seed_article, Comment(pk=1), reply_to=value), **JSON
    )
    assert answer.status_code == 400
    form = answer.json()["form"]
    assert "does not say which comment you are replying to" in form and REPLY in form
    assert Comment.objects.count() == 0


def test_a_reply_is_screened_and_held_like_any_comment(
    client, seed_article, make_comment, django_capture_on_commit_callbacks
):
    Article.objects.filter(pk=seed_article.pk).update(comment_mode="premoderated")
    top = make_comment()
    answer = client.post(post_url(seed_article), reply_data(seed_article, top), **JSON)
    assert answer.status_code == 201
    assert answer.json()["status"] == "held" and answer.json()["parent"] == top.pk
    reply = Comment.objects.get(parent=top)
    assert reply.status == Comment.Status.HELD and reply.review_since is not None
    assert REPLY not in client.get(SEED_URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(comment=reply, moderator=None)
    assert ModerationDecision.objects.get(comment=reply).to_status == "published"
    assert REPLY in item_of(Client().get(SEED_URL).content.decode(), top)


def test_the_answer_for_the_script_places_the_reply_and_counts_it(
    client, seed_article, make_comment
):
    top = make_comment(user_name="Wang Lei")
    answer = client.post(post_url(seed_article), reply_data(seed_article, top), **JSON)
    data = answer.json()
    reply = Comment.objects.get(parent=top)
    assert answer.status_code == 201 and data["status"] == "published"
    assert data["parent"] == top.pk and data["count"] == "2 comments"
    assert f'id="c{reply.pk}"' in data["html"] and "in reply to" in data["html"]
    assert data["url"].endswith(f"#c{reply.pk}")


# What the article page shows


def test_replies_show_oldest_first_under_their_comment_in_either_order(client, make_comment):
    now = timezone.now()
    old = make_comment(user_name="Old Top", created=now - datetime.timedelta(hours=3))
    new = make_comment(user_name="New Top", created=now - datetime.timedelta(hours=2))
    make_comment(user_name="Late Reply", parent=old, created=now - datetime.timedelta(minutes=1))
    make_comment(user_name="Early Reply", parent=old, created=now - datetime.timedelta(hours=1))
    make_comment(user_name="Held Reply", parent=old, status=Comment.Status.HELD)
    for query in ("", "?order=newest"):
        html = client.get(SEED_URL + query).content.decode()
        thread = item_of(html, old)
        assert thread.index(">Early Reply<") < thread.index(">Late Reply<")
        assert "Held Reply" not in html and 'class="comment-replies' not in item_of(html, new)
        assert "<span data-comment-count>4 comments</span>" in html
    newest = client.get(SEED_URL + "?order=newest").content.decode()
    assert newest.index(">New Top<") < newest.index(">Old Top<") < newest.index(">Early Reply<")


def test_every_shown_comment_has_a_reply_link_and_no_per_visitor_form(client, make_comment):
    top = make_comment(user_name="Wang Lei")
    reply = make_comment(user_name="Olga", parent=top)
    html = client.get(SEED_URL).content.decode()
    for comment in (top, reply):
        link = f'href="/comments/{comment.pk}/reply/" data-reply-link'
        assert link in item_of(html, comment)
    # Links, not forms with a token each: replying and reporting are both links.
    assert item_of(html, top).count("<form") == 0
    assert "csrfmiddlewaretoken" not in item_of(html, top)


def test_replies_to_a_removed_comment_are_hidden_with_it_and_not_counted(
    client, make_comment, django_capture_on_commit_callbacks
):
    top = make_comment(user_name="Wang Lei")
    make_comment(user_name="Olga", parent=top, text="Olga's reply on the SCO.")
    assert "<span data-comment-count>2 comments</span>" in client.get(SEED_URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove(comment=top, moderator=None)
    html = Client().get(SEED_URL).content.decode()  # the fragment cache saw the removal
    assert "Olga" not in html and "<span data-comment-count>No comments yet</span>" in html


def test_the_cached_page_shows_a_new_reply_at_once(
    client, seed_article, make_comment, django_capture_on_commit_callbacks
):
    top = make_comment()
    Client().get(SEED_URL)  # cached for every anonymous reader
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(seed_article), reply_data(seed_article, top))
    html = Client().get(SEED_URL).content.decode()
    assert REPLY in html and "<span data-comment-count>2 comments</span>" in html


def test_a_reply_on_a_later_page_sends_the_reader_to_that_page(client, seed_article, settings):
    settings.COMMENTS_PER_PAGE = 2
    start = timezone.now() - datetime.timedelta(hours=1)
    tops = [
        Comment.objects.create(
            article=seed_article,
            user_name=f"Reader {n}",
            text=f"Comment {n}",
            status=Comment.Status.PUBLISHED,
            created=start + datetime.timedelta(minutes=n),
        )
        for n in range(5)
    ]
    response = client.post(post_url(seed_article), reply_data(seed_article, tops[2]))
    reply = Comment.objects.get(parent=tops[2])
    # The page that starts with the comment it answers: found without counting.
    assert response.headers["Location"] == f"{SEED_URL}?from={tops[2].pk}#c{reply.pk}"
    page = client.get(response.headers["Location"]).content.decode()
    assert f'id="c{reply.pk}"' in page and f'id="c{tops[2].pk}"' in page
    assert f'id="c{tops[1].pk}"' not in page


@pytest.mark.parametrize("order", ["", "&order=newest"])
@pytest.mark.parametrize(("comments", "replies"), [(0, 0), (1, 1), (30, 60), (60, 300)])
def test_the_article_page_takes_the_same_queries_whatever_the_replies(
    client, seed_article, django_assert_num_queries, settings, comments, replies, order
):
    settings.COMMENTS_PER_PAGE = 50
    start = timezone.now() - datetime.timedelta(days=1)
    tops = Comment.objects.bulk_create(
        Comment(
            article=seed_article,
            user_name=f"Reader {i}",
            text=f"Comment {i}",
            html=f"<p>Comment {i}</p>",
            status=Comment.Status.PUBLISHED,
            created=start + datetime.timedelta(seconds=i),
        )
        for i in range(comments)
    )
    Comment.objects.bulk_create(
        Comment(
            article=seed_article,
            parent=tops[i % comments],
            user_name=f"Replier {i}",
            text=f"Reply {i}",
            html=f"<p>Reply {i}</p>",
            status=Comment.Status.PUBLISHED,
            created=start + datetime.timedelta(hours=1, seconds=i),
        )
        for i in range(replies)
    )
    # article+source, topics, the count (comments and replies), one page with its replies
    with django_assert_num_queries(4):
        response = client.get(SEED_URL + "?cpage=1" + order)
    html = response.content.decode()
    total = comments + replies
    words = "No comments yet" if not total else f"{total} comment{'s' if total > 1 else ''}"
    assert html.count(f"<span data-comment-count>{words}</span>") == 3
    shown = min(comments, settings.COMMENTS_PER_PAGE)  # every one has as many replies
    assert html.count('class="comment-replies') == (shown if replies else 0)
    assert html.count("in reply to") == (shown * replies // comments if comments else 0)


# The reply page, for readers without JavaScript


def test_the_reply_page_shows_the_comment_and_the_form_that_answers_it(client, make_comment):
    top = make_comment(user_name="Wang Lei", text="The SCO matters to both.")
    html = client.get(f"/comments/{top.pk}/reply/").content.decode()
    assert "<h1" in html and "Reply to Wang Lei" in html
    assert "The SCO matters to both." in html
    form = form_in(html)
    assert hidden_value(form, "reply_to") == str(top.pk)
    assert 'action="/comments/post/' in html and "csrfmiddlewaretoken" not in form
    assert "Racist, abusive and off-topic comments may be removed" in html
    assert '<meta name="robots" content="noindex">' in html


def test_replying_to_a_reply_says_where_the_reply_will_go(client, make_comment):
    top = make_comment(user_name="Wang Lei")
    reply = make_comment(user_name="Olga", parent=top)
    html = client.get(f"/comments/{reply.pk}/reply/").content.decode()
    assert "Replying to Olga. Replies go one level deep: yours will appear under Wang Lei" in html


@pytest.mark.parametrize("status", [Comment.Status.HELD, Comment.Status.REMOVED])
def test_hidden_comments_have_no_reply_page(client, make_comment, status):
    assert client.get(f"/comments/{make_comment(status=status).pk}/reply/").status_code == 404
    assert client.get("/comments/999999/reply/").status_code == 404


def test_a_closed_article_takes_no_replies(client, seed_article, make_comment):
    top = make_comment()
    Article.objects.filter(pk=seed_article.pk).update(comment_mode="closed")
    page = client.get(f"/comments/{top.pk}/reply/")
    assert page.status_code == 403 and "Comments are closed" in page.content.decode()
    assert "data-reply-link" not in Client().get(SEED_URL).content.decode()


def test_an_error_on_the_reply_page_comes_back_there_with_the_text(
    client, seed_article, make_comment
):
    top = make_comment(user_name="Wang Lei")
    response = client.post(post_url(seed_article), reply_data(seed_article, top, user_name="A"))
    assert response.headers["Location"] == f"/comments/{top.pk}/reply/#comment-outcome"
    form = form_in(shown_after(client, response))
    assert "at least 2 characters" in form and REPLY in form
    assert hidden_value(form, "reply_to") == str(top.pk)
    # Sent again from there: published under the comment.
    data = reply_data(seed_article, top, user_name="Olga Petrova")
    data["timestamp"] = timestamp_for(seed_article)
    response = client.post(post_url(seed_article), data)
    assert Comment.objects.get(parent=top).user_name == "Olga Petrova"
