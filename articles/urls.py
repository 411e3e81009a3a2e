from django.urls import path, re_path

from articles import views

app_name = "articles"

urlpatterns = [
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-a-zA-Z0-9_]+)/$",
        views.article_detail,
        name="detail",
    ),
    path("articles/preview/<int:pk>/", views.article_preview, name="preview"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("preferences/font-size/", views.set_font_size, name="font-size"),
    path("send-your-stories/", views.send_story, name="send-story"),
]
