"""Site-wide pages: home, robots.txt, the Google News sitemap and a health check."""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import (
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.sitemaps import news_sitemap_articles
from portal import health
from portal.http_cache import shared


@require_safe
@shared
def home(request):
    articles = Article.objects.published().select_related("source")
    page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/home.html", {"page": page})


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


@csrf_exempt  # so a POST is told 405, not refused for a missing token
@never_cache
def healthz(request):
    """For the load balancer and monitoring (portal/health.py): 200 when the database, the
    shared cache and the task queue all answer, 503 naming those that do not, each with the
    time its check took.
    HealthCheckMiddleware answers it ahead of the host check, sessions and CSRF."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(
            ["GET", "HEAD"],
            content=json.dumps({"error": f"/healthz takes GET or HEAD, not {request.method}."}),
            content_type="application/json",
        )
    report = health.run_checks()
    return JsonResponse(report.as_dict(), status=200 if report.healthy else 503)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (e.g. the admin)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
