"""Site-wide pages: home, robots.txt, the Google News sitemap and a health check."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from articles import fontsize
from articles.models import Article
from articles.sitemaps import news_sitemap_articles
from portal import pagecache

ARTICLES_PER_PAGE = 20


@require_safe
def home(request):
    def render_page():
        articles = Article.objects.published().select_related("source")
        page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
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


@require_safe
def healthz(request):
    """The smallest Django view: the baseline that `make bench` compares pages against."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (e.g. the admin)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
