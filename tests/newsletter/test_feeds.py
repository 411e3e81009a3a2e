"""The feeds as feed readers see them: parsed by feedparser, checked against the specs."""

import datetime
import html
import json
import re
from html.parser import HTMLParser

import feedparser
import pytest
from django.utils import timezone

from articles.models import Article, Source
from comments.models import Comment
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db

XML_FEEDS = {
    "/feeds/rss/": ("rss20", "application/rss+xml; charset=utf-8"),
    "/feeds/atom/": ("atom10", "application/atom+xml; charset=utf-8"),
    "/topics/china/feeds/rss/": ("rss20", "application/rss+xml; charset=utf-8"),
    "/topics/china/feeds/atom/": ("atom10", "application/atom+xml; charset=utf-8"),
}
SEED_COMMENTS_RSS = SEED_URL + "comments/feed/"
SEED_COMMENTS_ATOM = SEED_URL + "comments/feed/atom/"
RFC_822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse(response):
    assert response.status_code == 200, response.content[:500]
    parsed = feedparser.parse(
        response.content, response_headers={"content-type": response["Content-Type"]}
    )
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def entry_for(parsed, article: Article):
    link = "http://testserver" + article.get_absolute_url()
    matches = [entry for entry in parsed.entries if entry.link == link]
    assert len(matches) == 1, [entry.link for entry in parsed.entries]
    return matches[0]


@pytest.fixture
def comment(seed_article):
    def make(text: str, status=Comment.Status.PUBLISHED, **fields) -> Comment:
        return Comment.objects.create(
            article=seed_article,
            user_name=fields.pop("user_name", "Reader"),
            text=text,
            status=status,
            content_hash="x",
            **fields,
        )

    return make


# --- Validity and completeness -----------------------------------------------------------


@pytest.mark.parametrize("url", XML_FEEDS)
def test_xml_feeds_parse_cleanly_and_every_entry_is_complete(client, url):
    response = client.get(url)
    version, content_type = XML_FEEDS[url]
    assert response["Content-Type"] == content_type
    parsed = parse(response)
    assert parsed.version == version
    assert parsed.feed.title.startswith("Dispatch")
    assert parsed.feed.link.startswith("http://testserver/")
    # Exactly one self link, the feed's own absolute address.
    assert response.content.count(b'rel="self"') == 1
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == ["http://testserver" + url]
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.title
        assert entry.link.startswith("http://testserver/")
        assert entry.id.startswith("tag:testserver,")
        assert entry.published_parsed
        assert entry.summary
        assert entry.content[0].value.startswith("<p>")
        assert entry.author
        assert entry.tags
        if version == "atom10":
            assert entry.updated_parsed


def test_the_seed_article_in_full(client, seed_article):
    parsed = parse(client.get("/feeds/rss/"))
    entry = entry_for(parsed, seed_article)
    assert entry.title == "China-Russia ties at all-time high"
    assert entry.author == "Xinhua"
    assert {tag.term for tag in entry.tags} == {"China", "Russia", "SCO", "Diplomacy"}
    assert "Lavrov" in entry.content[0].value
    assert html.unescape(entry.summary) == seed_article.summary
    assert entry.published_parsed[:3] == (2012, 6, 3)
    assert entry.comments == "http://testserver" + SEED_URL + "#comments"
    assert entry.wfw_commentrss == "http://testserver" + SEED_COMMENTS_RSS


def test_rss_dates_are_rfc_822_and_atom_dates_rfc_3339(client):
    rss = client.get("/feeds/rss/").content.decode()
    pub_dates = re.findall(r"<pubDate>([^<]+)</pubDate>", rss)
    assert pub_dates
    assert all(RFC_822.match(date) for date in pub_dates), pub_dates
    assert RFC_822.match(re.search(r"<lastBuildDate>([^<]+)<", rss).group(1))
    atom = client.get("/feeds/atom/").content.decode()
    atom_dates = re.findall(r"<(?:published|updated)>([^<]+)</", atom)
    assert len(atom_dates) >= 3
    assert all(RFC_3339.match(date) for date in atom_dates), atom_dates


