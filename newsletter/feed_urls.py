"""URLs of the feeds (RSS, Atom, JSON Feed) and of the page that lists them."""

from django.urls import path, re_path

from newsletter import feed_views

ARTICLE = r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-a-zA-Z0-9_]+)"

urlpatterns = [
    path("feeds/", feed_views.index, name="feeds"),
    path("feeds/rss/", feed_views.rss, name="rss"),
    path("feeds/atom/", feed_views.atom, name="atom"),
    path("feeds/json/", feed_views.json_feed, name="json"),
    path("topics/<slug:slug>/feeds/rss/", feed_views.rss, name="topic-rss"),
    path("topics/<slug:slug>/feeds/atom/", feed_views.atom, name="topic-atom"),
    path("topics/<slug:slug>/feeds/json/", feed_views.json_feed, name="topic-json"),
    re_path(ARTICLE + r"/comments/feed/$", feed_views.comments_rss, name="comments-rss"),
    re_path(ARTICLE + r"/comments/feed/atom/$", feed_views.comments_atom, name="comments-atom"),
]
