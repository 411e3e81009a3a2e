"""Fixtures for the browser tests: Debian's Chromium through Playwright, and a test article."""

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import sync_playwright

from articles.models import Article, Source, Topic

# Playwright cannot download its own browser on these machines (see TOOLING.md).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Runs before any page script, so a CSP violation is reported even when it happens
# while the page is still loading; the binding survives navigations and reloads.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
      + ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: run `make browser` "
            "(or apt-get install chromium).",
            pytrace=False,
        )
    # Chromium writes to ~/.config and ~/.cache even with a throwaway profile.
    home = tmp_path_factory.mktemp("chromium")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=env
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    yield context
    context.close()


@pytest.fixture
def no_js_context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    yield context
    context.close()


@dataclass
class PageErrors:
    """What went wrong on the page, as a reader's developer tools would show it."""

    console: list[str] = field(default_factory=list)
    uncaught: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return (
            [f"console: {m}" for m in self.console]
            + [f"uncaught: {m}" for m in self.uncaught]
            + [f"CSP: {m}" for m in self.csp]
        )


@pytest.fixture
def page_errors():
    return PageErrors()


@pytest.fixture
def page(context, page_errors):
    page = context.new_page()

    def on_console(message):
        if message.type == "error":
            page_errors.console.append(f"{message.text} ({message.location.get('url')})")

    def on_csp_violation(description):
        page_errors.csp.append(description)

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_errors.uncaught.append(str(error)))
    page.expose_function("reportCspViolation", on_csp_violation)
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    yield page
    page.close()


@pytest.fixture
def article(transactional_db):
    source = Source.objects.create(name="Browser Test Wire", url="https://wire.example/")
    topic = Topic.objects.create(name="Browser tests", slug="browser-tests")
    paragraphs = [
        "The city council voted on Tuesday to extend the night bus network to the suburbs.",
        "Three new lines will run every twenty minutes between midnight and five o'clock.",
        "Residents had asked for the service for years, the transport committee said.",
        "The first buses are expected to run in the spring, once drivers have been hired.",
    ]
    article = Article.objects.create(
        headline="Night buses reach the suburbs",
        slug="night-buses-reach-the-suburbs",
        summary="Three new night lines will link the suburbs with the centre.",
        body="".join(f"<p>{text}</p>" for text in paragraphs),
        source=source,
        byline="A. Reporter",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    article.topics.add(topic)
    return article


@pytest.fixture
def screening_without_the_model(settings):
    """The screening with its exact rules only. The model learned from comments written for
    the seed article; tests about the comment form on the test article (night buses) should
    not depend on how it judges that article's comments."""
    settings.COMMENT_SCREENING_CHECKS = [
        check
        for check in settings.COMMENT_SCREENING_CHECKS
        if not check["NAME"].endswith(".ModelCheck")
    ]