def test_rss_declares_every_namespace_it_uses(client):
    root = client.get("/feeds/rss/").content.decode()
    rss_tag = re.search(r"<rss [^>]*>", root).group(0)
    assert 'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in rss_tag
    assert 'xmlns:atom="http://www.w3.org/2005/Atom"' in rss_tag
    assert 'xmlns:wfw="http://wellformedweb.org/CommentAPI/"' in rss_tag
    assert 'isPermaLink="false"' in root


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
READER_ACCEPT = "application/atom+xml,application/rss+xml,application/xml;q=0.9,*/*;q=0.1"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/feeds/rss/", "Dispatch: latest news"),
        ("/feeds/atom/", "Dispatch: latest news"),
        ("/feeds/json/", "Dispatch: latest news"),
        ("/topics/china/feeds/rss/", "Dispatch: China"),
        (SEED_COMMENTS_RSS, "Comments on “China-Russia ties at all-time high”"),
    ],
)
def test_a_browser_gets_an_html_page_of_the_feed(client, comment, url, title):
    """Not the XML through an XSL stylesheet (Firefox ignores disable-output-escaping,
    Chromium is removing XSLT): a page of our own, with the address to copy."""
    comment("A reader's view on the visit", user_name="Wang Wei")
    response = client.get(url, headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in response["Vary"]
    page = response.content.decode()
    assert page.startswith("<!doctype html>") and "<?xml" not in page
    assert f'<h1 class="h2 mb-1">{html.escape(title, quote=False)}</h1>' in page
    assert "This is a web feed." in page and 'href="/feeds/"' in page
    assert f'id="feed-url" type="url" value="http://testserver{url}" readonly' in page
    if "comments" in url:
        assert "A reader&#x27;s view on the visit" in page and "Wang Wei" in page
        assert re.search(rf'href="http://testserver{SEED_URL}\?from=\d+#c\d+"', page)
    else:
        assert f'href="http://testserver{SEED_URL}">China-Russia ties at all-time high<' in page


def test_markup_in_a_summary_stays_text_on_the_page(client, make_article):
    make_article(summary="AT&T <script>alert(1)</script> <b>bold</b>")
    page = client.get("/feeds/rss/", headers={"accept": BROWSER_ACCEPT}).content.decode()
    assert "AT&amp;T &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/", SEED_COMMENTS_RSS])
def test_feed_readers_keep_the_feed_and_its_304s(client, url):
    """Whatever a reader sends (a feed type, */*, nothing) it gets the feed, with no
    stylesheet; a shared cache keeps the feed and the page apart (Vary: Accept)."""
    feed_type = client.get(url)["Content-Type"]
    assert feed_type.split(";")[0] in {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
    }
    for accept in (READER_ACCEPT, "*/*", None):
        headers = {"accept": accept} if accept else {}
        response = client.get(url, headers=headers)
        assert response["Content-Type"] == feed_type
        assert "Accept" in response["Vary"]
        assert b"xml-stylesheet" not in response.content
        again = client.get(url, headers={**headers, "if-none-match": response["ETag"]})
        assert again.status_code == 304
    # A browser is never answered 304 with what a feed reader cached, nor the reverse.
    etag = client.get(url)["ETag"]
    browser = client.get(url, headers={"accept": BROWSER_ACCEPT, "if-none-match": etag})
    assert browser.status_code == 200 and browser["Content-Type"].startswith("text/html")


# --- Content -----------------------------------------------------------------------------------


def test_full_text_with_every_link_and_image_made_absolute(client, make_article, source):
    article = make_article(
        body=(
            '<p>See <a href="/topics/china/">China</a>, <a href="related/">related</a>, '
            '<a href="https://example.org/x?a=1&amp;b=2">elsewhere</a> and '
            '<a href="#notes">notes</a>.</p>'
            '<figure><img src="/media/photo.jpg" alt="A photo"><figcaption>Photo</figcaption>'
            "</figure>"
        ),
        source=source,
    )
    page = "http://testserver" + article.get_absolute_url()
    for url in ("/feeds/rss/", "/feeds/atom/"):
        content = entry_for(parse(client.get(url)), article).content[0].value
        assert 'href="http://testserver/topics/china/"' in content
        assert f'href="{page}related/"' in content
        assert 'href="https://example.org/x?a=1&amp;b=2"' in content
        assert f'href="{page}#notes"' in content
        assert 'src="http://testserver/media/photo.jpg"' in content
        assert 'href="/' not in content and 'src="/' not in content
    item = next(i for i in client.get("/feeds/json/").json()["items"] if i["url"] == page)
    assert 'src="http://testserver/media/photo.jpg"' in item["content_html"]


