"""The content-version scopes of the articles app's pages (see portal.content_versions). Other apps
whose content an article page shows (its comments) bump the article's scope when that
content changes, so this app need not know them."""


def article_page_scope(slug: str) -> str:
    """The scope of the page (and feeds) of the article with `slug`."""
    return f"article:{slug}"
