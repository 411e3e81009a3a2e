"""The newsletter in the admin (subscribers, CSV export, issues with counts, the send
button) and the public archive of past issues."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.test import Client
from django.utils import timezone

from newsletter import digest, sending, subscriptions
from newsletter.models import Delivery, Issue, StatusChange, Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sent_issue(make_article, *, subject="Weekly", readers=()):
    article = make_article(headline=f"{subject} lead", published_at=timezone.now())
    issue = Issue.objects.create(
        subject=subject, covers_until=timezone.now(), status=Issue.Status.SENT
    )
    issue.articles.set([article])
    issue.sent_at = timezone.now()
    issue.save()
    for reader in readers:
        Delivery.objects.create(issue=issue, subscriber=reader, state=Delivery.State.SENT)
    return issue


# --- Subscribers ---------------------------------------------------------------------------------


def test_subscribers_are_searched_and_filtered(admin_client, make_subscriber):
    make_subscriber("alpha@example.com")
    make_subscriber("beta@example.com", status=Subscriber.Status.PENDING)
    url = "/admin/newsletter/subscriber/"
    html = admin_client.get(url, {"q": "alpha"}).content.decode()
    assert "alpha@example.com" in html and "beta@example.com" not in html
    html = admin_client.get(url, {"status__exact": "pending"}).content.decode()
    assert "beta@example.com" in html and "alpha@example.com" not in html


def test_status_is_read_only_in_the_form(admin_client, make_subscriber):
    subscriber = make_subscriber()
    url = f"/admin/newsletter/subscriber/{subscriber.pk}/change/"
    admin_client.post(url, {"status": "pending", "email": "x@example.com"})
    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.email) == ("confirmed", subscriber.email)


def test_a_subscriber_is_a_record_editors_cannot_edit_or_delete(admin_client, make_subscriber):
    """The subscriber and its history of consent stay as recorded; an editor may still
    unsubscribe someone (the action, recorded with who did it)."""
    subscriber = make_subscriber()
    subscriptions.unsubscribe(subscriber=subscriber, via=StatusChange.Via.ONE_CLICK)
    page = admin_client.get(f"/admin/newsletter/subscriber/{subscriber.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "One-click unsubscribe" in html and 'name="_save"' not in html
    delete = f"/admin/newsletter/subscriber/{subscriber.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    admin_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "delete_selected", "_selected_action": [subscriber.pk], "post": "yes"},
    )
    assert subscriber.changes.count() == 1
    actions = admin_client.get("/admin/newsletter/subscriber/").content.decode()
    assert "unsubscribe_selected" in actions and "delete_selected" not in actions


def test_unsubscribing_from_the_admin_needs_the_change_permission(client, make_subscriber):
    subscriber = make_subscriber()
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_subscriber"))
    client.force_login(viewer)
    listing = client.get("/admin/newsletter/subscriber/").content.decode()
    assert "export_csv" in listing and "unsubscribe_selected" not in listing
    client.post(
        "/admin/newsletter/subscriber/",
        {"action": "unsubscribe_selected", "_selected_action": [subscriber.pk]},
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_csv_export_streams_the_selected_rows(admin_client, make_subscriber):
    chosen = [make_subscriber("a@example.com"), make_subscriber("=cmd@example.com")]
    make_subscriber("other@example.com")
    response = admin_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_csv", "_selected_action": [s.pk for s in chosen]},
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["email", "status", "created", "confirmed_at", "unsubscribed_at"]
    assert [row[0] for row in rows[1:]] == ["a@example.com", "'=cmd@example.com"]


def test_unsubscribing_from_the_admin_records_who(admin_client, admin_user, make_subscriber):
    subscriber = make_subscriber()
    admin_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "unsubscribe_selected", "_selected_action": [subscriber.pk]},
    )
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    change = subscriber.changes.get()
    assert (change.via, change.actor) == (StatusChange.Via.ADMIN, admin_user)


# --- Issues ---------------------------------------------------------------------------------------


def test_issue_list_shows_delivery_counts_in_constant_queries(
    admin_client, make_article, make_subscriber, django_assert_max_num_queries
):
    readers = [make_subscriber() for _ in range(3)]
    sent_issue(make_article, subject="First", readers=readers)
    admin_client.get("/admin/newsletter/issue/")  # warm the session and content types
    with django_assert_max_num_queries(8) as few:
        admin_client.get("/admin/newsletter/issue/")
    for n in range(2, 6):
        sent_issue(make_article, subject=f"Issue {n}", readers=readers)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = admin_client.get("/admin/newsletter/issue/").content.decode()
    assert "Issue 5" in html
    assert '<td class="field-total">3</td>' in html
    assert '<td class="field-sent">3</td>' in html


SEND = "/admin/newsletter/issue/send/"


def confirmation_form(client) -> dict:
    """What the confirmation page's form posts: the articles the editor was shown."""
    html = client.get(SEND).content.decode()
    return {"article": re.findall(r'name="article" value="(\d+)"', html)}


