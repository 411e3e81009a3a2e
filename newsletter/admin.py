"""The newsletter in the admin: subscribers (search, status filter, CSV export), issues with
their delivery counts and "compose and send" (preview, test send, then confirmation),
deliveries read-only. Statuses change only through newsletter.subscriptions and
newsletter.sending."""

import csv
import smtplib

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from newsletter import digest, sending, subscriptions
from newsletter.models import Delivery, Issue, StatusChange, Subscriber
from portal.admin import RecordAdminMixin

CSV_FIELDS = ["email", "status", "created", "confirmed_at", "unsubscribed_at"]


class _Echo:
    """A file-like object that hands back what is written, for streaming CSV."""

    def write(self, value):
        return value


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ["created", "from_status", "to_status", "via", "actor"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(RecordAdminMixin, admin.ModelAdmin):
    """A record of consent: nobody edits or deletes a subscriber or its history here. The
    one change an editor makes (someone asked to be taken off the list) is the unsubscribe
    action, which goes through the state machine and records who did it."""

    list_display = ["email", "status", "created", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "created"]
    search_fields = ["email"]
    date_hierarchy = "created"
    ordering = ["-created"]
    inlines = [StatusChangeInline]
    actions = ["export_csv", "unsubscribe_selected"]
    show_facets = admin.ShowFacets.ALWAYS

    def has_unsubscribe_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    @admin.action(description="Export selected subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        rows = queryset.order_by("id").values_list(*CSV_FIELDS).iterator(chunk_size=2000)
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(CSV_FIELDS)
            for row in rows:
                yield writer.writerow([_csv_cell(value) for value in row])

        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    @admin.action(description="Unsubscribe selected subscribers", permissions=["unsubscribe"])
    def unsubscribe_selected(self, request, queryset):
        done = sum(
            subscriptions.unsubscribe(
                subscriber=subscriber, via=StatusChange.Via.ADMIN, actor=request.user
            )
            for subscriber in queryset
        )
        self.message_user(request, f"{done} subscribers unsubscribed.", messages.SUCCESS)


def _count(state):
    return Count("deliveries", filter=Q(deliveries__state=state))


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "status",
        "created",
        "sent_at",
        "total",
        "sent",
        "pending",
        "failed",
        "unknown",
    ]
    list_filter = ["status"]
    search_fields = ["subject"]
    readonly_fields = ["subject", "status", "covers_until", "created", "sent_at", "created_by"]
    exclude = ["articles"]
    change_list_template = "admin/newsletter/issue/change_list.html"

    def has_add_permission(self, request):
        return False  # issues are composed from new articles: use "compose and send"

    def get_queryset(self, request):
        # Every count in one query with the issues.
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_deliveries=Count("deliveries"),
                sent_deliveries=_count(Delivery.State.SENT),
                pending_deliveries=_count(Delivery.State.PENDING) + _count(Delivery.State.SENDING),
                failed_deliveries=_count(Delivery.State.FAILED),
                unknown_deliveries=_count(Delivery.State.UNKNOWN),
            )
        )

    @admin.display(description="recipients", ordering="total_deliveries")
    def total(self, issue):
        return issue.total_deliveries

    @admin.display(description="sent", ordering="sent_deliveries")
    def sent(self, issue):
        return issue.sent_deliveries

    @admin.display(description="to send")
    def pending(self, issue):
        return issue.pending_deliveries

    @admin.display(description="failed")
    def failed(self, issue):
        return issue.failed_deliveries

    @admin.display(description="unknown")
    def unknown(self, issue):
        return issue.unknown_deliveries

    def get_urls(self):
        def view(function, methods):
            return self.admin_site.admin_view(require_http_methods(methods)(function))

        return [
            path("send/", view(self.send_view, ["GET", "POST"]), name="newsletter_issue_send"),
            path(
                "send/test/",
                view(self.test_send_view, ["POST"]),
                name="newsletter_issue_test_send",
            ),
            path(
                "send/preview.<str:kind>",
                view(self.preview_view, ["GET"]),
                name="newsletter_issue_preview",
            ),
            *super().get_urls(),
        ]

    def send_view(self, request):
        """ "Compose and send": a GET shows what the next issue carries and to how many, with
        its preview and a test send; only the confirmation (a POST) sends, through the same
        service as manage.py send_newsletter."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            previewed = [int(pk) for pk in request.POST.getlist("article") if pk.isdigit()]
            outcome = sending.send_newsletter(actor=request.user, previewed=previewed)
            level = messages.SUCCESS if outcome.issue else messages.WARNING
            messages.add_message(request, level, outcome.message)
            if outcome.stale_preview:
                return HttpResponseRedirect(reverse("admin:newsletter_issue_send"))
            return HttpResponseRedirect(reverse("admin:newsletter_issue_changelist"))
        in_progress = Issue.objects.filter(status=Issue.Status.SENDING).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Send the next issue",
            "in_progress": in_progress,
            "counts": sending.delivery_counts(in_progress) if in_progress else None,
            "preview": None if in_progress else digest.preview_next_issue(),
            "recipients": Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count(),
            "editor_email": request.user.email,
        }
        return TemplateResponse(request, "admin/newsletter/issue/send.html", context)

    def preview_view(self, request, kind: str):
        """The next issue's e-mail body, exactly as rendered for subscribers."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if kind not in ("html", "txt"):
            raise Http404
        preview = digest.preview_next_issue()
        if preview is None:
            raise Http404("Nothing to send: no new articles.")
        bodies = digest.render_issue(preview.issue, preview.articles)
        if kind == "html":
            return HttpResponse(bodies.html, content_type="text/html; charset=utf-8")
        return HttpResponse(bodies.text, content_type="text/plain; charset=utf-8")

    def test_send_view(self, request):
        """The next issue to the editor's own address only."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        preview = digest.preview_next_issue()
        if not request.user.email:
            messages.error(request, "Your account has no e-mail address to send a test to.")
        elif preview is None:
            messages.warning(request, "Nothing to send: no new articles.")
        else:
            try:
                sending.send_test_issue(preview, to=request.user.email)
            except (OSError, smtplib.SMTPException, ValueError) as error:
                messages.error(request, f"The test could not be sent: {error}")
            else:
                messages.success(request, f"A test of the issue was sent to {request.user.email}.")
        return HttpResponseRedirect(reverse("admin:newsletter_issue_send"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_send": self.has_change_permission(request)}
        return super().changelist_view(request, extra_context)


@admin.register(Delivery)
class DeliveryAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["issue", "subscriber", "state", "attempted_at", "sent_at", "error"]
    list_filter = ["state", "issue"]
    search_fields = ["subscriber__email"]
    list_select_related = ["issue", "subscriber"]
    raw_id_fields = ["issue", "subscriber"]
