"""Cached pages show an edit at once: any change to articles, topics or sources makes them
stale (see portal.content_versions)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, Source, Topic
from portal import content_versions


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=Source)
@receiver(m2m_changed, sender=Article.topics.through)
def articles_changed(**kwargs):
    content_versions.bump("articles")
