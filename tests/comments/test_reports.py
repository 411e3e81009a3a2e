"""Readers report comments from the page, once per client."""

import datetime

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from comments.models import Comment, Flag
from portal import ratelimit

pytestmark = pytest.mark.django_db


def test_reader_reports_a_comment_once(client, make_comment):
    comment = make_comment()
    url = f"/comments/{comment.pk}/report/"
    first = client.post(url, follow=True)
    assert first.redirect_chain[0][1] == 303
    assert "A moderator will look at this comment." in first.content.decode()
    again = client.post(url, follow=True)
    assert "You have already reported this comment." in again.content.decode()
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_enough_reports_from_different_clients_hide_the_comment(make_comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 3
    comment = make_comment(text="A contested remark")
    for n in range(3):
        Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(f"/comments/{comment.pk}/report/")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert (
        "A contested remark"
        not in Client().get(comment.article.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize("status", [Comment.Status.HELD, Comment.Status.REMOVED])
def test_only_published_comments_can_be_reported(client, make_comment, status):
    comment = make_comment(status=status)
    assert client.post(f"/comments/{comment.pk}/report/").status_code == 404


def test_unknown_comment_and_get_are_refused(client, make_comment):
    assert client.post("/comments/999999/report/").status_code == 404
    assert client.get(f"/comments/{make_comment().pk}/report/").status_code == 405


def test_report_json(client, make_comment):
    comment = make_comment()
    response = client.post(
        f"/comments/{comment.pk}/report/", headers={"Accept": "application/json"}
    )
    assert response.json()["status"] == "reported"


def key_of(address: str) -> str:
    return ratelimit.client_key(RequestFactory().post("/", REMOTE_ADDR=address))


def test_one_client_files_a_limited_number_of_reports_an_hour(client, make_comment, settings):
    settings.COMMENT_REPORTS_PER_HOUR = 2
    first, second, third = (make_comment(text=f"Remark {n}") for n in range(3))
    for comment in (first, second):
        assert client.post(f"/comments/{comment.pk}/report/").status_code == 303
    refused = client.post(f"/comments/{third.pk}/report/")
    assert refused.status_code == 429
    assert "many reports in the past hour" in refused.content.decode()
    as_json = client.post(f"/comments/{third.pk}/report/", headers={"Accept": "application/json"})
    assert as_json.status_code == 429
    assert "many reports in the past hour" in as_json.json()["message"]
    assert Flag.objects.filter(comment=third).count() == 0
    # Reporting again what one already reported is still answered as such.
    assert (
        "already reported"
        in client.post(f"/comments/{first.pk}/report/", follow=True).content.decode()
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        assert client.post(f"/comments/{third.pk}/report/").status_code == 303
    assert Flag.objects.filter(comment=third).count() == 1


def test_three_new_addresses_cannot_hold_a_comment(make_comment):
    comment = make_comment(text="A contested remark")
    for n in range(3):
        Client(REMOTE_ADDR=f"2001:db8:{n + 1}::1").post(f"/comments/{comment.pk}/report/")
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Comment.Status.PUBLISHED, 3)
    assert comment in Comment.objects.needs_review()  # a moderator still sees the reports


def test_reports_from_readers_whose_comments_were_published_weigh_more(make_comment):
    comment = make_comment(text="A contested remark")
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    for n in (1, 2):
        make_comment(text=f"My earlier view {n}", client_key=key_of(f"198.51.100.{n}"))
        Comment.objects.filter(client_key=key_of(f"198.51.100.{n}")).update(created=two_days_ago)
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(f"/comments/{comment.pk}/report/")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert comment.decisions.get().reason == "2 reader reports, weighing 4"


def test_a_comment_written_minutes_ago_gives_no_history(make_comment):
    comment = make_comment(text="A contested remark")
    for n in (1, 2):
        make_comment(text=f"Fresh view {n}", client_key=key_of(f"198.51.100.{n}"))
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(f"/comments/{comment.pk}/report/")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
