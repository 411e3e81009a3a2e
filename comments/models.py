"""Readers' comments, the commenters who write them, the reports readers file, and the
moderators' recorded decisions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models import Article
from portal.sanitizer import render_comment_text


class Commenter(models.Model):
    """A commenter: the name they write under plus a keyed fingerprint of their browser
    (comments.commenters). Moderators ban or trust a commenter; never edited otherwise."""

    class Standing(models.TextChoices):
        REGULAR = "regular", "Regular"
        BANNED = "banned", "Banned"
        TRUSTED = "trusted", "Trusted"

    name = models.CharField(max_length=50)
    # A keyed hash of a random id kept in the browser's cookie: tells apart readers who
    # share one address, and reveals nothing about them.
    fingerprint = models.CharField(max_length=64, editable=False)
    standing = models.CharField(max_length=10, choices=Standing, default=Standing.REGULAR)
    created = models.DateTimeField("first seen", default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint", "name"], name="one_commenter_per_name")
        ]
        indexes = [models.Index(fields=["standing", "name"], name="commenter_standing_idx")]
        permissions = [("moderate_commenter", "Can ban and trust commenters")]

    def __str__(self):
        return f"{self.name} ({self.fingerprint[:8]})"


class CommentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Comment.Status.PUBLISHED)

    def visible(self):
        """What readers see: published comments, and published replies under a published
        comment (a reply whose comment was held or removed is hidden with it)."""
        return self.published().filter(
            models.Q(parent__isnull=True) | models.Q(parent__status=Comment.Status.PUBLISHED)
        )

    def top_level(self):
        return self.filter(parent__isnull=True)

    def needs_review(self):
        """The moderators' queue: held comments, and published ones readers reported."""
        return self.filter(review_since__isnull=False)


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        HELD = "held", "Held for review"
        REMOVED = "removed", "Removed"

    class Screened(models.TextChoices):
        PUBLISH = "publish", "Publish"
        HOLD = "hold", "Hold"
        REMOVE = "remove", "Remove"

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="comments")
    # Empty on comments stored before commenters were recorded.
    commenter = models.ForeignKey(
        Commenter, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    # One level of replies: a reply's parent is always a top-level comment of the same
    # article (services.reply_parent). Indexed with status and time by comment_replies_idx.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        db_index=False,
    )
    user_name = models.CharField(max_length=50)
    text = models.TextField()
    html = models.TextField(editable=False, help_text="The text as rendered, made safe.")
    status = models.CharField(max_length=10, choices=Status, default=Status.HELD)
    screening = models.CharField(
        "screening verdict", max_length=10, choices=Screened, default=Screened.PUBLISH
    )
    screening_reasons = models.JSONField(default=list, blank=True)
    screening_score = models.FloatField(default=0.0)
    screening_model = models.CharField(
        "screening model",
        max_length=40,
        blank=True,
        editable=False,
        help_text="Version of the learned model that screened the comment.",
    )
    # The codes of screening_reasons as an object's keys ({"insult": true}), so the admin
    # filters with has_key, which every database supports (JSON `contains` is not on SQLite).
    reason_codes = models.JSONField(
        default=dict, blank=True, editable=False, help_text="The screening's reason codes."
    )
    report_count = models.PositiveIntegerField(default=0)
    # Reports weighed by who sent them (services.report); enough of it holds the comment.
    report_weight = models.PositiveIntegerField(default=0, editable=False)
    # A hash of the client's address: enough to rate-limit and count reports, not to track.
    # Blanked after COMMENT_CLIENT_KEY_DAYS (manage.py clear_client_keys).
    client_key = models.CharField(max_length=64, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, editable=False, db_index=True)
    # The random nonce of the form it was sent from: one form makes one comment.
    idempotency_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Article, name and text in one hash, held by the newest such comment within
    # services.DUPLICATE_WINDOW: the same comment sent twice at once is stored once.
    duplicate_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    created = models.DateTimeField(default=timezone.now)
    status_changed = models.DateTimeField(null=True, blank=True)
    # When the comment entered the moderators' queue (held, or reported while published);
    # empty when it needs no review. Set by comments.services (queue_since), the one place
    # that decides it; indexed so the queue is a range scan.
    review_since = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            models.Index(
                fields=["article", "status", "created"], name="comment_article_status_idx"
            ),
            # The article page: one page of top-level comments, then their replies.
            models.Index(
                fields=["article", "status", "created", "id"],
                condition=models.Q(parent__isnull=True),
                name="comment_top_level_idx",
            ),
            models.Index(fields=["parent", "status", "created"], name="comment_replies_idx"),
            models.Index(fields=["status", "created"], name="comment_status_created_idx"),
            models.Index(fields=["created"], name="comment_created_idx"),
            models.Index(fields=["review_since", "id"], name="comment_review_queue_idx"),
            # The workspace's Held tab, oldest first: a range of the held part of the queue.
            models.Index(
                fields=["status", "review_since", "id"],
                condition=models.Q(review_since__isnull=False),
                name="comment_held_queue_idx",
            ),
            models.Index(fields=["client_key", "status"], name="comment_client_idx"),
            # The admin queue's article filter: which articles have comments in the queue.
            models.Index(
                fields=["article", "review_since"],
                condition=models.Q(review_since__isnull=False),
                name="comment_article_queue_idx",
            ),
            # The Reported tab of the workspace: a range of the reported part of the queue.
            models.Index(
                fields=["review_since", "id"],
                condition=models.Q(review_since__isnull=False, report_count__gt=0),
                name="comment_reported_queue_idx",
            ),
            # A workspace card's history of the same name and of the same client, newest
            # first (comments.workspace._history): the start of a range, in its order.
            models.Index(fields=["user_name", "created", "id"], name="comment_name_history_idx"),
            models.Index(fields=["client_key", "created", "id"], name="comment_client_history_idx"),
            # The comments feed's Last-Modified: the newest status change on one article.
            models.Index(
                fields=["article", "status_changed"],
                condition=models.Q(status_changed__isnull=False),
                name="comment_article_changed_idx",
            ),
        ]
        permissions = [("moderate_comment", "Can approve, remove and restore comments")]

    def __str__(self):
        return f"{self.user_name}: {self.text[:60]}"

    def save(self, *args, **kwargs):
        self.html = render_comment_text(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The page that starts with it, or with the comment it replies to (comments.pages).
        return f"{self.article.get_absolute_url()}?from={self.parent_id or self.pk}#c{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None


class CommentTally(models.Model):
    """How many comments readers see under an article, replies included, and how many of
    those are top-level: kept by comments.tallies with every change, so that a page never
    counts an article's million comments. No row means "not known": the next reader counts
    once and stores it."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="comment_tally"
    )
    shown = models.PositiveIntegerField(default=0)
    top_level = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.shown} comments ({self.top_level} top-level) on article {self.article_id}"


class ModerationQueue(Comment):
    """The same comments, seen as the moderators' queue in the admin."""

    class Meta:
        proxy = True
        verbose_name = "comment awaiting review"
        verbose_name_plural = "moderation queue"


class ModerationDecision(models.Model):
    """Who changed a comment's status or a commenter's standing, how, why and when. Never
    edited, never deleted."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approve"
        REMOVE_ABUSIVE = "remove_abusive", "Remove as abusive"
        REMOVE_HATE = "remove_hate", "Remove as hateful"
        REMOVE_OFF_TOPIC = "remove_off_topic", "Remove as off-topic"
        REMOVE_SPAM = "remove_spam", "Remove as spam"
        HOLD_REPORTED = "hold_reported", "Hold after reader reports"
        BAN = "ban", "Ban the commenter"
        UNBAN = "unban", "Lift the commenter's ban"
        TRUST = "trust", "Trust the commenter"
        UNTRUST = "untrust", "Stop trusting the commenter"
        HOLD = "hold", "Hold for review"
        # Puts back what an earlier decision changed (services.undo); that decision stays.
        UNDO = "undo", "Undo an earlier decision"

    # A decision is about a comment, a commenter, or both (a ban from a comment's card).
    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    commenter = models.ForeignKey(
        Commenter, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_decisions",
        help_text="Empty when the portal decided by itself, or the account was deleted.",
    )
    # Kept when the account is deleted, so the record still says who acted.
    moderator_name = models.CharField(
        max_length=150, blank=True, help_text="Empty when the portal decided by itself."
    )
    action = models.CharField(max_length=20, choices=Action)
    # The comment's status before and after; empty when the decision left it as it was.
    from_status = models.CharField(max_length=10, choices=Comment.Status, blank=True)
    to_status = models.CharField(max_length=10, choices=Comment.Status, blank=True)
    # The commenter's standing before and after, for bans and trust.
    from_standing = models.CharField(max_length=10, choices=Commenter.Standing, blank=True)
    to_standing = models.CharField(max_length=10, choices=Commenter.Standing, blank=True)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comment__isnull=False) | models.Q(commenter__isnull=False),
                name="decision_about_something",
            )
        ]

    def __str__(self):
        who = self.moderator_name or "the portal"
        return f"{self.get_action_display()} by {who}"


class Flag(models.Model):
    """A reader's report of a comment, with their reason; one per client and comment. A
    report the reader withdraws (services.withdraw_report) keeps its row, marked withdrawn."""

    class Reason(models.TextChoices):
        ABUSIVE = "abusive", "Abusive or harassing"
        HATE = "hate", "Hateful"
        SPAM = "spam", "Spam or advertising"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    # After COMMENT_CLIENT_KEY_DAYS, "cleared-<id>": distinct per row, says nothing.
    client_key = models.CharField(max_length=64)
    # Empty on reports filed before readers were asked why.
    reason = models.CharField(max_length=20, choices=Reason, blank=True)
    note = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(default=1, editable=False)
    created = models.DateTimeField(default=timezone.now)
    # When the reader last filed it, and how many times (filed again after a withdrawal):
    # the undo window and the hourly limit count from these.
    filed = models.DateTimeField(default=timezone.now, editable=False)
    filings = models.PositiveSmallIntegerField(default=1, editable=False)
    withdrawn = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "client_key"], name="one_flag_per_client")
        ]
        indexes = [models.Index(fields=["client_key", "filed"], name="flag_client_filed_idx")]

    def __str__(self):
        return f"Report on comment {self.comment_id}"
