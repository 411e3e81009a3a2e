"""Reader pages of the newsletter: subscribe, confirm, unsubscribe (with RFC 8058 one-click)
and the archive. Thin: the rules are in newsletter.subscriptions."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from newsletter import digest, subscriptions
from newsletter.forms import SubscribeForm
from newsletter.models import Issue, StatusChange
from newsletter.subscriptions import BadLink, LinkProblem
from portal import ratelimit
from portal.csrf import origin_checked

ISSUES_PER_PAGE = 20

LINK_PROBLEMS = {
    LinkProblem.INVALID: (
        "This link is not valid",
        "The link is incomplete or has been changed. Copy the whole link from the e-mail, "
        "or subscribe again to receive a new one.",
    ),
    LinkProblem.EXPIRED: (
        "This link has expired",
        "Confirmation links work for a few days. Subscribe again and we will send you a new one.",
    ),
    LinkProblem.USED: (
        "This link has already been used",
        "This confirmation link has been used or replaced by a newer one. If you confirmed "
        "your subscription, there is nothing more to do.",
    ),
}


def bad_link(request: HttpRequest, problem: LinkProblem):
    title, message = LINK_PROBLEMS[problem]
    response = render(
        request,
        "newsletter/bad_link.html",
        {"title": title, "message": message, "problem": problem.value},
        status=400,
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@origin_checked  # the footer's form is on pages a shared cache keeps
@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        return render(request, "newsletter/subscribe.html", {"form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    limit, window = settings.NEWSLETTER_RATE_LIMIT
    if not ratelimit.hit("subscribe", ratelimit.client_key(request), limit=limit, window=window):
        form.is_valid()
        return render(
            request,
            "newsletter/subscribe.html",
            {"form": form, "rate_limited": True},
            status=429,
        )
    if not form.is_valid():
        return render(request, "newsletter/subscribe.html", {"form": form}, status=400)
    subscriptions.request_subscription(email=form.cleaned_data["email"])
    # The same answer whether the address is new, pending, confirmed or unsubscribed.
    response = redirect("newsletter:subscribe-sent")
    response.status_code = 303
    return response


@require_safe
def subscribe_sent(request):
    return render(request, "newsletter/subscribe_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    # A GET only shows a button: link scanners that open every link in an e-mail must not
    # confirm an address on their own.
    try:
        if request.method == "POST":
            subscriber = subscriptions.confirm(token=token)
            return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})
        subscriber = subscriptions.subscriber_to_confirm(token)
    except BadLink as error:
        return bad_link(request, error.problem)
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


@csrf_exempt  # RFC 8058: mail providers POST here without cookies or tokens
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        subscriber = subscriptions.subscriber_for_unsubscribe(token)
    except BadLink as error:
        return bad_link(request, error.problem)
    if request.method == "GET":
        return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click" and not request.POST.get(
        "from-page"
    )
    via = StatusChange.Via.ONE_CLICK if one_click else StatusChange.Via.UNSUBSCRIBE_PAGE
    subscriptions.unsubscribe(subscriber=subscriber, via=via)
    return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})


@require_safe
def archive(request):
    issues = Issue.objects.filter(status=Issue.Status.SENT).order_by("-sent_at", "-id")
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsletter/archive.html", {"page": page})


@require_safe
def issue_detail(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk, status=Issue.Status.SENT)
    return render(
        request,
        "newsletter/issue.html",
        {"issue": issue, "articles": digest.issue_articles(issue)},
    )
