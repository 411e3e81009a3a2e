from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Feeds and newsletter"

    def ready(self):
        from newsletter import checks  # noqa: F401  (registers the deploy checks)
