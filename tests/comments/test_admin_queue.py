"""Moderators work in the admin queue; every action is recorded and nothing is deleted."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client

from comments.models import Comment, ModerationDecision

pytestmark = pytest.mark.django_db
QUEUE = "/admin/comments/moderationqueue/"
ALL = "/admin/comments/comment/"


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    client.user = moderator
    return client


def test_moderators_group_has_exactly_the_permissions_the_work_needs():
    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )
    assert codenames == {
        "view_comment",
        "moderate_comment",
        "view_moderationqueue",
        "view_moderationdecision",
        "view_flag",
        "view_commenter",
        "moderate_commenter",
    }


def test_queue_shows_held_and_reported_oldest_first_with_reasons_and_highlights(
    moderator_client, make_comment
):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    make_comment(text="clean and unreported", created=now)
    held = make_comment(
        text="You are an idiot",
        status=Comment.Status.HELD,
        created=now - datetime.timedelta(hours=2),
        screening_reasons=[
            {"decision": "hold", "code": "insult", "score": 0.8, "spans": [[11, 16]], "detail": ""}
        ],
    )
    reported = make_comment(
        text="reported one", report_count=2, created=now - datetime.timedelta(hours=1)
    )
    html = moderator_client.get(QUEUE).content.decode()
    assert "clean and unreported" not in html
    assert html.index("You are an ") < html.index("reported one")
    assert "You are an <mark>idiot</mark>" in html
    assert "insult (hold: 0.80)" in html
    assert f"{held.pk}/moderate/" in html and f"{reported.pk}/moderate/" in html
    assert 'data-shortcut="a"' in html


def test_filters_and_search(moderator_client, make_comment):
    make_comment(
        text="spammy", status=Comment.Status.HELD, screening_reasons=[{"code": "spam_links"}]
    )
    make_comment(
        text="rude",
        user_name="Grumpy",
        status=Comment.Status.HELD,
        screening_reasons=[{"code": "insult"}],
    )
    by_reason = moderator_client.get(QUEUE + "?reason=spam_links").content.decode()
    assert "spammy" in by_reason and "rude" not in by_reason
    by_name = moderator_client.get(QUEUE + "?q=grumpy").content.decode()
    assert "rude" in by_name and "spammy" not in by_name
    by_status = moderator_client.get(ALL + "?status__exact=held").content.decode()
    assert "spammy" in by_status


def test_reason_filter_offers_every_code_the_screening_gives(moderator_client, make_comment):
    make_comment(
        text="I will find you",
        status=Comment.Status.HELD,
        screening_reasons=[{"code": "threat"}, {"code": "insult"}],
    )
    make_comment(text="broken check", status=Comment.Status.HELD, screening_reasons=[])
    page = moderator_client.get(QUEUE).content.decode()
    assert "?reason=threat" in page and "?reason=check_error" in page
    by_reason = moderator_client.get(QUEUE + "?reason=threat").content.decode()
    assert "I will find you" in by_reason and "broken check" not in by_reason


def test_row_button_approves_and_records_the_decision(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    response = moderator_client.post(
        f"{QUEUE}{comment.pk}/moderate/", {"moderate": "approve"}, headers={"Referer": QUEUE}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    decision = ModerationDecision.objects.get()
    assert decision.moderator == moderator_client.user and decision.action == "approve"


def test_unknown_action_changes_nothing(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    moderator_client.post(f"{QUEUE}{comment.pk}/moderate/", {"moderate": "delete"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert ModerationDecision.objects.count() == 0


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", "published"),
        ("remove_abusive", "removed"),
        ("remove_off_topic", "removed"),
        ("remove_spam", "removed"),
    ],
)
def test_bulk_actions_go_through_the_service(admin_client, make_comment, action, status):
    comments = [make_comment(status=Comment.Status.HELD) for _ in range(3)]
    response = admin_client.post(
        QUEUE, {"action": action, "_selected_action": [c.pk for c in comments]}
    )
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    assert ModerationDecision.objects.filter(action=action).count() == 3
    assert Comment.objects.count() == 3  # nothing deleted


def test_removed_comment_can_be_restored_from_all_comments(admin_client, make_comment):
    comment = make_comment(status=Comment.Status.REMOVED)
    admin_client.post(ALL, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_nobody_deletes_or_edits_comments_in_the_admin(admin_client, make_comment):
    comment = make_comment()
    assert admin_client.get(f"{ALL}{comment.pk}/delete/").status_code == 403
    assert "delete_selected" not in admin_client.get(ALL).content.decode()
    admin_client.post(f"{ALL}{comment.pk}/change/", {"text": "edited", "user_name": "x"})
    comment.refresh_from_db()
    assert comment.text == "A published comment about the SCO."


def test_staff_without_the_permission_cannot_moderate(make_comment):
    user = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = Client()
    client.force_login(user)
    comment = make_comment(status=Comment.Status.HELD)
    assert client.post(f"{ALL}{comment.pk}/moderate/", {"moderate": "approve"}).status_code == 403
    client.post(ALL, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert ModerationDecision.objects.count() == 0


def test_anonymous_users_cannot_reach_the_queue(client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    assert client.get(QUEUE).status_code == 302
    response = client.post(f"{QUEUE}{comment.pk}/moderate/", {"moderate": "approve"})
    assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_changelist_never_counts_the_whole_table(admin_client, make_comment):
    from django.test.utils import CaptureQueriesContext

    for _ in range(30):
        make_comment(status=Comment.Status.HELD)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(QUEUE)
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # Every count is over a LIMITed subquery (capped), never the full table.
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_reported_comment_joins_the_queue_and_leaves_it_when_approved(make_comment):
    from comments import services

    comment = make_comment()
    assert not Comment.objects.needs_review().filter(pk=comment.pk).exists()
    services.report(comment=comment, client_key="reader-1", reason="spam")
    assert Comment.objects.needs_review().filter(pk=comment.pk).exists()
    moderator = get_user_model().objects.create_user("m2", password="pw")
    services.approve(comment=comment, moderator=moderator)
    assert not Comment.objects.needs_review().filter(pk=comment.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_queue_page_is_an_index_range_scan_whatever_the_table_size(make_comment):
    """A million published comments must not be read to show fifty held ones."""

    from comments.admin import ModerationQueueAdmin

    queryset = Comment.objects.needs_review().select_related("article")
    queryset = queryset.order_by(*ModerationQueueAdmin.ordering)[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "USING INDEX comment_review_queue_idx" in plan, plan
    assert "TEMP B-TREE" not in plan and "SCAN comments_comment " not in plan, plan