def test_credit_is_the_byline_else_the_source(client, make_article):
    wire = Source.objects.create(name="Wire & Co", url="https://wire.example/")
    signed = make_article(byline="Ann Writer", source=wire)
    unsigned = make_article(source=wire)
    for url in ("/feeds/rss/", "/feeds/atom/"):
        parsed = parse(client.get(url))
        assert entry_for(parsed, signed).author == "Ann Writer"
        assert entry_for(parsed, unsigned).author == "Wire & Co"
    rss = client.get("/feeds/rss/").content.decode()
    assert '<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ann Writer</dc:creator>' in rss


def test_an_article_without_a_summary_gets_the_start_of_its_text(client, make_article):
    article = make_article(summary="", body="<p>Only the body speaks here.</p>")
    entry = entry_for(parse(client.get("/feeds/atom/")), article)
    assert entry.summary == "Only the body speaks here."


TRICKY = [
    "Quotes \"double\" & 'single' — AT&T <b>markup</b>",
    "中俄关系处于历史最高水平",
    "Отношения России и Китая — «на высшем уровне»",
    "Fish &amp; chips, literally",
]


@pytest.mark.parametrize("headline", TRICKY)
def test_text_round_trips_without_double_escaping(client, make_article, headline):
    article = make_article(headline=headline, summary=f"Summary: {headline}", slug="tricky")
    atom = entry_for(parse(client.get("/feeds/atom/")), article)
    assert atom.title == headline  # Atom titles are text: exact
    assert html.unescape(atom.summary) == f"Summary: {headline}"  # summaries are HTML
    rss = entry_for(parse(client.get("/feeds/rss/")), article)
    if rss.title_detail.type == "text/html":
        # An RSS title is ambiguous: one that looks like HTML is read as HTML. Escaped
        # once, never twice, it still reads as the headline.
        assert headline in (rss.title, html.unescape(rss.title))
    else:
        assert rss.title == headline
    assert html.unescape(rss.summary) == f"Summary: {headline}"
    item = next(i for i in client.get("/feeds/json/").json()["items"] if i["url"] == rss.link)
    assert item["title"] == headline
    assert item["summary"] == f"Summary: {headline}"


class _Rendered(HTMLParser):
    """What a reader's screen shows for an HTML fragment: its text and its elements."""

    def __init__(self, fragment: str):
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


@pytest.mark.parametrize(
    ("summary", "body"),
    [
        ("AT&T < 3 <b>bold</b> &amp;", "<p>Body.</p>"),
        # No summary: the start of the body stands in, and the body is HTML.
        ("", "<p>AT&amp;T &lt; 3 &lt;b&gt;bold&lt;/b&gt; &amp;amp;</p>"),
    ],
)
def test_summaries_read_as_written_and_never_as_markup(client, make_article, summary, body):
    """A reader sees AT&T and < as such, and markup typed in a summary stays text."""
    article = make_article(summary=summary, body=body)
    expected = "AT&T < 3 <b>bold</b> &amp;"
    for url in ("/feeds/rss/", "/feeds/atom/"):
        entry = entry_for(parse(client.get(url)), article)
        assert entry.summary_detail.type == "text/html", url
        shown = _Rendered(entry.summary)
        assert (shown.text, shown.tags) == (expected, []), url
    page = "http://testserver" + article.get_absolute_url()
    item = next(i for i in client.get("/feeds/json/").json()["items"] if i["url"] == page)
    assert item["summary"] == expected  # JSON Feed summaries are plain text


