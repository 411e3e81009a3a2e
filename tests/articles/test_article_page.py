"""The article page as a reader (and a search engine or social network) receives it."""

import datetime
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects <meta>, <link> and JSON-LD from a page."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def parse(response) -> HeadParser:
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def test_article_page_shows_headline_source_date_and_body(client):
    response = client.get(SEED_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "China-Russia ties at all-time high</h1>" in html
    assert '<span class="article-source">Xinhua</span>' in html
    assert '<time datetime="2012-06-03">June 3, 2012</time>' in html
    assert "Published by China.org.cn" in html
    assert "Lavrov told Xinhua in a written interview." in html
    assert "<title>China-Russia ties at all-time high | Dispatch</title>" in html


def test_article_page_carries_canonical_open_graph_twitter_and_json_ld(client):
    response = client.get(SEED_URL)
    head = parse(response)
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == ["http://testserver" + SEED_URL]
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == ["China-Russia ties at all-time high"]
    assert head.meta["og:url"] == ["http://testserver" + SEED_URL]
    assert head.meta["og:description"][0].startswith("Relations between Russia and China")
    assert head.meta["article:published_time"] == ["2012-06-03"]
    assert sorted(head.meta["article:tag"]) == ["China", "Diplomacy", "Russia", "SCO"]
    assert head.meta["twitter:card"] == ["summary"]
    assert head.meta["twitter:title"] == ["China-Russia ties at all-time high"]

    (ld_text,) = head.json_ld
    data = json.loads(ld_text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "China-Russia ties at all-time high"
    assert data["datePublished"] == "2012-06-03"
    assert data["author"] == {"@type": "Organization", "name": "Xinhua"}
    assert data["publisher"]["name"] == "China.org.cn"
    assert data["mainEntityOfPage"]["@id"] == "http://testserver" + SEED_URL
    assert "dateModified" not in data  # the original gives no update time


def test_json_ld_cannot_be_broken_out_of(client, make_article):
    article = make_article(headline="</script><script>alert(1)</script> & more")
    html = client.get(article.get_absolute_url()).content.decode()
    ld = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in ld and ">" not in ld
    assert json.loads(ld)["headline"] == "</script><script>alert(1)</script> & more"
    assert "<script>alert(1)</script>" not in html


def test_email_link_is_a_mailto_with_subject_and_article_url(client):
    html = client.get(SEED_URL).content.decode()
    (href,) = re.findall(r'href="(mailto:[^"]+)"', html)
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert query["subject"] == ["China-Russia ties at all-time high"]
    assert "http://testserver" + SEED_URL in query["body"][0]


def test_share_offers_plain_links_and_a_web_share_button(client):
    html = client.get(SEED_URL).content.decode()
    assert "data-share " in html  # enhanced by site.js where navigator.share exists
    links = re.findall(r'href="(https://[^"]+)"[^>]*target="_blank"', html)
    hosts = {urlsplit(link).hostname for link in links}
    assert {"www.facebook.com", "x.com", "www.linkedin.com", "service.weibo.com"} <= hosts
    for link in links:
        assert "http://testserver" + SEED_URL in unquote(link.replace("&amp;", "&"))


def test_font_size_controls_are_buttons_in_a_post_form(client):
    html = client.get(SEED_URL).content.decode()
    form = html.split('<form class="font-size', 1)[1].split("</form>", 1)[0]
    assert 'method="post"' in form and 'action="/preferences/font-size/"' in form
    # No token: the page is a shared cache's copy; the view checks the origin instead.
    assert "csrfmiddlewaretoken" not in form
    assert form.count('<button type="submit" name="size"') == 3
    assert ">A−<" in form and ">A<" in form and ">A+<" in form
    assert 'aria-pressed="true"' in form


def test_print_stylesheet_is_linked_for_print_media(client):
    html = client.get(SEED_URL).content.decode()
    assert re.search(
        r'<link rel="stylesheet" href="/static/css/print[^"]*\.css" media="print">', html
    )
    assert 'class="print-only print-url">http://testserver' + SEED_URL in html


@pytest.mark.parametrize("topic_count", [0, 1, 12])
def test_article_page_query_count_does_not_depend_on_topics(
    client, make_article, make_topic, django_assert_num_queries, topic_count
):
    article = make_article(topics=[make_topic() for _ in range(topic_count)])
    # The article with its source, its topics, the comment count and a page of comments.
    with django_assert_num_queries(4):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="list-inline-item"><a href="/topics/') == (
        topic_count
    )


def test_drafts_and_scheduled_articles_are_invisible_to_readers(client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + datetime.timedelta(days=1))
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404
    home = client.get("/").content.decode()
    assert draft.headline not in home and scheduled.headline not in home
    assert client.get("/sitemap.xml").content.decode().count(draft.slug) == 0


def test_wrong_date_in_url_is_not_found(client):
    assert client.get("/2012/06/04/china-russia-ties-at-all-time-high/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/2012/13/03/china-russia-ties-at-all-time-high/",
        "/2012/02/30/china-russia-ties-at-all-time-high/",
        "/2012/00/00/china-russia-ties-at-all-time-high/",
        "/0000/06/03/china-russia-ties-at-all-time-high/",
        "/2012/6/3/china-russia-ties-at-all-time-high/",
        "/2012/06/03/no-such-article/",
        "/9999/12/31/china-russia-ties-at-all-time-high/",
        "/no/such/page/",
    ],
)
def test_malformed_or_unknown_urls_get_a_friendly_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_article_page_refuses_post(client):
    assert client.post(SEED_URL).status_code == 405


def test_staff_preview_shows_drafts_and_readers_cannot_use_it(client, admin_client, make_article):
    draft = make_article(
        status=Article.Status.DRAFT, published_at=None, headline="Work in progress"
    )
    url = f"/articles/preview/{draft.pk}/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Work in progress" in response.content.decode()
    assert "readers cannot see this draft yet" in response.content.decode()
    assert response.headers["X-Robots-Tag"] == "noindex"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous.headers["Location"]


def test_moderators_cannot_preview_embargoed_drafts(client, django_user_model, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None, headline="Embargoed")
    moderator = django_user_model.objects.create_user("mod", password="x", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    response = client.get(f"/articles/preview/{draft.pk}/")
    assert response.status_code == 403
    assert "Embargoed" not in response.content.decode()


def test_article_body_is_sanitized_on_save(make_article):
    article = make_article(
        body='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">a</a></p>'
        '<iframe src="https://evil.example"></iframe><p style="color:red">b</p>'
    )
    assert "script" not in article.body
    assert "onclick" not in article.body and "javascript:" not in article.body
    assert "iframe" not in article.body and "style=" not in article.body
    assert article.body.startswith("<p>Hi ")
