from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.sitemaps import SITEMAPS
from portal import views

admin.site.site_header = "Dispatch administration"
admin.site.site_title = "Dispatch admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (e.g. the admin).
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("news-sitemap.xml", views.news_sitemap, name="news-sitemap"),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("", include("newsletter.urls")),
]

# A lost database connection answers 503 (try again), not 500 (portal/errors.py).
handler500 = "portal.errors.server_error"