def test_guid_survives_edits_and_a_new_slug(
    client, make_article, django_capture_on_commit_callbacks
):
    article = make_article(headline="Before")
    before = entry_for(parse(client.get("/feeds/atom/")), article)
    with django_capture_on_commit_callbacks(execute=True):
        article.headline = "After"
        article.slug = "after-the-edit"
        article.body = "<p>Rewritten.</p>"
        article.updated_at = timezone.now()
        article.save()
    after = entry_for(parse(client.get("/feeds/atom/")), article)
    assert after.title == "After"
    assert after.id == before.id
    assert after.link != before.link
    assert re.fullmatch(r"tag:testserver,\d{4}-\d{2}-\d{2}:/articles/\d+", after.id)
    json_item = next(i for i in client.get("/feeds/json/").json()["items"] if i["title"] == "After")
    assert json_item["id"] == before.id


def test_drafts_and_scheduled_articles_are_in_no_feed(client, make_article, make_topic):
    topic = make_topic("Elections")
    live = make_article(headline="Live story", topics=[topic])
    make_article(headline="Draft story", status=Article.Status.DRAFT, topics=[topic])
    make_article(
        headline="Scheduled story",
        published_at=timezone.now() + datetime.timedelta(days=1),
        topics=[topic],
    )
    urls = [
        "/feeds/rss/",
        "/feeds/atom/",
        "/feeds/json/",
        f"/topics/{topic.slug}/feeds/rss/",
        f"/topics/{topic.slug}/feeds/atom/",
        f"/topics/{topic.slug}/feeds/json/",
    ]
    for url in urls:
        content = client.get(url).content.decode()
        assert live.headline in content, url
        assert "Draft story" not in content, url
        assert "Scheduled story" not in content, url


def test_topic_feeds_hold_only_their_topic(client, make_article, make_topic):
    sport = make_topic("Sport")
    match = make_article(headline="The match", topics=[sport])
    make_article(headline="Elsewhere")
    parsed = parse(client.get(f"/topics/{sport.slug}/feeds/atom/"))
    assert [entry.title for entry in parsed.entries] == [match.headline]
    assert parsed.feed.title == "Dispatch: Sport"
    assert parsed.feed.link == f"http://testserver/topics/{sport.slug}/"


@pytest.mark.parametrize(
    "url",
    [
        "/topics/no-such-topic/feeds/rss/",
        "/topics/no-such-topic/feeds/atom/",
        "/topics/no-such-topic/feeds/json/",
        "/2012/06/03/no-such-article/comments/feed/",
        "/2012/06/04/china-russia-ties-at-all-time-high/comments/feed/",
        "/2012/13/45/china-russia-ties-at-all-time-high/comments/feed/",
        "/9999/12/31/china-russia-ties-at-all-time-high/comments/feed/",
        "/9999/12/31/china-russia-ties-at-all-time-high/comments/feed/atom/",
    ],
)
def test_unknown_topics_and_articles_get_a_readable_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


def test_a_draft_has_no_comments_feed(client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=timezone.now())
    day = timezone.localdate(draft.published_at)
    url = f"/{day:%Y/%m/%d}/{draft.slug}/comments/feed/"
    assert client.get(url).status_code == 404


def test_feeds_answer_only_get_and_head(client):
    assert client.post("/feeds/rss/").status_code == 405
    head = client.head("/feeds/rss/")
    assert head.status_code == 200
    assert head["ETag"]


# --- Comments --------------------------------------------------------------------------------


def test_comments_feed_has_only_published_comments_newest_first(client, comment):
    now = timezone.now()
    comment("An early word", created=now - datetime.timedelta(hours=3), user_name="Early")
    comment(
        "A later word with a link https://example.org/",
        created=now - datetime.timedelta(hours=1),
        user_name="Later",
    )
    comment("Held back", status=Comment.Status.HELD)
    comment("Taken down", status=Comment.Status.REMOVED)
    for url in (SEED_COMMENTS_RSS, SEED_COMMENTS_ATOM):
        response = client.get(url)
        parsed = parse(response)
        assert [entry.author for entry in parsed.entries] == ["Later", "Early"]
        assert "Held back" not in response.content.decode()
        assert "Taken down" not in response.content.decode()
        latest = parsed.entries[0]
        assert latest.title == "Comment by Later"
        assert "A later word" in latest.summary
        assert 'href="https://example.org/"' in latest.summary
        assert re.fullmatch(r"http://testserver" + SEED_URL + r"\?from=\d+#c\d+", latest.link)
        assert latest.id.startswith("tag:testserver,")
        assert latest.published_parsed
        assert parsed.feed.title == "Comments on “China-Russia ties at all-time high”"


