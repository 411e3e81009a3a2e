"""The moderators' admin: a queue of held and reported comments, every comment, and the
record of decisions. Every action goes through comments.services."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from articles.models import Article
from comments import screening, services
from comments.highlight import highlight, spans_from_reasons
from comments.models import Comment, Commenter, Flag, ModerationDecision, ModerationQueue
from comments.workspace_views import Workspace, action_context, pop_undo
from portal.admin import RecordAdminMixin

Action = ModerationDecision.Action

# The buttons on each row, with the key that presses them in the queue.
ROW_ACTIONS = [
    (Action.APPROVE, "Approve", "a"),
    (Action.REMOVE_ABUSIVE, "Abusive", "x"),
    (Action.REMOVE_HATE, "Hate", "h"),
    (Action.REMOVE_OFF_TOPIC, "Off-topic", "o"),
    (Action.REMOVE_SPAM, "Spam", "s"),
]


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a page of a million comments never scans them all (and
    no page link asks for an OFFSET beyond it); as the workspace's tabs do."""

    CAP = 1_000

    @cached_property
    def count(self):
        return self.object_list[: self.CAP + 1].count()


class ReasonFilter(admin.SimpleListFilter):
    title = "screening reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [(code.value, code.label) for code in screening.Code]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        return queryset.filter(reason_codes__has_key=code)


class ReportedFilter(admin.SimpleListFilter):
    title = "reader reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Reported"), ("no", "Not reported")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


