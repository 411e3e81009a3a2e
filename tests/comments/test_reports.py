"""Readers report comments from the page, once per client."""

import pytest
from django.test import Client

from comments.models import Comment

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
