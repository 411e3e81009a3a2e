from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("comments/post/<int:article_id>/", views.post_comment, name="post"),
    path("comments/<int:comment_id>/reply/", views.reply, name="reply"),
    path("comments/<int:comment_id>/report/", views.report_comment, name="report"),
    path(
        "comments/<int:comment_id>/report/undo/",
        views.withdraw_report,
        name="withdraw-report",
    ),
]
