from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments and moderation"

    def ready(self):
        from django.utils.html import escape

        from comments.display import remembered_name
        from comments.forms import sign_timestamp
        from portal import pagecache

        # A cached article page gets each visitor's own name and form timestamp.
        pagecache.register_filler("comment-name", lambda request: escape(remembered_name(request)))
        pagecache.register_filler("comment-timestamp", lambda request, pk: sign_timestamp(pk))
