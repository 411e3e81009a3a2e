"""Articles, their sources and topics, and the story tips readers send in."""

import datetime
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from portal.sanitizer import clean_article_html


class Source(models.Model):
    """The agency an article comes from (e.g. Xinhua)."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and not scheduled for later."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def dated(self, year: int | str, month: int | str, day: int | str):
        """The articles published on this day (in TIME_ZONE, as in their URLs); none for a
        day that cannot exist or has no next day (31 February, 9999-12-31)."""
        try:
            day_start = datetime.datetime(
                int(year), int(month), int(day), tzinfo=timezone.get_current_timezone()
            )
            next_day = day_start + datetime.timedelta(days=1)
        except (ValueError, OverflowError):
            return self.none()
        return self.filter(published_at__gte=day_start, published_at__lt=next_day)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class CommentMode(models.TextChoices):
        OPEN = "open", "Open, post-moderated (clean comments appear at once)"
        PREMODERATED = "premoderated", "Open, pre-moderated (every comment waits for a moderator)"
        CLOSED = "closed", "Closed"

    headline = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    summary = models.TextField(blank=True, help_text="One or two sentences for listings.")
    body = models.TextField(help_text="HTML; cleaned to a safe allow-list when saved.")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    publisher = models.CharField(
        max_length=100, blank=True, help_text="Who carried the story, e.g. China.org.cn."
    )
    byline = models.CharField(max_length=200, blank=True)
    dateline = models.CharField(max_length=100, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Readers see the article from then on."
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the story is substantially revised."
    )
    comment_mode = models.CharField(
        "comments", max_length=12, choices=CommentMode, default=CommentMode.OPEN
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="published_article_has_date",
            )
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.headline)[:255]
        self.body = clean_article_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        day = self.publication_date or timezone.localdate()
        return reverse(
            "articles:detail",
            kwargs={
                "year": f"{day.year:04d}",
                "month": f"{day.month:02d}",
                "day": f"{day.day:02d}",
                "slug": self.slug,
            },
        )

    def clean(self):
        # Forms validate the database constraint before save() could fill in the date, so
        # say on the field what the constraint would only say in its own words.
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            raise ValidationError(
                {"published_at": "A published article needs a publication date and time."}
            )

    @property
    def publication_date(self) -> date | None:
        if self.published_at is None:
            return None
        return timezone.localtime(self.published_at).date()

    @property
    def is_live(self) -> bool:
        """Whether readers can see it now, by the one rule: ArticleQuerySet.published()."""
        return self.pk is not None and type(self).objects.published().filter(pk=self.pk).exists()


class StoryTip(models.Model):
    """ "Send your stories": a reader's tip, kept for the editors."""

    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    story = models.TextField(max_length=5000)
    created = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False, help_text="An editor has read it.")

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name}: {self.story[:60]}"
