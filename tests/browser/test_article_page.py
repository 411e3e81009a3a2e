"""The article page in Chromium: text size with and without JavaScript, print, CSP, a11y."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

FONT_SIZE_URL = "/preferences/font-size/"
# articles/fontsize.py STEPS in px, with Chromium's default 16px root font size.
PX = {"s": 16.0, "m": 18.0, "l": 21.0}
BUTTON_NAMES = {"smaller": "Smaller text", "default": "Default text size", "larger": "Larger text"}


def body_font_px(page) -> float:
    return page.eval_on_selector(".article-body", "el => parseFloat(getComputedStyle(el).fontSize)")


def font_button(page, step: str):
    return page.get_by_role("button", name=BUTTON_NAMES[step], exact=True)


def pressed(page) -> dict[str, str]:
    return {step: font_button(page, step).get_attribute("aria-pressed") for step in BUTTON_NAMES}


def size_class(page) -> list[str]:
    return [
        name
        for name in page.evaluate("document.documentElement.className").split()
        if name.startswith("fs-")
    ]


def is_font_size_post(response) -> bool:
    return response.url.endswith(FONT_SIZE_URL) and response.request.method == "POST"


def click_and_save(page, step: str):
    """Click a size button with JavaScript on and wait for the fetch that saves it."""
    with page.expect_response(is_font_size_post) as saved:
        font_button(page, step).click()
    response = saved.value
    assert response.status == 200, f"saving the size failed: HTTP {response.status}"
    return response.json()


def fontsize_cookie(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "fontsize"), None)


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {', '.join(node['target'])}: {node['html']}" for node in violation["nodes"]
        )
    return "\n".join(lines)


def test_font_size_changes_at_once_and_is_remembered(page, context, article):
    page.goto(article.get_absolute_url())
    assert body_font_px(page) == PX["m"]
    assert pressed(page) == {"smaller": "false", "default": "true", "larger": "false"}

    # Survives only if the click does not load a new document.
    page.evaluate("window.samePage = true")
    loads = []
    page.on("load", lambda _: loads.append(page.url))

    assert click_and_save(page, "larger") == {"size": "l", "percent": 117}
    assert page.evaluate("window.samePage") is True
    assert loads == []
    assert size_class(page) == ["fs-l"]
    assert body_font_px(page) == PX["l"] > PX["m"]
    assert pressed(page) == {"smaller": "false", "default": "false", "larger": "true"}
    assert page.locator("[data-font-size-status]").inner_text() == "117%"
    assert fontsize_cookie(context) == "l", "the fontsize cookie did not stick"

    page.reload()
    assert size_class(page) == ["fs-l"]  # rendered by the server from the cookie
    assert body_font_px(page) == PX["l"]
    assert pressed(page) == {"smaller": "false", "default": "false", "larger": "true"}

    page.evaluate("window.samePage = true")
    loads.clear()
    click_and_save(page, "default")
    assert body_font_px(page) == PX["m"]
    assert pressed(page) == {"smaller": "false", "default": "true", "larger": "false"}

    click_and_save(page, "smaller")
    assert body_font_px(page) == PX["s"] < PX["m"]
    assert pressed(page) == {"smaller": "true", "default": "false", "larger": "false"}
    assert page.evaluate("window.samePage") is True
    assert loads == []

    page.reload()
    assert body_font_px(page) == PX["s"]
    assert pressed(page) == {"smaller": "true", "default": "false", "larger": "false"}


def test_font_size_works_without_javascript(no_js_context, article, live_server):
    page = no_js_context.new_page()
    url = article.get_absolute_url()
    responses = []
    page.on("response", lambda r: responses.append((r.request.method, r.url, r.status)))
    page.goto(url)
    assert body_font_px(page) == PX["m"]

    with page.expect_navigation(url=live_server.url + url):
        font_button(page, "larger").click()

    assert ("POST", live_server.url + FONT_SIZE_URL, 303) in responses
    assert body_font_px(page) == PX["l"]
    assert pressed(page) == {"smaller": "false", "default": "false", "larger": "true"}
    assert page.locator("[data-font-size-status]").inner_text() == "117%"

    page.reload()
    assert body_font_px(page) == PX["l"]

    # Without JavaScript there is nothing behind the Print button, so it stays hidden.
    assert not page.locator("[data-print]").is_visible()


def test_no_console_errors_or_csp_violations(page, page_errors, article):
    page.goto("/")
    page.get_by_role("link", name=article.headline).click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    for step in ("larger", "larger", "default", "smaller"):
        click_and_save(page, step)
    page.reload(wait_until="networkidle")
    assert page_errors.all() == []


@pytest.mark.parametrize("which", ["home", "article"])
def test_no_accessibility_violations(page, article, which):
    page.goto("/" if which == "home" else article.get_absolute_url())
    # Axe.run injects axe-core with page.evaluate, which the CSP allows (add_script_tag
    # would be refused as an inline script).
    violations = Axe().run(page).response["violations"]
    assert not violations, f"axe-core found on {page.url}:\n{axe_report(violations)}"


def test_print_shows_the_masthead_the_article_and_its_address_only(page, article, live_server):
    url = article.get_absolute_url()
    page.goto(url)
    print_url = page.locator(".print-url")
    assert not print_url.is_visible()

    page.emulate_media(media="print")
    hidden = (
        ".article-tools",
        ".site-nav",
        ".site-footer",
        "nav",
        "form",
        "#add-comment",
        ".comment-rules",
        ".comments",
        ".comment-count-link",
        ".go-to-forum",
        ".skip-link",
    )
    for selector in hidden:
        elements = page.locator(selector).all()
        assert elements, f"no {selector} on the page"
        for element in elements:
            assert not element.is_visible(), f"{selector} is printed"

    assert page.locator(".site-name").inner_text() == "Dispatch"  # the masthead
    assert page.locator(".article-headline").inner_text() == article.headline
    meta = page.locator(".article-meta")
    assert meta.is_visible()
    day = article.publication_date
    assert page.locator(".article-meta time").inner_text() == f"{day:%B} {day.day}, {day.year}"
    assert "By A. Reporter" in meta.inner_text() and "Browser Test Wire" in meta.inner_text()
    assert "Comment" not in meta.inner_text()
    assert page.locator(".article-body").is_visible()
    assert print_url.is_visible()
    assert live_server.url + url in print_url.inner_text()


def test_print_button_appears_with_javascript(page, article):
    # Headless Chromium has no print dialog to wait for; count the calls instead.
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    page.goto(article.get_absolute_url())
    button = page.get_by_role("button", name="Print", exact=True)
    assert button.is_visible()
    button.click()
    assert page.evaluate("window.printed") == 1
