"""sitemap.xml sections, and the articles a Google News sitemap lists."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.utils import timezone

from articles.models import Article, Topic

# Google News only wants articles from the last two days, at most 1,000 of them.
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "published_at", "updated_at", "modified")

    def lastmod(self, article):
        return article.updated_at or article.published_at


class TopicSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return Topic.objects.filter(articles__in=Article.objects.published()).distinct()


def news_sitemap_articles():
    since = timezone.now() - NEWS_WINDOW
    return Article.objects.published().filter(published_at__gte=since)[:NEWS_LIMIT]


SITEMAPS = {"articles": ArticleSitemap, "topics": TopicSitemap}
