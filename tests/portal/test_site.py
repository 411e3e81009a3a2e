"""Site-wide pages: robots.txt, sitemaps, health, error pages."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone

from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def test_robots_txt_points_to_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Sitemap: http://testserver/news-sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_sitemap_lists_published_articles_and_topics(client, make_article):
    draft = make_article(status="draft")
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locs = [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
    assert "http://testserver" + SEED_URL in locs
    assert "http://testserver/topics/sco/" in locs
    assert not any(draft.slug in loc for loc in locs)
    seed = next(
        u for u in root.findall("s:url", SITEMAP_NS) if SEED_URL in u.find("s:loc", SITEMAP_NS).text
    )
    assert seed.find("s:lastmod", SITEMAP_NS).text == "2012-06-03"


def test_news_sitemap_lists_only_the_last_two_days(client, make_article):
    fresh = make_article(
        headline="Fresh & new", published_at=timezone.now() - datetime.timedelta(hours=3)
    )
    make_article(headline="Stale", published_at=timezone.now() - datetime.timedelta(days=3))
    response = client.get("/news-sitemap.xml")
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    urls = root.findall("s:url", SITEMAP_NS)
    assert [u.find("s:loc", SITEMAP_NS).text for u in urls] == [
        "http://testserver" + fresh.get_absolute_url()
    ]
    news = urls[0].find("news:news", SITEMAP_NS)
    assert news.find("news:title", SITEMAP_NS).text == "Fresh & new"
    assert news.find("news:publication/news:name", SITEMAP_NS).text == "Dispatch"
    assert news.find("news:publication/news:language", SITEMAP_NS).text == "en"


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].startswith("/static/favicon")


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_friendly():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/", SEED_URL, "/topics/sco/", "/robots.txt", "/sitemap.xml", "/feeds/", "/healthz"]
)
def test_head_requests_are_answered_like_get(client, path):
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
