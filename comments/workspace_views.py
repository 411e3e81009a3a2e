"""The moderation workspace's pages in the admin: thin views over comments.workspace and
comments.services. Every action is a plain POST answered with a 303 back to where it was."""

import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from comments import services, workspace
from comments.models import Comment

UNDO_SESSION_KEY = "comments_workspace_undo"


def can_moderate(user) -> bool:
    return user.has_perm("comments.moderate_comment")


def pop_undo(request: HttpRequest) -> dict | None:
    """The undo offer of the action just taken, shown once, while it lasts."""
    undo = request.session.pop(UNDO_SESSION_KEY, None)
    if undo is None:
        return None
    undo["seconds"] = int(undo["until"] - time.time())
    return undo if undo["seconds"] > 0 else None


def can_moderate_commenters(user) -> bool:
    return user.has_perm("comments.moderate_commenter")


def action_context() -> dict:
    """What the card's action form needs, on the workspace and on a comment's own page."""
    return {
        "categories": workspace.CATEGORY_LABELS,
        "note_max_length": workspace.DecisionForm.base_fields["note"].max_length,
        "reason_max_length": workspace.StandingForm.base_fields["reason"].max_length,
    }


class Workspace:
    """The workspace's views, mounted in the admin by ModerationQueueAdmin.get_urls()."""

    def __init__(self, model_admin):
        self.model_admin = model_admin
        self.admin_site = model_admin.admin_site

    def urls(self) -> list:
        def view(function, method):
            return self.admin_site.admin_view(method(self._moderators_only(function)))

        return [
            path("workspace/", view(self.index, require_GET), name="comments_workspace"),
            path(
                "workspace/<int:pk>/",
                view(self.decide, require_POST),
                name="comments_workspace_decide",
            ),
            path(
                "workspace/<int:pk>/commenter/",
                view(self.change_standing, require_POST),
                name="comments_workspace_commenter",
            ),
            path("workspace/bulk/", view(self.bulk, require_POST), name="comments_workspace_bulk"),
            path("workspace/undo/", view(self.undo, require_POST), name="comments_workspace_undo"),
        ]

    @staticmethod
    def _moderators_only(function):
        def checked(request, *args, **kwargs):
            if not can_moderate(request.user):
                raise PermissionDenied
            return function(request, *args, **kwargs)

        return checked

    def _context(self, request: HttpRequest, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model_admin.opts,
            **action_context(),
            **extra,
        }

    def index(self, request: HttpRequest) -> HttpResponse:
        tab = workspace.TABS.get(request.GET.get("tab", ""), workspace.TABS[workspace.DEFAULT_TAB])
        try:
            number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            number = 1
        undo = pop_undo(request)
        context = self._context(
            request,
            title="Moderation workspace",
            tab=tab,
            page=workspace.page_of_cards(tab, number),
            counts=workspace.tab_counts(),
            undo=undo,
            here=request.get_full_path(),
        )
        return TemplateResponse(request, "admin/comments/workspace.html", context)

    def decide(self, request: HttpRequest, pk: int) -> HttpResponse:
        comment = get_object_or_404(Comment, pk=pk)
        form = workspace.DecisionForm(request.POST)
        if not form.is_valid():
            return self._form_again(request, form, [comment.pk])
        done = services.moderate_many(
            comment_ids=[comment.pk],
            moderator=request.user,
            action=form.action,
            reason=form.cleaned_data["note"],
        )
        self._offer_undo(request, done, f"{form.action.label}: the comment by {comment.user_name}.")
        return self._back(request)

    def change_standing(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Ban, trust, or undo either, for the commenter of a card's comment; the decision
        names the comment it was taken from."""
        if not can_moderate_commenters(request.user):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("commenter"), pk=pk)
        form = workspace.StandingForm(request.POST)
        if comment.commenter is None:
            return HttpResponseBadRequest(
                "This comment was stored before commenters were recorded: there is nobody to "
                "ban or trust.",
                content_type="text/plain; charset=utf-8",
            )
        if not form.is_valid():
            # Again, with what is wrong and the moderator's reason as they wrote it.
            context = self._context(
                request,
                title=f"Ban or trust “{comment.commenter.name}”",
                form=form,
                comment=comment,
                commenter=comment.commenter,
                changes=workspace.STANDING_CHANGES,
                next=self._next_url(request),
            )
            return TemplateResponse(
                request, "admin/comments/workspace_standing.html", context, status=400
            )
        action, done = workspace.STANDING_CHANGES[form.cleaned_data["change"]]
        commenter = comment.commenter
        decision = services.change_standing(
            commenter=commenter,
            moderator=request.user,
            action=action,
            reason=form.cleaned_data["reason"],
            comment=comment,
        )
        if decision is None:
            messages.warning(
                request,
                f"Nothing changed: the commenter “{commenter.name}” is "
                f"{commenter.get_standing_display().lower()}.",
            )
        else:
            messages.success(request, f"{done} the commenter “{commenter.name}”.")
        return self._back(request)

    def bulk(self, request: HttpRequest) -> HttpResponse:
        ids = [int(pk) for pk in request.POST.getlist("comment") if pk.isdigit()]
        if not ids:
            messages.error(request, "Select one or more comments first (the box on each card).")
            return self._back(request)
        form = workspace.DecisionForm(request.POST)
        if not form.is_valid():
            return self._form_again(request, form, ids)
        done = services.moderate_many(
            comment_ids=ids,
            moderator=request.user,
            action=form.action,
            reason=form.cleaned_data["note"],
        )
        self._offer_undo(request, done, f"{form.action.label}: {len(done)} comment(s).")
        return self._back(request)

    def undo(self, request: HttpRequest) -> HttpResponse:
        try:
            decisions = workspace.read_undo_token(request.POST.get("token", ""), request.user)
            undone = services.undo(decisions=decisions, moderator=request.user)
        except workspace.UndoExpired:
            messages.error(
                request,
                f"Too late to undo: undo lasts {workspace.UNDO_SECONDS} seconds. The comment "
                "is in the All tab, where you can decide on it again.",
            )
        except services.UndoRefused:
            messages.error(
                request,
                "Not undone: the comment was decided on again since. Its latest decision "
                "stands; decide on it again in the All tab.",
            )
        else:
            messages.success(request, f"Undone: {len(undone)} comment(s) back as they were.")
        return self._back(request)

    def _offer_undo(self, request: HttpRequest, done: list, summary: str) -> None:
        if not done:
            messages.error(request, "Nothing changed: those comments no longer exist.")
            return
        request.session[UNDO_SESSION_KEY] = {
            "token": workspace.undo_token(done, request.user),
            "summary": summary,
            "until": time.time() + workspace.UNDO_SECONDS,
        }

    def _form_again(self, request: HttpRequest, form, ids: list[int]) -> HttpResponse:
        """The decision again with what is missing, keeping the moderator's note."""
        cards = workspace.cards_for(Comment.objects.filter(pk__in=ids))
        action = (
            reverse("admin:comments_workspace_decide", args=[ids[0]])
            if request.resolver_match.url_name == "comments_workspace_decide"
            else reverse("admin:comments_workspace_bulk")
        )
        context = self._context(
            request,
            title="Remove comments" if len(ids) > 1 else "Remove the comment",
            form=form,
            cards=cards,
            action=action,
            next=self._next_url(request),
        )
        return TemplateResponse(
            request, "admin/comments/workspace_confirm.html", context, status=400
        )

    def _next_url(self, request: HttpRequest) -> str:
        wanted = request.POST.get("next", "")
        admin_root = reverse("admin:index")
        if wanted.startswith(admin_root) and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return wanted
        return reverse("admin:comments_workspace")

    def _back(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponseRedirect(self._next_url(request))
        response.status_code = 303
        return response