class ArticleFilter(admin.SimpleListFilter):
    """The newest articles with comments in this list, at most LIMIT, and drafts only for
    those who may read them. Any article's comments stay one link away: ?article=<id>."""

    title = "article"
    parameter_name = "article"
    LIMIT = 20

    def lookups(self, request, model_admin):
        # One index probe per article (the article foreign key's; in the queue,
        # comment_article_queue_idx), not a read of every comment in the list.
        listed = model_admin.get_queryset(request).filter(article=OuterRef("pk"))
        articles = Article.objects.filter(Exists(listed))
        if not (
            request.user.has_perm("articles.view_article")
            or request.user.has_perm("articles.change_article")
        ):
            articles = articles.published()
        return [
            (str(pk), headline[:60])
            for pk, headline in articles.values_list("pk", "headline")[: self.LIMIT]
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            return queryset.filter(article_id=int(self.value()))
        except ValueError:
            raise IncorrectLookupParameters(f"No article {self.value()!r}.") from None


class ModeratorFilter(admin.SimpleListFilter):
    """Staff accounts that made decisions (at most LIMIT), and the portal itself. Decisions
    keep the name of a deleted account: ?moderator=<name> or the search finds them."""

    title = "moderator"
    parameter_name = "moderator"
    LIMIT = 50
    PORTAL = "-"

    def lookups(self, request, model_admin):
        users = get_user_model().objects.filter(
            Exists(ModerationDecision.objects.filter(moderator=OuterRef("pk"))), is_staff=True
        )
        field = get_user_model().USERNAME_FIELD
        names = users.order_by(field).values_list(field, flat=True)[: self.LIMIT]
        return [*((name, name) for name in names), (self.PORTAL, "the portal")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(moderator_name="" if self.value() == self.PORTAL else self.value())


class FlagInline(admin.TabularInline):
    model = Flag
    fields = ["filed", "reason", "note", "weight", "withdrawn"]
    readonly_fields = fields
    ordering = ["-filed", "-id"]
    extra = 0
    can_delete = False
    verbose_name_plural = "reader reports"

    def has_add_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = ModerationDecision
    fk_name = "comment"
    fields = ["created", "moderator_name", "action", "from_status", "to_status", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CommenterDecisionInline(DecisionInline):
    fk_name = "commenter"
    fields = ["created", "moderator_name", "action", "from_standing", "to_standing", "reason"]
    readonly_fields = fields
    verbose_name_plural = "bans and trust"


class CommentAdminBase(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "created",
        "article_headline",
        "user_name",
        "highlighted_text",
        "status",
        "reasons",
        "report_count",
        "moderate_buttons",
    ]
    list_display_links = ["created"]
    list_filter = ["status", "screening", ReasonFilter, ReportedFilter, ArticleFilter]
    search_fields = ["user_name", "text"]
    list_select_related = ["article"]
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = ["approve", "remove_abusive", "remove_hate", "remove_off_topic", "remove_spam"]
    inlines = [DecisionInline, FlagInline]
    fields = [
        "article_link",
        "in_reply_to",
        "user_name",
        "commenter",
        "highlighted_text",
        "status",
        "screening",
        "screening_model",
        "reasons",
        "report_count",
        "created",
        "status_changed",
    ]
    readonly_fields = fields

    class Media:
        js = ["comments/admin/queue.js"]
        css = {"all": ["comments/admin/queue.css"]}

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    @admin.display(description="Article", ordering="article__headline")
    def article_headline(self, comment):
        return comment.article.headline[:60]

    @admin.display(description="Article")
    def article_link(self, comment):
        # The public page: moderators may not open the article's admin page.
        return format_html(
            '<a href="{}">{}</a>', comment.article.get_absolute_url(), comment.article.headline
        )

    @admin.display(description="In reply to")
    def in_reply_to(self, comment):
        """The comment a reply answers, with its status: the thread a moderator judges it in."""
        parent = comment.parent
        if parent is None:
            return "— (a comment on the article, not a reply)"
        return format_html(
            '<a href="{}">{}</a> ({}, {}): {}',
            reverse("admin:comments_comment_change", args=[parent.pk]),
            parent.user_name,
            parent.get_status_display(),
            dateformat.format(timezone.localtime(parent.created), "j M Y, H:i"),
            parent.text[:300],
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A comment's own page, with the workspace's actions for those who moderate."""
        if self.has_moderate_permission(request):
            extra_context = {
                **(extra_context or {}),
                **action_context(),
                "can_moderate": True,
                "here": request.get_full_path(),
                "undo": pop_undo(request),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Comment")
    def highlighted_text(self, comment):
        return format_html(
            '<div class="comment-text">{}</div>',
            highlight(comment.text, spans_from_reasons(comment.screening_reasons)),
        )

    @admin.display(description="Reasons and scores")
    def reasons(self, comment):
        if not comment.screening_reasons:
            return "—"
        return format_html_join(
            ", ",
            "{} ({}: {})",
            (
                (r.get("code", "?"), r.get("decision", "?"), f"{float(r.get('score', 0)):.2f}")
                for r in comment.screening_reasons
            ),
        )

    @admin.display(description="Moderate")
    def moderate_buttons(self, comment):
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_moderate", args=[comment.pk]
        )
        return format_html_join(
            " ",
            '<button type="submit" form="changelist-form" formaction="{}" name="moderate" '
            'value="{}" class="button moderate-{}" data-shortcut="{}" '
            'title="{} (key: {})">{}</button>',
            ((url, action, action, key, label, key, label) for action, label, key in ROW_ACTIONS),
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:pk>/moderate/",
                self.admin_site.admin_view(require_POST(self.moderate_view)),
                name="{}_{}_moderate".format(*info),
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, pk):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        try:
            action = Action(request.POST.get("moderate", ""))
        except ValueError:
            self.message_user(request, "Unknown moderation action.", messages.ERROR)
        else:
            services.moderate(comment=comment, moderator=request.user, action=action)
            self.message_user(
                request, f"{action.label}: comment by {comment.user_name}.", messages.SUCCESS
            )
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return HttpResponseRedirect(back)

    def _moderate_all(self, request, queryset, action):
        done = 0
        for comment in queryset.select_related(None).only(
            "pk", "status", "article_id", "parent_id"
        ):
            services.moderate(comment=comment, moderator=request.user, action=action)
            done += 1
        self.message_user(request, f"{action.label}: {done} comment(s).", messages.SUCCESS)

    @admin.action(permissions=["moderate"], description="Approve selected comments")
    def approve(self, request, queryset):
        self._moderate_all(request, queryset, Action.APPROVE)

    @admin.action(permissions=["moderate"], description="Remove selected comments as abusive")
    def remove_abusive(self, request, queryset):
        self._moderate_all(request, queryset, Action.REMOVE_ABUSIVE)

    @admin.action(permissions=["moderate"], description="Remove selected comments as hateful")
    def remove_hate(self, request, queryset):
        self._moderate_all(request, queryset, Action.REMOVE_HATE)

    @admin.action(permissions=["moderate"], description="Remove selected comments as off-topic")
    def remove_off_topic(self, request, queryset):
        self._moderate_all(request, queryset, Action.REMOVE_OFF_TOPIC)

    @admin.action(permissions=["moderate"], description="Remove selected comments as spam")
    def remove_spam(self, request, queryset):
        self._moderate_all(request, queryset, Action.REMOVE_SPAM)


@admin.register(ModerationQueue)
class ModerationQueueAdmin(CommentAdminBase):
    """Held and reported comments, oldest first: the moderators' work list."""

    ordering = ["review_since", "id"]

    def get_urls(self):
        return [*Workspace(self).urls(), *super().get_urls()]

    def get_queryset(self, request):
        return super().get_queryset(request).needs_review()

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("comments.view_comment") or super().has_view_permission(
            request, obj
        )


@admin.register(Comment)
class CommentAdmin(CommentAdminBase):
    """Every comment, newest first, to search, audit and restore."""

    ordering = ["-created", "-id"]


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = [
        "created",
        "who",
        "action",
        "from_status",
        "to_status",
        "comment",
        "commenter",
    ]
    list_filter = ["action", "to_status", ModeratorFilter]
    search_fields = ["moderator_name", "comment__user_name", "comment__text", "reason"]
    list_select_related = ["comment", "commenter"]
    # Named, so the account is shown as text: a link to it would be a 403 for moderators.
    fields = [
        "created",
        "comment",
        "commenter",
        "who",
        "action",
        "from_status",
        "to_status",
        "from_standing",
        "to_standing",
        "reason",
    ]
    readonly_fields = fields
    show_full_result_count = False
    paginator = CappedCountPaginator

    @admin.display(description="Moderator", ordering="moderator_name")
    def who(self, decision):
        return decision.moderator_name or "the portal"


@admin.register(Commenter)
class CommenterAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Commenters (a name from one browser) with their comments' outcomes."""

    HISTORY = 50  # the newest comments shown on a commenter's page

    list_display = ["name", "standing", "created", "short_fingerprint", "comments_link"]
    list_filter = ["standing"]
    search_fields = ["name"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    fields = ["name", "standing", "created", "short_fingerprint", "comment_history"]
    readonly_fields = fields
    inlines = [CommenterDecisionInline]
    actions = ["ban", "unban", "trust", "untrust"]

    # What each action's confirmation page says.
    EXPLANATIONS = {
        Action.BAN: (
            "Their new comments will be refused (or held, per COMMENT_BAN_MODE), from this "
            "browser under any name, and under this name from the addresses it wrote from."
        ),
        Action.UNBAN: "Their new comments will be screened like anyone's again.",
        Action.TRUST: (
            "Their comments will skip the flood and pre-moderation holds; abuse, hate and spam "
            "are still screened."
        ),
        Action.UNTRUST: "Their comments will be held like anyone's again.",
    }

    @admin.display(description="Fingerprint")
    def short_fingerprint(self, commenter):
        # Enough to tell two commenters of one name apart; it is a keyed hash anyway.
        return commenter.fingerprint[:12]

    def _comments_url(self, commenter):
        return (
            reverse("admin:comments_comment_changelist") + f"?commenter__id__exact={commenter.pk}"
        )

    @admin.display(description="Comments")
    def comments_link(self, commenter):
        return format_html('<a href="{}">Comments</a>', self._comments_url(commenter))

    @admin.display(description="Comments and outcomes")
    def comment_history(self, commenter):
        comments = list(
            commenter.comments.select_related("article").order_by("-created", "-id")[
                : self.HISTORY + 1
            ]
        )
        if not comments:
            return "No comments."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    comment.created.strftime("%Y-%m-%d %H:%M"),
                    comment.get_status_display(),
                    comment.article.headline[:60],
                    comment.text[:200],
                )
                for comment in comments[: self.HISTORY]
            ),
        )
        more = (
            format_html(
                '<p><a href="{}">All comments by this commenter</a></p>',
                self._comments_url(commenter),
            )
            if len(comments) > self.HISTORY
            else ""
        )
        return format_html(
            '<table class="commenter-history"><thead><tr><th scope="col">Sent</th>'
            '<th scope="col">Outcome</th><th scope="col">Article</th>'
            '<th scope="col">Comment</th></tr></thead><tbody>{}</tbody></table>{}',
            rows,
            more,
        )

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_commenter")

    def _change_standing(self, request, queryset, action):
        """A page that asks for the reason first; then the same service everything calls, for
        all the selected commenters in one transaction."""
        if request.POST.get("apply") != "yes":
            return TemplateResponse(
                request,
                "admin/comments/commenter/change_standing.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "title": f"{action.label}: {queryset.count()} commenter(s)",
                    "explanation": self.EXPLANATIONS[action],
                    "commenters": queryset,
                    "action": action.value,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        reason = request.POST.get("reason", "").strip()
        changed = unchanged = 0
        with transaction.atomic():
            for commenter in queryset:
                decision = services.change_standing(
                    commenter=commenter, moderator=request.user, action=action, reason=reason
                )
                if decision is None:
                    unchanged += 1
                else:
                    changed += 1
        note = f" ({unchanged} left as they were)" if unchanged else ""
        self.message_user(
            request, f"{action.label}: {changed} commenter(s){note}.", messages.SUCCESS
        )
        return None

    @admin.action(permissions=["moderate"], description="Ban selected commenters")
    def ban(self, request, queryset):
        return self._change_standing(request, queryset, Action.BAN)

    @admin.action(permissions=["moderate"], description="Lift the ban on selected commenters")
    def unban(self, request, queryset):
        return self._change_standing(request, queryset, Action.UNBAN)

    @admin.action(permissions=["moderate"], description="Trust selected commenters")
    def trust(self, request, queryset):
        return self._change_standing(request, queryset, Action.TRUST)

    @admin.action(permissions=["moderate"], description="Stop trusting selected commenters")
    def untrust(self, request, queryset):
        return self._change_standing(request, queryset, Action.UNTRUST)
