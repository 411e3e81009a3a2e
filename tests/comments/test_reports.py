"""Readers report comments with a reason, see the outcome next to the comment, and may undo
it for a short while: the rules (comments.services.report and withdraw_report) and the
pages (the report page without JavaScript, JSON for the page's script)."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone

from comments import services
from comments.models import Comment, Flag, ModerationDecision
from portal import ratelimit

pytestmark = pytest.mark.django_db

Action = ModerationDecision.Action
JSON = {"Accept": "application/json"}


def key_of(address: str) -> str:
    return ratelimit.client_key(RequestFactory().post("/", REMOTE_ADDR=address))


def report_url(comment: Comment) -> str:
    return f"/comments/{comment.pk}/report/"


def undo_url(comment: Comment) -> str:
    return f"/comments/{comment.pk}/report/undo/"


# The rules


def test_a_report_needs_one_of_the_reasons_and_a_short_note(make_comment):
    comment = make_comment()
    for reason in ("", "boring", None):
        with pytest.raises(services.ReportInvalid) as refused:
            services.report(comment=comment, client_key="a", reason=reason)
        assert refused.value.field == "reason"
    with pytest.raises(services.ReportInvalid) as refused:
        services.report(comment=comment, client_key="a", reason="other", note="x" * 301)
    assert refused.value.field == "note" and "300 characters" in str(refused.value)
    assert not Flag.objects.exists()
    comment.refresh_from_db()
    assert comment.report_count == 0

    reported = services.report(
        comment=comment, client_key="a", reason="other", note="  " + "x" * 300 + "  "
    )
    assert reported.created and not reported.held and reported.withdrawable
    flag = Flag.objects.get()
    assert (flag.reason, flag.note, flag.withdrawn) == ("other", "x" * 300, None)


def test_the_reader_withdraws_a_report_within_the_window_and_it_is_kept(make_comment, settings):
    settings.COMMENT_REPORT_UNDO_SECONDS = 60
    comment = make_comment()
    services.report(comment=comment, client_key="b", reason="spam")
    services.report(comment=comment, client_key="a", reason="abusive", note="insults me")
    withdrawn = services.withdraw_report(comment=comment, client_key="a")
    assert not withdrawn.republished
    flag = Flag.objects.get(client_key="a")
    assert flag.withdrawn is not None and (flag.reason, flag.note) == ("abusive", "insults me")
    comment.refresh_from_db()
    assert (comment.report_count, comment.report_weight) == (1, 1)
    assert comment in Comment.objects.needs_review()  # b's report still waits
    # Once only; and only the client that filed it.
    with pytest.raises(services.WithdrawRefused):
        services.withdraw_report(comment=comment, client_key="a")
    with pytest.raises(services.WithdrawRefused):
        services.withdraw_report(comment=comment, client_key="someone-else")
    later = timezone.now() + datetime.timedelta(seconds=61)
    with time_machine.travel(later), pytest.raises(services.WithdrawRefused):
        services.withdraw_report(comment=comment, client_key="b")
    comment.refresh_from_db()
    assert (comment.report_count, Flag.objects.count()) == (1, 2)


def test_withdrawing_the_last_report_takes_the_comment_out_of_the_queue(make_comment):
    comment = make_comment()
    services.report(comment=comment, client_key="a", reason="spam")
    assert comment in Comment.objects.needs_review()
    services.withdraw_report(comment=comment, client_key="a")
    comment.refresh_from_db()
    assert (comment.report_count, comment.report_weight, comment.review_since) == (0, 0, None)


def test_withdrawing_the_report_that_held_the_comment_publishes_it_again(make_comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 2
    comment = make_comment()
    services.report(comment=comment, client_key="a", reason="spam")
    services.report(comment=comment, client_key="b", reason="spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    withdrawn = services.withdraw_report(comment=comment, client_key="b")
    assert withdrawn.republished
    comment.refresh_from_db()
    assert (comment.status, comment.report_count, comment.report_weight) == ("published", 1, 1)
    assert comment in Comment.objects.needs_review()  # a's report still waits
    undo, hold = comment.decisions.all()[:2]
    assert (undo.action, undo.moderator, undo.moderator_name) == (Action.UNDO, None, "")
    assert (undo.from_status, undo.to_status) == ("held", "published")
    assert undo.reason == "report withdrawn by the reader"
    assert hold.action == Action.HOLD_REPORTED  # kept on record


def test_a_moderators_decision_after_the_report_stands(make_comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 2
    moderator = get_user_model().objects.create_user("mod", password="x")
    comment = make_comment()
    services.report(comment=comment, client_key="a", reason="spam")
    services.report(comment=comment, client_key="b", reason="spam")
    services.moderate(comment=comment, moderator=moderator, action=Action.HOLD, reason="look")
    services.withdraw_report(comment=comment, client_key="b")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert (comment.report_count, comment.report_weight) == (2, 2)  # the moderator's to see
    assert not comment.decisions.filter(action=Action.UNDO).exists()
    assert Flag.objects.get(client_key="b").withdrawn is not None


def test_after_an_approval_a_withdrawal_does_not_take_off_later_reports(make_comment):
    moderator = get_user_model().objects.create_user("mod", password="x")
    comment = make_comment()
    services.report(comment=comment, client_key="a", reason="spam")
    services.approve(comment=comment, moderator=moderator)
    services.report(comment=comment, client_key="b", reason="hate")
    services.withdraw_report(comment=comment, client_key="a")
    comment.refresh_from_db()
    assert (comment.report_count, comment.status) == (1, "published")


def test_filing_and_withdrawing_again_and_again_does_not_dodge_the_hourly_limit(
    make_comment, settings
):
    settings.COMMENT_REPORTS_PER_HOUR = 3
    comment, other = make_comment(), make_comment(text="Another remark")
    for reason in ("spam", "hate"):
        services.report(comment=comment, client_key="a", reason=reason)
        services.withdraw_report(comment=comment, client_key="a")
    # Filed again after a withdrawal: the same row, with the new reason.
    services.report(comment=comment, client_key="a", reason="off_topic", note="about cars")
    flag = Flag.objects.get()
    assert (flag.reason, flag.note, flag.withdrawn, flag.filings) == (
        "off_topic",
        "about cars",
        None,
        3,
    )
    comment.refresh_from_db()
    assert comment.report_count == 1
    with pytest.raises(services.TooManyReports):
        services.report(comment=other, client_key="a", reason="spam")
    services.withdraw_report(comment=comment, client_key="a")
    with pytest.raises(services.TooManyReports):
        services.report(comment=comment, client_key="a", reason="spam")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        assert services.report(comment=other, client_key="a", reason="spam").created


def test_a_report_filed_again_can_hold_the_comment_again(make_comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 2
    comment = make_comment()
    services.report(comment=comment, client_key="a", reason="spam")
    services.report(comment=comment, client_key="b", reason="spam")
    services.withdraw_report(comment=comment, client_key="b")
    assert services.report(comment=comment, client_key="b", reason="hate").held
    actions = list(comment.decisions.order_by("created", "id").values_list("action", flat=True))
    assert actions == [Action.HOLD_REPORTED, Action.UNDO, Action.HOLD_REPORTED]


# The pages, without JavaScript


def test_the_report_page_shows_the_comment_and_the_reasons(client, make_comment):
    comment = make_comment(text="Buy cheap watches at my shop")
    response = client.get(report_url(comment))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Buy cheap watches at my shop" in html
    # No token: reports are checked by origin (portal/csrf.py), like the panel's.
    assert "csrfmiddlewaretoken" not in html and 'name="robots" content="noindex"' in html
    for value, label in Flag.Reason.choices:
        assert f'value="{value}" id="report-reason-{value}"' in html and label in html
    assert 'name="note"' in html and 'maxlength="300"' in html


def test_reporting_without_a_reason_shows_the_form_again_with_the_note(client, make_comment):
    comment = make_comment()
    response = client.post(report_url(comment), {"note": "He keeps posting this <b>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose why you are reporting this comment." in html
    assert "He keeps posting this &lt;b&gt;</textarea>" in html
    assert "<title>Error: Report a comment" in html
    response = client.post(report_url(comment), {"reason": "nonsense", "note": "kept"})
    assert response.status_code == 400 and ">kept</textarea>" in response.content.decode()
    assert not Flag.objects.exists()


def test_a_report_is_confirmed_next_to_the_comment_and_can_be_undone(client, make_comment):
    comment = make_comment(text="The remark in question")
    make_comment(text="A later remark")
    response = client.post(report_url(comment), {"reason": "spam", "note": "an advert"})
    assert response.status_code == 303
    url = comment.article.get_absolute_url()
    assert response["Location"] == f"{url}?from={comment.pk}#c{comment.pk}"
    html = client.get(response["Location"]).content.decode()
    item = re.search(rf'<li class="comment" id="c{comment.pk}">.*?</li>', html, re.S).group()
    assert "Thank you. A moderator will look at this comment." in item
    assert f'action="{undo_url(comment)}"' in item and "csrfmiddlewaretoken" not in item
    assert html.count("A moderator will look at this comment.") == 1  # not a banner too
    # Shown once: the next visit has no notice.
    assert "A moderator will look" not in client.get(response["Location"]).content.decode()

    undone = client.post(undo_url(comment))
    assert undone.status_code == 303
    html = client.get(undone["Location"]).content.decode()
    item = re.search(rf'<li class="comment" id="c{comment.pk}">.*?</li>', html, re.S).group()
    assert "Your report was withdrawn." in item
    assert Flag.objects.get().withdrawn is not None
    comment.refresh_from_db()
    assert comment.report_count == 0


def test_reporting_again_says_so(client, make_comment):
    comment = make_comment()
    client.post(report_url(comment), {"reason": "spam"})
    again = client.post(report_url(comment), {"reason": "hate"}, follow=True)
    assert "You have already reported this comment." in again.content.decode()
    assert Flag.objects.get().reason == "spam"


def test_a_report_that_hides_the_comment_says_so_above_the_comments(make_comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 1
    comment = make_comment(text="A contested remark")
    reader = Client()
    response = reader.post(report_url(comment), {"reason": "hate"})
    assert response["Location"] == f"{comment.article.get_absolute_url()}#comments"
    html = reader.get(response["Location"]).content.decode()
    assert "A contested remark" not in html
    assert "yours has hidden this comment until a moderator has looked at it" in html
    reader.post(undo_url(comment))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert "A contested remark" in Client().get(comment.article.get_absolute_url()).content.decode()


def test_undo_is_refused_after_the_window_and_for_another_client(client, make_comment, settings):
    settings.COMMENT_REPORT_UNDO_SECONDS = 60
    comment = make_comment()
    client.post(report_url(comment), {"reason": "spam"})
    other = Client(REMOTE_ADDR="192.0.2.77")
    refused = other.post(undo_url(comment))
    assert refused.status_code == 409
    assert "can be withdrawn within 60 seconds" in refused.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert client.post(undo_url(comment), headers=JSON).status_code == 409
    assert Flag.objects.get().withdrawn is None


@pytest.mark.parametrize("status", [Comment.Status.HELD, Comment.Status.REMOVED])
def test_only_published_comments_can_be_reported(client, make_comment, status):
    comment = make_comment(status=status)
    assert client.get(report_url(comment)).status_code == 404
    assert client.post(report_url(comment), {"reason": "spam"}).status_code == 404


def test_unknown_comments_and_wrong_methods_are_refused(client, make_comment):
    assert client.get("/comments/999999/report/").status_code == 404
    assert client.post("/comments/999999/report/", {"reason": "spam"}).status_code == 404
    assert client.post("/comments/999999/report/undo/").status_code == 404
    comment = make_comment()
    assert client.put(report_url(comment)).status_code == 405
    assert client.get(undo_url(comment)).status_code == 405
    assert client.post(undo_url(comment)).status_code == 409  # nothing to withdraw


def test_reports_from_another_site_are_refused_and_from_this_one_accepted(make_comment):
    comment = make_comment()
    strict = Client(enforce_csrf_checks=True)
    foreign = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    refused = strict.post(report_url(comment), {"reason": "spam"}, headers=foreign)
    assert refused.status_code == 403
    assert strict.post(undo_url(comment), headers=foreign).status_code == 403
    assert not Flag.objects.exists()
    own = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}
    assert strict.post(report_url(comment), {"reason": "spam"}, headers=own).status_code == 303
    assert strict.post(undo_url(comment), headers=own).status_code == 303
    assert Flag.objects.get().withdrawn


def test_the_article_page_carries_no_per_comment_report_form(client, seed_article, make_comment):
    # Comments add no form of their own (and no page carries a CSRF token).
    empty = client.get(seed_article.get_absolute_url()).content.decode()
    for n in range(6):
        make_comment(text=f"Remark {n}")
    cache.clear()  # make_comment does not go through the service that renews cached pages
    html = Client().get(seed_article.get_absolute_url()).content.decode()
    assert html.count("csrfmiddlewaretoken") == empty.count("csrfmiddlewaretoken")
    # One more form: the panel's, inside the one <template>, with no token.
    assert html.count("<form") == empty.count("<form")
    assert html.count('data-report-link>Report<span class="visually-hidden">') == 6
    assert html.count('<template id="report-panel-template">') == 1


# The page's script: JSON


def test_report_and_undo_as_json(client, make_comment, settings):
    settings.COMMENT_REPORT_UNDO_SECONDS = 60
    comment = make_comment()
    missing = client.post(report_url(comment), {"note": "kept"}, headers=JSON)
    assert missing.status_code == 400
    assert missing.json()["errors"] == {
        "reason": ["Please choose why you are reporting this comment."]
    }
    too_long = client.post(
        report_url(comment), {"reason": "other", "note": "x" * 301}, headers=JSON
    )
    assert too_long.status_code == 400 and "note" in too_long.json()["errors"]

    response = client.post(report_url(comment), {"reason": "off_topic"}, headers=JSON)
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "reported" and data["held"] is False
    assert data["message"] == "Thank you. A moderator will look at this comment."
    assert data["undo"] == undo_url(comment) and 0 < data["undo_seconds"] <= 60
    again = client.post(report_url(comment), {"reason": "spam"}, headers=JSON)
    assert (again.status_code, again.json()["status"]) == (200, "already")

    undone = client.post(undo_url(comment), headers=JSON)
    assert undone.json() == {"status": "withdrawn", "message": "Your report was withdrawn."}
    assert client.post(undo_url(comment), headers=JSON).status_code == 409


def test_one_client_files_a_limited_number_of_reports_an_hour(client, make_comment, settings):
    settings.COMMENT_REPORTS_PER_HOUR = 2
    first, second, third = (make_comment(text=f"Remark {n}") for n in range(3))
    for comment in (first, second):
        assert client.post(report_url(comment), {"reason": "spam"}).status_code == 303
    refused = client.post(report_url(third), {"reason": "spam"})
    assert refused.status_code == 429
    assert "many reports in the past hour" in refused.content.decode()
    as_json = client.post(report_url(third), {"reason": "spam"}, headers=JSON)
    assert as_json.status_code == 429
    assert "many reports in the past hour" in as_json.json()["message"]
    assert Flag.objects.filter(comment=third).count() == 0
    # Withdrawing one makes no room.
    client.post(undo_url(second))
    assert client.post(report_url(third), {"reason": "spam"}).status_code == 429
    # Reporting again what one already reported is still answered as such.
    assert (
        "already reported"
        in client.post(report_url(first), {"reason": "spam"}, follow=True).content.decode()
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        assert client.post(report_url(third), {"reason": "spam"}).status_code == 303
    assert Flag.objects.filter(comment=third).count() == 1


# Who reports, and what it weighs


def test_enough_reports_from_different_clients_hide_the_comment(make_comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 3
    comment = make_comment(text="A contested remark")
    for n in range(3):
        Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(report_url(comment), {"reason": "spam"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert (
        "A contested remark"
        not in Client().get(comment.article.get_absolute_url()).content.decode()
    )


def test_three_new_addresses_cannot_hold_a_comment(make_comment):
    comment = make_comment(text="A contested remark")
    for n in range(3):
        Client(REMOTE_ADDR=f"2001:db8:{n + 1}::1").post(report_url(comment), {"reason": "spam"})
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == (Comment.Status.PUBLISHED, 3)
    assert comment in Comment.objects.needs_review()  # a moderator still sees the reports


def test_reports_from_readers_whose_comments_were_published_weigh_more(make_comment):
    comment = make_comment(text="A contested remark")
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    for n in (1, 2):
        make_comment(text=f"My earlier view {n}", client_key=key_of(f"198.51.100.{n}"))
        Comment.objects.filter(client_key=key_of(f"198.51.100.{n}")).update(created=two_days_ago)
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(report_url(comment), {"reason": "abusive"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert comment.decisions.get().reason == "2 reader reports, weighing 4"


def test_a_comment_written_minutes_ago_gives_no_history(make_comment):
    comment = make_comment(text="A contested remark")
    for n in (1, 2):
        make_comment(text=f"Fresh view {n}", client_key=key_of(f"198.51.100.{n}"))
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(report_url(comment), {"reason": "abusive"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


@pytest.mark.parametrize("count", [1, 40])
def test_the_article_page_takes_the_same_queries_whatever_the_reports(
    seed_article, make_comment, django_assert_num_queries, count, settings
):
    # Counted with sessions in the database, as without REDIS_URL; with Redis the session is
    # read from the cache, one query fewer (tests/portal/test_sessions.py).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    comments = [make_comment(text=f"Remark {n}") for n in range(count)]
    for comment in comments:
        for reason in ("spam", "hate"):
            Flag.objects.create(comment=comment, client_key=f"{reason}-{comment.pk}", reason=reason)
    reader = Client()
    reader.post(report_url(comments[-1]), {"reason": "off_topic", "note": "cars"})
    # With the reader's session (the notice and its Undo form, next to the comment):
    # article+source, topics, comment count, the session, dropping it once the notice is
    # read (2: it held nothing else), one page of comments.
    with django_assert_num_queries(7):
        html = reader.get(seed_article.get_absolute_url()).content.decode()
    assert html.count("A moderator will look at this comment.") == 1
    assert html.count('data-report-link>Report<span class="visually-hidden">') == count
