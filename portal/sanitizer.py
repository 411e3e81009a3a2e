"""The one place that cleans untrusted HTML: every other module calls these functions."""

from typing import NamedTuple

import bleach
from bleach import html5lib_shim
from bleach.sanitizer import BleachSanitizerFilter
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
# Elements whose content is code, a form control or another document, never the article's
# text: they go with everything inside them (stripping only the tags would publish the
# script's source as a paragraph).
DROPPED_WITH_CONTENTS = frozenset(
    {
        "script", "style", "template", "iframe", "frame", "frameset", "object", "embed",
        "applet", "noscript", "noembed", "noframes", "textarea", "select", "svg", "math",
        "title", "xmp",
    }
)  # fmt: skip

# Parse the whole fragment the way a browser does (every tag kept as an element, so we know
# what a <script> contains); the allow-list is applied to the tree afterwards.
_parser = html5lib_shim.BleachHTMLParser(
    tags=None, strip=True, consume_entities=False, namespaceHTMLElements=False
)
_walker = html5lib_shim.getTreeWalker("etree")
# The serializer options of bleach.Cleaner.
_serializer = html5lib_shim.BleachHTMLSerializer(
    quote_attr_values="always",
    omit_optional_tags=False,
    escape_lt_in_attrs=True,
    resolve_entities=False,
    sanitize=False,
    alphabetical_attributes=False,
)


class SanitizedHtml(NamedTuple):
    html: str
    removed: list[str]  # what went, in words an editor understands, in document order


class _DropContents(html5lib_shim.Filter):
    """Leaves out DROPPED_WITH_CONTENTS elements with everything inside them."""

    def __init__(self, source, removed: list[str]):
        super().__init__(source)
        self.removed = removed

    def __iter__(self):
        depth = 0  # > 0 while inside a dropped element; the tree walk is balanced
        for token in super().__iter__():
            kind, name = token["type"], token.get("name", "").lower()
            if kind == "StartTag" and (depth or name in DROPPED_WITH_CONTENTS):
                if not depth:
                    _note(self.removed, f"<{name}> and its contents")
                depth += 1
            elif kind == "EndTag" and depth:
                depth -= 1
            elif kind == "EmptyTag" and name in DROPPED_WITH_CONTENTS and not depth:
                _note(self.removed, f"<{name}>")
            elif not depth:
                yield token


class _ReportingSanitizer(BleachSanitizerFilter):
    """bleach's allow-list, noting each tag and attribute it leaves out."""

    def __init__(self, source, removed: list[str]):
        super().__init__(
            source,
            allowed_tags=ARTICLE_TAGS,
            attributes=ARTICLE_ATTRIBUTES,
            allowed_protocols=PROTOCOLS,
            strip_disallowed_tags=True,
            strip_html_comments=True,
        )
        self.removed = removed

    def sanitize_token(self, token):
        if token["type"] == "StartTag" and token["name"] not in self.allowed_tags:
            _note(self.removed, f"<{token['name']}> tags (their text is kept)")
            if token["name"] in html5lib_shim.HTML_TAGS_BLOCK_LEVEL:
                # As bleach does: a line break keeps the text of two blocks apart.
                return {"type": "Characters", "data": "\n"}
        elif token["type"] == "EmptyTag" and token["name"] not in self.allowed_tags:
            _note(self.removed, f"<{token['name']}>")
        return super().sanitize_token(token)

    def allow_token(self, token):
        before = list(token.get("data") or {})
        token = super().allow_token(token)
        for namespace, attribute in before:
            if (namespace, attribute) not in token["data"]:
                _note(self.removed, f"the {attribute} attribute of <{token['name']}>")
        return token


def _note(removed: list[str], what: str) -> None:
    if what not in removed:
        removed.append(what)


def sanitize_article_html(html: str) -> SanitizedHtml:
    """Reduce editor HTML to the allow-list, and say what did not fit it."""
    if not html:
        return SanitizedHtml("", [])
    removed: list[str] = []
    tokens = _ReportingSanitizer(
        _DropContents(_walker(_parser.parseFragment(html)), removed), removed
    )
    return SanitizedHtml(_serializer.render(tokens).strip(), removed)


def clean_article_html(html: str) -> str:
    """Reduce editor HTML to the allow-list; anything else is escaped or dropped."""
    return sanitize_article_html(html).html


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
