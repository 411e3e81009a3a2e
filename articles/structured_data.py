"""schema.org NewsArticle data for an article page, as JSON-LD."""

import json

from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

# The same escapes Django's json_script uses, so no text can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def news_article(article: Article, *, url: str, site_name: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "isAccessibleForFree": True,
        "inLanguage": "en",
        "keywords": [topic.name for topic in article.topics.all()],
    }
    if article.summary:
        data["description"] = article.summary
    if article.publication_date:
        data["datePublished"] = article.publication_date.isoformat()
    if article.updated_at:
        data["dateModified"] = article.updated_at.isoformat()
    if article.byline:
        data["author"] = {"@type": "Person", "name": article.byline}
    elif article.source:
        data["author"] = {"@type": "Organization", "name": article.source.name}
    if article.source and article.source.url:
        data["sourceOrganization"] = {
            "@type": "NewsMediaOrganization",
            "name": article.source.name,
            "url": article.source.url,
        }
    if article.dateline:
        data["dateline"] = article.dateline
    data["publisher"] = {"@type": "Organization", "name": article.publisher or site_name}
    return data


def as_json_ld(data: dict) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return mark_safe(text)  # noqa: S308 - escaped above for a <script> context
