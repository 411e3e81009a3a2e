"""The one place that cleans untrusted HTML: every other module calls these functions."""

import bleach
from django.utils.html import escape

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


COMMENT_LINK_REL = "nofollow ugc noopener"


def _comment_link_attributes(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href.startswith(("http://", "https://", "mailto:")):
        return None  # bleach drops the link and keeps its text
    attrs[(None, "rel")] = COMMENT_LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


def render_comment_text(text: str) -> str:
    """A reader's plain text as HTML: escaped, paragraphs and line breaks, and web
    addresses made into links that search engines and the linked pages are told not to
    trust."""
    paragraphs = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    html = "".join(
        "<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p
    )
    linked = bleach.linkify(html, callbacks=[_comment_link_attributes], parse_email=False)
    return bleach.clean(
        linked, tags={"p", "br", "a"}, attributes={"a": ["href", "rel"]}, protocols=PROTOCOLS
    )
