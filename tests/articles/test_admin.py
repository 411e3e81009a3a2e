"""Editors work in the Django admin: articles with preview links, and story tips."""

import pytest

from articles.models import Article, StoryTip

pytestmark = pytest.mark.django_db


def test_article_changelist_lists_searches_and_filters(admin_client, make_article):
    make_article(headline="Pipeline deal signed", status=Article.Status.DRAFT, published_at=None)
    html = admin_client.get("/admin/articles/article/").content.decode()
    assert "China-Russia ties at all-time high" in html and "Pipeline deal signed" in html
    found = admin_client.get("/admin/articles/article/?q=pipeline").content.decode()
    assert "Pipeline deal signed" in found and "China-Russia ties" not in found
    drafts = admin_client.get("/admin/articles/article/?status__exact=draft").content.decode()
    assert "Pipeline deal signed" in drafts and "China-Russia ties" not in drafts


def test_article_change_form_has_a_preview_link(admin_client):
    article = Article.objects.get(slug="china-russia-ties-at-all-time-high")
    html = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert f'href="/articles/preview/{article.pk}/"' in html


def article_form(**overrides) -> dict:
    data = {
        "headline": "New story",
        "slug": "new-story",
        "summary": "",
        "body": "<p>Safe</p>",
        "publisher": "",
        "byline": "",
        "dateline": "",
        "status": "published",
        "published_at_0": "2026-01-02",
        "published_at_1": "10:00:00",
        "comment_mode": "open",
    }
    data.update(overrides)
    return data


def test_publishing_without_a_date_asks_for_one_on_the_field(admin_client):
    response = admin_client.post(
        "/admin/articles/article/add/", article_form(published_at_0="", published_at_1="")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"published_at": ["A published article needs a publication date and time."]}
    assert "Constraint" not in response.content.decode()
    assert not Article.objects.filter(slug="new-story").exists()


def test_editor_is_told_what_the_sanitizer_removed(admin_client):
    response = admin_client.post(
        "/admin/articles/article/add/",
        article_form(body='<p onclick="steal()">Safe</p><script>alert(1)</script>'),
        follow=True,
    )
    article = Article.objects.get(slug="new-story")
    assert article.body == "<p>Safe</p>"
    assert article.get_absolute_url() == "/2026/01/02/new-story/"
    warnings = [m.message for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        "Removed from the body, which allows no scripts, styles or event handlers: "
        "the onclick attribute of <p>, <script> and its contents."
    ]


def test_a_clean_body_saves_without_a_warning(admin_client):
    response = admin_client.post("/admin/articles/article/add/", article_form(), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_editors_read_story_tips_but_cannot_invent_them(admin_client):
    tip = StoryTip.objects.create(name="Li", email="li@example.com", story="Bridge closed")
    html = admin_client.get("/admin/articles/storytip/").content.decode()
    assert "Bridge closed" in html
    assert admin_client.get("/admin/articles/storytip/add/").status_code == 403
    admin_client.post(
        "/admin/articles/storytip/",
        {"action": "mark_read", "_selected_action": [tip.pk]},
    )
    tip.refresh_from_db()
    assert tip.read is True


def test_anonymous_users_cannot_reach_the_admin(client):
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")
