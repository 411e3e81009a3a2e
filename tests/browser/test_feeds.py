"""A feed opened in Chromium: the server's HTML page of the feed, not the XML."""

import pytest

pytestmark = pytest.mark.browser


def test_the_rss_feed_reads_as_a_page(page, page_errors, article, live_server):
    response = page.goto("/feeds/rss/")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Dispatch: latest news"
    link = page.get_by_role("link", name=article.headline)
    assert link.get_attribute("href").endswith(article.get_absolute_url())
    assert page.get_by_text("This is a web feed.").is_visible()
    assert page.get_by_text(article.summary).is_visible()
    # The address to copy into a feed reader, labelled and selectable.
    address = page.get_by_label("copy this address into your feed reader")
    assert address.input_value() == f"{live_server.url}/feeds/rss/"
    # The site's own stylesheet applies (a page like the others, under the same CSP).
    width = page.eval_on_selector("main", "el => getComputedStyle(el).maxWidth")
    assert width != "none"
    link.click()
    assert page.get_by_role("heading", level=1).inner_text() == article.headline
    assert page_errors.all() == []


def test_the_atom_feed_and_a_topic_feed_read_as_pages(page, page_errors, article):
    page.goto("/topics/browser-tests/feeds/atom/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dispatch: Browser tests"
    assert page.get_by_role("link", name=article.headline).is_visible()
    assert page_errors.all() == []


def test_the_footer_leads_to_the_feeds(page, page_errors, article):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="RSS").click()
    page.get_by_role("link", name="RSS 2.0").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dispatch: latest news"
    assert page_errors.all() == []


def test_the_json_feed_reads_as_a_page_too(page, page_errors, article):
    response = page.goto("/feeds/json/")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert page.get_by_role("link", name=article.headline).is_visible()
    assert page_errors.all() == []


def test_a_feed_reader_still_gets_the_feed(page, article):
    """The same address fetched as a feed reader does (a feed type in Accept)."""
    response = page.request.get(
        "/feeds/rss/", headers={"Accept": "application/rss+xml, application/xml;q=0.9"}
    )
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert article.headline in response.text()
    again = page.request.get(
        "/feeds/rss/",
        headers={"Accept": "application/rss+xml", "If-None-Match": response.headers["etag"]},
    )
    assert again.status == 304
