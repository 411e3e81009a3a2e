"""Reader pages of the articles app: thin views over the models and rules."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles import article_cache, fontsize
from articles.forms import FontSizeForm, StoryTipForm
from articles.models import Article, Topic
from articles.structured_data import as_json_ld, news_article
from portal import ratelimit
from portal.csrf import origin_checked
from portal.http_cache import shared


def render_article(request: HttpRequest, article: Article, *, preview: bool = False):
    """The article page; its comments come from the comments app's template tags."""
    url = request.build_absolute_uri(article.get_absolute_url())
    share_text = quote(article.headline, safe="")
    share_url = quote(url, safe="")
    context = {
        "article": article,
        "topics": list(article.topics.all()),
        "canonical_url": url,
        "preview": preview,
        "mailto": f"mailto:?subject={share_text}&body={share_text}%0A%0A{share_url}",
        "share_links": [
            ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={share_url}"),
            ("X", f"https://x.com/intent/post?url={share_url}&text={share_text}"),
            ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={share_url}"),
            (
                "Weibo",
                f"https://service.weibo.com/share/share.php?url={share_url}&title={share_text}",
            ),
        ],
        "json_ld": as_json_ld(news_article(article, url=url, site_name=settings.SITE_NAME)),
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@shared
def article_detail(request, year: str, month: str, day: str, slug: str):
    def find() -> Article | None:
        return (
            Article.objects.published()
            .dated(year, month, day)
            .select_related("source")
            .prefetch_related("topics")
            .filter(slug=slug)
            .first()
        )

    article = article_cache.published_article(request, f"{year}/{month}/{day}/{slug}", slug, find)
    if article is None:
        raise Http404("No published article at this address.")
    return render_article(request, article)


@staff_member_required
@permission_required("articles.change_article", raise_exception=True)
@require_safe
def article_preview(request, pk: int):
    # Drafts may be under embargo: only those who may edit articles read them, not every
    # staff account (moderators work on comments only).
    article = get_object_or_404(
        Article.objects.select_related("source").prefetch_related("topics"), pk=pk
    )
    return render_article(request, article, preview=True)


@require_safe
@shared
def topic_detail(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug)
    articles = topic.articles.published().select_related("source")
    page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "articles/topic_detail.html", {"topic": topic, "page": page})


@origin_checked  # the form is on pages a shared cache keeps, without a CSRF token
@require_POST
def set_font_size(request):
    form = FontSizeForm(request.POST)
    step = fontsize.get_step(form.data.get("size")) if form.is_valid() else None
    if step is None:
        sizes = ", ".join(s.name for s in fontsize.STEPS)
        return render(
            request,
            "400.html",
            {"message": f"That is not a text size we offer. Choose one of: {sizes}."},
            status=400,
        )
    if request.headers.get("Accept") == "application/json":
        response = JsonResponse({"size": step.name, "percent": step.percent})
    else:
        target = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        response = redirect(target)
        response.status_code = 303
    fontsize.remember(response, step, secure=request.is_secure())
    return response


@require_http_methods(["GET", "POST"])
def send_story(request):
    if request.method == "POST":
        form = StoryTipForm(request.POST)
        limit, window = settings.TIP_RATE_LIMIT
        if not ratelimit.hit("tip", ratelimit.client_key(request), limit=limit, window=window):
            form.is_valid()  # keep what the reader typed on the page
            messages.error(
                request,
                "You have sent several stories in a short time. Please try again later; "
                "your text is still below.",
            )
            return render(request, "articles/send_story.html", {"form": form}, status=429)
        if form.is_valid():
            form.save()
            messages.success(request, "Thank you. Your story has reached our editors.")
            response = redirect("articles:send-story")
            response.status_code = 303
            return response
        return render(request, "articles/send_story.html", {"form": form}, status=400)
    return render(request, "articles/send_story.html", {"form": StoryTipForm()})