@pytest.fixture
def next_issue(make_article, make_subscriber, source):
    """Two confirmed readers and a new article with its date, agency and byline."""
    readers = [make_subscriber(), make_subscriber()]
    article = make_article(
        headline="From the admin",
        byline="Ann Writer",
        source=source,
        published_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    return readers, article


def test_compose_and_send_shows_the_issue_first_and_a_get_never_sends(
    admin_client, next_issue, commits
):
    readers, article = next_issue
    listing = admin_client.get("/admin/newsletter/issue/").content.decode()
    assert f'<a href="{SEND}">Compose and send the next issue</a>' in listing
    with commits():
        page = admin_client.get(SEND)
    assert page.status_code == 200
    html = page.content.decode()
    assert "From the admin" in html and "Test Agency" in html and "Ann Writer" in html
    assert "Yes, send to 2 subscribers" in html and 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert not Issue.objects.exists() and mail.outbox == []


def test_the_preview_is_the_email_subscribers_get(admin_client, next_issue, settings):
    _, article = next_issue
    day = timezone.localtime(article.published_at).strftime("%-d %B %Y")
    html = admin_client.get(SEND + "preview.html")
    text = admin_client.get(SEND + "preview.txt")
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    for body in (html.content.decode(), text.content.decode()):
        assert "From the admin" in body
        assert day in body and "Test Agency" in body and "By Ann Writer" in body
        assert settings.SITE_NAME in body
        assert f"https://news.example.org{article.get_absolute_url()}" in body
    assert not Issue.objects.exists() and mail.outbox == []


def test_a_test_send_goes_to_the_editor_alone(admin_client, admin_user, next_issue):
    response = admin_client.post(SEND + "test/", follow=True)
    assert f"A test of the issue was sent to {admin_user.email}" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[admin_user.email]]
    sent = mail.outbox[0]
    assert sent.subject.startswith("[Test] Dispatch digest")
    assert "From the admin" in sent.body and "By Ann Writer" in sent.body
    assert "From the admin" in sent.alternatives[0].content
    assert not Issue.objects.exists()
    assert admin_client.get(SEND + "test/").status_code == 405


def test_only_the_confirmation_sends_to_everyone(admin_client, admin_user, next_issue, commits):
    readers, article = next_issue
    form = confirmation_form(admin_client)
    assert str(article.pk) in form["article"]
    with commits():
        response = admin_client.post(SEND, form, follow=True)
    assert "2 subscribers, 1 batches queued" in response.content.decode()
    issue = Issue.objects.get()
    assert issue.created_by == admin_user and issue.status == Issue.Status.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)
    assert "By Ann Writer" in mail.outbox[0].body
    page = admin_client.get(SEND).content.decode()
    assert "Nothing to send" in page


def test_the_confirmation_needs_the_csrf_token(client, admin_user, next_issue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(SEND, confirmation_form(client)).status_code == 403
    assert not Issue.objects.exists() and mail.outbox == []


def test_a_preview_overtaken_by_news_sends_nothing(admin_client, next_issue, make_article, commits):
    form = confirmation_form(admin_client)
    make_article(headline="Breaking meanwhile", published_at=timezone.now())
    with commits():
        response = admin_client.post(SEND, form, follow=True)
    html = response.content.decode()
    assert "changed since the preview" in html and "Breaking meanwhile" in html
    assert not Issue.objects.exists() and mail.outbox == []


def test_deliveries_are_read_only(admin_client, make_article, make_subscriber):
    issue = sent_issue(make_article, readers=[make_subscriber()])
    delivery = issue.deliveries.get()
    assert admin_client.get("/admin/newsletter/delivery/").status_code == 200
    response = admin_client.get(f"/admin/newsletter/delivery/{delivery.pk}/change/")
    assert response.status_code == 200 and "Save" not in response.content.decode()


# --- Archive ---------------------------------------------------------------------------------


def test_archive_lists_sent_issues_only(client, make_article, django_assert_num_queries):
    old = sent_issue(make_article, subject="Old news")
    sent_issue(make_article, subject="New news")
    Issue.objects.create(subject="Still sending", covers_until=timezone.now())
    with django_assert_num_queries(2):
        html = client.get("/newsletter/archive/").content.decode()
    assert html.index("New news") < html.index("Old news")
    assert "Still sending" not in html
    assert f'href="/newsletter/archive/{old.pk}/"' in html


def test_an_issue_page_shows_its_articles(client, make_article, django_assert_num_queries):
    issue = sent_issue(make_article, subject="Monday")
    article = issue.articles.get()
    with django_assert_num_queries(2):
        response = client.get(f"/newsletter/archive/{issue.pk}/")
    html = response.content.decode()
    assert "<h1" in html and "Monday" in html
    assert f'href="{article.get_absolute_url()}"' in html


def test_an_unsent_or_missing_issue_is_404(client):
    sending_issue = Issue.objects.create(subject="Not yet", covers_until=timezone.now())
    assert client.get(f"/newsletter/archive/{sending_issue.pk}/").status_code == 404
    assert client.get("/newsletter/archive/99999/").status_code == 404
    assert client.get("/newsletter/archive/?page=zzz").status_code == 200


def test_rendered_issue_links_are_absolute(make_article, settings):
    article = make_article(published_at=timezone.now() - datetime.timedelta(minutes=1))
    issue = digest.compose_issue()
    bodies = digest.render_issue(issue).for_subscriber("https://news.example.org/u/x/")
    assert f"https://news.example.org{article.get_absolute_url()}" in bodies.html
    assert 'href="/' not in bodies.html
    assert sending.list_id() == "Dispatch newsletter <newsletter.news.example.org>"


def test_text_in_an_article_never_becomes_a_subscribers_unsubscribe_link(make_article):
    # The link used to go where a fixed public string stood, so an article carrying that
    # string put each subscriber's private link into its text.
    make_article(
        headline="Why newsletter-unsubscribe-url-7c1e matters",
        published_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    issue = digest.compose_issue()
    private = "https://news.example.org/newsletter/unsubscribe/private-token/"
    bodies = digest.render_issue(issue).for_subscriber(private)
    for body in (bodies.text, bodies.html):
        assert "Why newsletter-unsubscribe-url-7c1e matters" in body
        assert body.count(private) == body.count("private-token")
        assert private in body