def test_each_comment_links_to_a_page_that_shows_it(client, comment, settings):
    settings.COMMENTS_PER_PAGE = 2
    now = timezone.now()
    made = [
        comment(f"Comment number {n}", created=now - datetime.timedelta(minutes=10 - n))
        for n in range(5)
    ]
    entries = parse(client.get(SEED_COMMENTS_RSS)).entries
    assert len(entries) == 5
    for entry in entries:
        url = entry.link.removeprefix("http://testserver")
        anchor = url.rsplit("#", 1)[1]
        page = client.get(url).content.decode()
        # The comment is at the top of the page its link opens, whatever its page number.
        assert re.findall(r'<li class="comment" id="(c\d+)"', page)[0] == anchor
    # The oldest comment is on the first page, yet its link opens the page it starts.
    assert entries[-1].link.endswith(f"?from={made[0].pk}#c{made[0].pk}")


# --- JSON Feed -------------------------------------------------------------------------------


def test_json_feed_1_1(client, seed_article):
    response = client.get("/feeds/json/")
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    document = json.loads(response.content)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "Dispatch: latest news"
    assert document["home_page_url"] == "http://testserver/"
    assert document["feed_url"] == "http://testserver/feeds/json/"
    item = document["items"][0]
    assert isinstance(item["id"], str) and item["id"].startswith("tag:testserver,")
    assert item["url"] == "http://testserver" + SEED_URL
    assert item["title"] == seed_article.headline
    assert item["content_html"].startswith("<p>")
    assert item["summary"] == seed_article.summary
    assert datetime.datetime.fromisoformat(item["date_published"]) == seed_article.published_at
    assert RFC_3339.match(item["date_published"])
    assert item["authors"] == [{"name": "Xinhua"}]
    assert set(item["tags"]) == {"China", "Russia", "SCO", "Diplomacy"}


# --- Conditional GET and the cache -------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/", SEED_COMMENTS_RSS])
def test_matching_validators_get_304(client, url):
    first = client.get(url)
    assert first["ETag"].startswith('"') and first["Last-Modified"]
    by_etag = client.get(url, headers={"if-none-match": first["ETag"]})
    assert by_etag.status_code == 304
    assert by_etag["ETag"] == first["ETag"]
    assert by_etag.content == b""
    by_date = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert by_date.status_code == 304
    stale = client.get(url, headers={"if-none-match": '"something-else"'})
    assert stale.status_code == 200


def test_repeat_requests_are_answered_from_the_cache(client, django_assert_num_queries):
    first = client.get("/feeds/rss/")
    with django_assert_num_queries(0):
        again = client.get("/feeds/rss/")
        not_modified = client.get("/feeds/rss/", headers={"if-none-match": first["ETag"]})
    assert again.content == first.content
    assert not_modified.status_code == 304


