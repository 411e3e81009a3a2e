"""A feed opened in Chromium: a readable page made by the feed's XSL stylesheet."""

import os

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(browser, tmp_path_factory):
    """Another Chromium, from the same Playwright, without its XSLT deprecation banner.
    Chromium now puts a banner with inline styles and an inline event handler into every
    page an XSLT stylesheet makes; the feed's CSP blocks them (the banner shows unstyled),
    and they would hide whether our stylesheet's own output keeps to the CSP, which is
    what these tests check."""
    home = tmp_path_factory.mktemp("chromium-feeds")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    quiet = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--disable-features=GenerateXSLTWarningBanner"],
        env=env,
    )
    yield quiet
    quiet.close()


def test_the_rss_feed_reads_as_a_page(page, page_errors, article):
    response = page.goto("/feeds/rss/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Dispatch: latest news"
    link = page.get_by_role("link", name=article.headline)
    assert link.get_attribute("href").endswith(article.get_absolute_url())
    assert page.get_by_text("This is a web feed.").is_visible()
    assert page.get_by_text(article.summary).is_visible()
    # The page's own stylesheet applied (CSP allows it: same origin, not inline).
    width = page.eval_on_selector(".feed-page", "el => getComputedStyle(el).maxWidth")
    assert width != "none"
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


def test_the_json_feed_shows_as_text_not_a_download(page, page_errors, article):
    response = page.goto("/feeds/json/")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "https://jsonfeed.org/version/1.1" in page.locator("body").inner_text()
    assert page_errors.all() == []
