"""Site-wide pages: home, robots.txt, the Google News sitemap and a health check."""

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from articles import fontsize
from articles.models import Article
from articles.sitemaps import news_sitemap_articles
from portal import pagecache, shared_cache


@require_safe
def home(request):
    def render_page():
        articles = Article.objects.published().select_related("source")
        page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
        return render(request, "portal/home.html", {"page": page})

    return pagecache.serve(
        request,
        scopes=["articles"],
        vary=[fontsize.from_request(request).name],
        render=render_page,
        query=["page"],
    )


@require_safe
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    news = request.build_absolute_uri(reverse("news-sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /articles/preview/",
        "Disallow: /preferences/",
        f"Sitemap: {sitemap}",
        f"Sitemap: {news}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def news_sitemap(request):
    return render(
        request,
        "portal/news_sitemap.xml",
        {"articles": news_sitemap_articles(), "publication": settings.SITE_NAME},
        content_type="application/xml; charset=utf-8",
    )


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _cache_answers() -> bool:
    try:
        shared_cache.call(cache.get, "healthz")
    except shared_cache.Unavailable:
        return False
    return True


@require_safe
@never_cache
def healthz(request):
    """For the load balancer and monitoring: 503 naming what is down (the database, the
    shared cache). Pages still render without the cache, but rate limits and invalidation
    are then per process. Also the baseline that `make bench` compares pages against."""
    status = {
        "database": "ok" if _database_answers() else "down",
        "cache": "ok" if _cache_answers() else "down",
    }
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (e.g. the admin)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
