"""Editors' admin: articles with a preview link, sources, topics and story tips."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from articles.models import Article, Source, StoryTip, Topic
from portal.sanitizer import sanitize_article_html


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status", "published_at", "source", "comment_mode", "preview_link"]
    list_filter = ["status", "comment_mode", "source", "topics"]
    search_fields = ["headline", "summary", "body", "byline"]
    prepopulated_fields = {"slug": ["headline"]}
    date_hierarchy = "published_at"
    filter_horizontal = ["topics"]
    list_select_related = ["source"]
    readonly_fields = ["preview_link", "created", "modified"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "summary", "body"]}),
        ("Credit", {"fields": ["source", "publisher", "byline", "dateline"]}),
        ("Publication", {"fields": ["status", "published_at", "updated_at", "topics"]}),
        ("Comments", {"fields": ["comment_mode"]}),
        ("Record", {"fields": ["preview_link", "created", "modified"]}),
    ]

    def save_model(self, request, obj, form, change):
        # save() cleans the body; tell the editor what that took out, so nothing they
        # pasted disappears without a word.
        removed = sanitize_article_html(obj.body).removed
        super().save_model(request, obj, form, change)
        if removed:
            self.message_user(
                request,
                "Removed from the body, which allows no scripts, styles or event handlers: "
                f"{', '.join(removed)}.",
                messages.WARNING,
            )

    @admin.display(description="Preview")
    def preview_link(self, article):
        if not article.pk:
            return "Save the article to preview it."
        url = reverse("articles:preview", args=[article.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Preview</a>', url)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "url"]
    search_fields = ["name"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StoryTip)
class StoryTipAdmin(admin.ModelAdmin):
    list_display = ["created", "name", "email", "excerpt", "read"]
    list_filter = ["read", "created"]
    search_fields = ["name", "email", "story"]
    readonly_fields = ["name", "email", "story", "created"]
    actions = ["mark_read"]
    date_hierarchy = "created"

    @admin.display(description="Story")
    def excerpt(self, tip):
        return tip.story[:100]

    @admin.action(description="Mark selected tips as read")
    def mark_read(self, request, queryset):
        updated = queryset.update(read=True)
        self.message_user(request, f"{updated} tip(s) marked as read.")

    def has_add_permission(self, request):
        return False  # tips come from readers
