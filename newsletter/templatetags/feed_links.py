"""Template tags for feed links: `{% comments_feed_url article "atom" %}`."""

from django import template

from newsletter.feeds import comments_feed_url as _comments_feed_url

register = template.Library()


@register.simple_tag
def comments_feed_url(article, kind: str = "rss") -> str:
    """The address of the article's comments feed; empty while it has no publication date."""
    if article.publication_date is None:
        return ""
    return _comments_feed_url(article, kind)
