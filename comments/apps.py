from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments and moderation"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
