"""The admin's filters by article and by moderator: bounded, and only what the user may see."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from articles.models import Article
from comments import services
from comments.admin import ArticleFilter
from comments.models import Comment

pytestmark = pytest.mark.django_db
QUEUE = "/admin/comments/moderationqueue/"
ALL = "/admin/comments/comment/"
DECISIONS = "/admin/comments/moderationdecision/"


def filters_of(client, url: str) -> str:
    html = client.get(url).content.decode()
    return html.split('id="changelist-filter"', 1)[1].split("</search>", 1)[0]


def test_moderators_never_see_draft_headlines_in_the_article_filter(
    moderator, make_article, make_comment
):
    make_article(headline="Embargoed: minister to resign", status=Article.Status.DRAFT)
    unpublished = make_article(headline="Withdrawn: a retracted story")
    make_comment(article=unpublished, status=Comment.Status.HELD)
    unpublished.status = Article.Status.DRAFT
    unpublished.save()
    live = make_article(headline="Harbour reopens after the storm")
    make_comment(article=live, status=Comment.Status.HELD)
    client = Client()
    client.force_login(moderator)
    for url in (QUEUE, ALL):
        filters = filters_of(client, url)
        assert "Harbour reopens after the storm" in filters
        assert "Embargoed" not in filters and "Withdrawn" not in filters


def test_editors_who_may_read_drafts_see_them_in_the_filter(
    admin_client, make_article, make_comment
):
    draft = make_article(headline="Withdrawn: a retracted story")
    make_comment(article=draft)
    draft.status = Article.Status.DRAFT
    draft.save()
    assert "Withdrawn: a retracted story" in filters_of(admin_client, ALL)


def test_article_filter_lists_only_articles_with_comments_here_and_a_bounded_number(
    admin_client, make_article, make_comment
):
    make_article(headline="Nobody commented on this")
    for n in range(ArticleFilter.LIMIT + 5):
        make_comment(article=make_article(headline=f"Commented story {n}"))
    filters = filters_of(admin_client, ALL)
    assert "Nobody commented on this" not in filters
    assert filters.count("Commented story") == ArticleFilter.LIMIT
    assert "Commented story" not in filters_of(admin_client, QUEUE)  # none is queued


def test_the_article_filter_narrows_the_list(admin_client, make_article, make_comment):
    one, other = make_article(), make_article()
    make_comment(article=one, text="On the first story")
    make_comment(article=other, text="On the second story")
    html = admin_client.get(f"{ALL}?article={one.pk}").content.decode()
    assert "On the first story" in html and "On the second story" not in html
    assert admin_client.get(f"{ALL}?article=nope").status_code == 302  # admin: "?e=1"


def test_moderator_filter_lists_who_decided_not_every_account(
    moderator, admin_client, make_comment
):
    get_user_model().objects.create_user("plain.reader", password="pw")
    get_user_model().objects.create_user("idle.editor", password="pw", is_staff=True)
    comment = make_comment(status=Comment.Status.HELD)
    services.approve(comment=comment, moderator=moderator)
    filters = filters_of(admin_client, DECISIONS)
    assert "mod.one" in filters
    assert "plain.reader" not in filters and "idle.editor" not in filters
    moderator.delete()
    # A deleted account's decisions are still found by name.
    assert "mod.one" in admin_client.get(f"{DECISIONS}?moderator=mod.one").content.decode()
