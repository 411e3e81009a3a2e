"""The newsletter in the admin: subscribers (search, status filter, CSV export), issues with
their delivery counts and a "compose and send" button, deliveries read-only. Statuses change
only through newsletter.subscriptions and newsletter.sending."""

import csv

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db.models import Count, Q
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from newsletter import sending, subscriptions
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
        send = self.admin_site.admin_view(require_POST(self.send_view))
        return [path("send/", send, name="newsletter_issue_send"), *super().get_urls()]

    def send_view(self, request):
        """The "compose and send" button: the same service as manage.py send_newsletter."""
        if not self.has_change_permission(request):
            messages.error(request, "You may not send the newsletter.")
        else:
            outcome = sending.send_newsletter(actor=request.user)
            level = messages.SUCCESS if outcome.issue else messages.WARNING
            messages.add_message(request, level, outcome.message)
        return HttpResponseRedirect(reverse("admin:newsletter_issue_changelist"))

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
