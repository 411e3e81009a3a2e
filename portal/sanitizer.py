"""The one place that cleans untrusted HTML: every other module calls these functions."""

import bleach

# What an editor may use in an article body. No style, no script, no event handlers.
ARTICLE_TAGS = frozenset(
    {
        "p", "br", "a", "strong", "b", "em", "i", "u", "blockquote", "q", "cite",
        "ul", "ol", "li", "h2", "h3", "h4", "figure", "figcaption", "img",
        "table", "thead", "tbody", "tr", "th", "td", "caption", "sub", "sup", "abbr", "hr",
    }
)  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "width", "height"],
    "abbr": ["title"],
    "th": ["scope", "colspan", "rowspan"],
    "td": ["colspan", "rowspan"],
}
PROTOCOLS = frozenset({"http", "https", "mailto"})


def clean_article_html(html: str) -> str:
    """Reduce editor HTML to the allow-list; anything else is escaped or dropped."""
    return bleach.clean(
        html or "",
        tags=ARTICLE_TAGS,
        attributes=ARTICLE_ATTRIBUTES,
        protocols=PROTOCOLS,
        strip=True,
        strip_comments=True,
    ).strip()