def test_an_article_edit_changes_the_validators(
    client, make_article, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    article = make_article()
    urls = ["/feeds/rss/", "/feeds/atom/", "/feeds/json/"]
    before = {url: client.get(url) for url in urls}
    time_machine.shift(datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        article.headline = "A corrected headline"
        article.save()
    for url in urls:
        old = before[url]
        response = client.get(url, headers={"if-none-match": old["ETag"]})
        assert response.status_code == 200, url
        assert response["ETag"] != old["ETag"]
        assert response["Last-Modified"] != old["Last-Modified"]
        assert b"A corrected headline" in response.content
        since = client.get(url, headers={"if-modified-since": old["Last-Modified"]})
        assert since.status_code == 200


def test_unpublishing_changes_the_validators(
    client, make_article, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    article = make_article(headline="Soon withdrawn")
    before = client.get("/feeds/rss/")
    time_machine.shift(datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.DRAFT
        article.save()
    response = client.get("/feeds/rss/", headers={"if-modified-since": before["Last-Modified"]})
    assert response.status_code == 200
    assert b"Soon withdrawn" not in response.content


def test_a_new_published_comment_changes_the_comments_feed(
    client, seed_article, comment, admin_user, django_capture_on_commit_callbacks, time_machine
):
    from comments import services

    time_machine.move_to(timezone.now(), tick=False)
    held = comment("Worth approving", status=Comment.Status.HELD)
    before = client.get(SEED_COMMENTS_RSS)
    assert b"Worth approving" not in before.content
    time_machine.shift(datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(comment=held, moderator=admin_user)
    response = client.get(SEED_COMMENTS_RSS, headers={"if-none-match": before["ETag"]})
    assert response.status_code == 200
    assert b"Worth approving" in response.content
    assert response["ETag"] != before["ETag"]
    assert response["Last-Modified"] != before["Last-Modified"]
    since = client.get(SEED_COMMENTS_RSS, headers={"if-modified-since": before["Last-Modified"]})
    assert since.status_code == 200
    # The articles feeds do not depend on comments.
    assert client.get("/feeds/rss/").status_code == 200


# --- Discovery -----------------------------------------------------------------------------


def alternate_links(page: str) -> list[tuple[str, str]]:
    tags = re.findall(r'<link rel="alternate"[^>]*>', page)
    return [
        (re.search(r'type="([^"]+)"', tag).group(1), re.search(r'href="([^"]+)"', tag).group(1))
        for tag in tags
    ]


def test_every_page_points_readers_to_the_site_feeds(client):
    for url in ("/", "/feeds/", "/topics/china/", "/no-such-page/"):
        links = alternate_links(client.get(url).content.decode())
        assert ("application/rss+xml", "/feeds/rss/") in links, url
        assert ("application/atom+xml", "/feeds/atom/") in links, url
        assert ("application/feed+json", "/feeds/json/") in links, url


def test_the_article_page_points_to_its_comments_feed(client):
    links = alternate_links(client.get(SEED_URL).content.decode())
    assert ("application/rss+xml", SEED_COMMENTS_RSS) in links
    assert ("application/atom+xml", SEED_COMMENTS_ATOM) in links
    assert ("application/rss+xml", "/feeds/rss/") in links


def test_the_footer_rss_link_leads_to_the_feeds_page(client):
    home = client.get("/").content.decode()
    assert re.search(r'<a href="/feeds/">RSS</a>', home)
    page = client.get("/feeds/").content.decode()
    for href in ("/feeds/rss/", "/feeds/atom/", "/feeds/json/", "/topics/china/feeds/rss/"):
        assert f'href="{href}"' in page


def test_replies_are_items_of_the_comments_feed_named_as_replies(client, comment, settings):
    settings.COMMENTS_PER_PAGE = 2
    now = timezone.now()
    first = comment("On the SCO", user_name="Wang Lei", created=now - datetime.timedelta(hours=5))
    for n in range(3):
        comment(f"Later comment {n}", created=now - datetime.timedelta(hours=4 - n))
    comment("I agree about the SCO", user_name="Olga", parent=first, created=now)
    held = comment("Held back", user_name="Ivan", parent=first, status=Comment.Status.HELD)
    held_top = comment("A held comment", status=Comment.Status.HELD)
    comment("Under a held comment", parent=held_top)
    hidden_top = comment("Taken down", status=Comment.Status.REMOVED)
    comment("A reply to what was taken down", parent=hidden_top)
    for url in (SEED_COMMENTS_RSS, SEED_COMMENTS_ATOM):
        response = client.get(url)
        parsed = parse(response)
        newest = parsed.entries[0]
        assert newest.title == "Reply by Olga to Wang Lei"
        assert "I agree about the SCO" in newest.summary
        # On the page that starts with the comment it answers.
        reply_id = newest.id.rsplit("/", 1)[1]
        assert newest.link == f"http://testserver{SEED_URL}?from={first.pk}#c{reply_id}"
        body = response.content.decode()
        assert held.text not in body and "Under a held comment" not in body
        assert "taken down" not in body.lower()
    links = [entry.link for entry in parse(client.get(SEED_COMMENTS_RSS)).entries]
    # Every link opens a page that shows its comment.
    for link in links:
        page = client.get(link.removeprefix("http://testserver")).content.decode()
        assert f'id="{link.rsplit("#", 1)[1]}"' in page
