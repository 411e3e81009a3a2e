"""The moderation workspace in the admin: cards, tabs, actions, undo, bulk, permissions and
a fixed number of queries."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from comments import services, tallies, workspace
from comments.models import Comment, Commenter, Flag, ModerationDecision

pytestmark = pytest.mark.django_db
WORKSPACE = "/admin/comments/moderationqueue/workspace/"
Action = ModerationDecision.Action


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    client.user = moderator
    return client


def card_of(html: str, comment: Comment) -> str:
    """The HTML of one comment's card on the page."""
    start = html.index(f'id="card-{comment.pk}"')
    return html[start : html.find('class="ws-card"', start + 1) % (len(html) + 1)]


def decide(client, comment, next_url=WORKSPACE, **data):
    return client.post(f"{WORKSPACE}{comment.pk}/", {"next": next_url, **data})


INSULT = [{"decision": "hold", "code": "insult", "score": 0.8, "spans": [[11, 16]], "detail": ""}]


# Who may use it


def test_anonymous_visitors_are_sent_to_the_login(client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    assert "/admin/login/" in client.get(WORKSPACE).headers["Location"]
    response = decide(client, comment, decision="approve")
    assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_staff_without_the_moderate_permission_get_403_everywhere(make_comment):
    user = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = Client()
    client.force_login(user)
    comment = make_comment(status=Comment.Status.HELD)
    assert client.get(WORKSPACE).status_code == 403
    assert decide(client, comment, decision="approve").status_code == 403
    assert client.post(f"{WORKSPACE}bulk/", {"comment": [comment.pk]}).status_code == 403
    assert client.post(f"{WORKSPACE}undo/", {"token": "x"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD and not ModerationDecision.objects.exists()


def test_the_moderators_group_uses_it_in_the_admins_look(moderator_client):
    response = moderator_client.get(WORKSPACE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dispatch administration" in html and 'class="breadcrumbs"' in html
    assert "<title>Moderation workspace | Dispatch admin</title>" in html


# The card


def test_a_card_shows_what_a_moderator_needs_to_decide(
    moderator_client, make_comment, make_article
):
    article = make_article(headline="Harbour reopens after the storm")
    now = timezone.now()
    make_comment(
        article=article,
        user_name="Early",
        text="First thoughts.",
        created=now - datetime.timedelta(hours=3),
    )
    make_comment(
        article=article,
        user_name="Second",
        text="Right before.",
        created=now - datetime.timedelta(hours=2),
    )
    make_comment(
        article=article,
        user_name="Hidden",
        text="Held before, not seen by readers.",
        status=Comment.Status.HELD,
        created=now - datetime.timedelta(minutes=90),
    )
    make_comment(
        user_name="Grumpy",
        text="An old removed rant.",
        status=Comment.Status.REMOVED,
        created=now - datetime.timedelta(days=2),
    )
    make_comment(
        user_name="Other Name",
        text="Same device, other name.",
        client_key="client-1",
        created=now - datetime.timedelta(days=1),
    )
    comment = make_comment(
        article=article,
        user_name="Grumpy",
        text="You are an idiot",
        status=Comment.Status.HELD,
        client_key="client-1",
        screening_reasons=INSULT,
        screening_model="m1234",
        report_count=2,
        created=now - datetime.timedelta(hours=1),
    )
    Flag.objects.create(comment=comment, client_key="r1")
    services.moderate(
        comment=comment, moderator=None, action=Action.HOLD_REPORTED, reason="2 reports"
    )

    card = card_of(moderator_client.get(WORKSPACE).content.decode(), comment)
    assert "You are an <mark>idiot</mark>" in card
    assert "<strong>Insult</strong> <code>insult</code> (hold: 0.80)" in card
    assert "model m1234" in card
    assert "2 waiting for review" in card
    assert "Hold after reader reports by the portal" in card and "2 reports" in card
    # The commenter's history, under the name and from the same client, with outcomes.
    assert "1 under the name “Grumpy”; 1 from the same client." in card
    assert re.search(r"Removed</span> \d+ \w+: An old removed rant", card)
    assert "as “Other Name”: Same device, other name." in card
    # The thread as readers saw it: the published comments just before, oldest first.
    assert card.index("First thoughts.") < card.index("Right before.")
    assert "Held before" not in card
    # The article's public page, not an admin page moderators cannot open.
    assert f'href="{article.get_absolute_url()}">Harbour reopens after the storm</a>' in card
    assert 'href="/admin/articles' not in card
    # The actions, as a real form.
    for button in (
        'value="approve"',
        'value="hold"',
        'value="remove"',
        'name="category"',
        'name="note"',
    ):
        assert button in card
    assert "COMMENTER ACTIONS" not in card  # the marked place for ban/trust is a template comment


def test_a_card_shows_each_readers_reason_and_a_tally_without_withdrawn_reports(
    moderator_client, make_comment
):
    comment = make_comment(text="Buy watches at my shop", report_count=4)
    reports = [
        ("r1", "spam", "an advert for <watches>", None),
        ("r2", "spam", "", None),
        ("r3", "off_topic", "", None),
        ("r4", "", "", None),  # filed before readers were asked why
        ("r5", "hate", "changed my mind", timezone.now()),
    ]
    for key, reason, note, withdrawn in reports:
        Flag.objects.create(
            comment=comment, client_key=key, reason=reason, note=note, withdrawn=withdrawn
        )
    card = card_of(moderator_client.get(f"{WORKSPACE}?tab=reported").content.decode(), comment)
    assert (
        '<span class="ws-report-tally">4 reports: 2 spam or advertising, 1 no reason given, '
        "1 off-topic</span>" in card
    )
    assert ": Spam or advertising: “an advert for &lt;watches&gt;”</li>" in card
    assert ": Off-topic</li>" in card and ": no reason given</li>" in card
    assert "Hateful" not in card and "changed my mind" not in card
    assert Flag.objects.count() == 5  # the withdrawn report is kept


def test_the_comment_admin_lists_reports_with_reasons(admin_client, make_comment):
    comment = make_comment(report_count=1)
    Flag.objects.create(comment=comment, client_key="r1", reason="abusive", note="rude to me")
    Flag.objects.create(comment=comment, client_key="r2", reason="spam", withdrawn=timezone.now())
    html = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "Abusive or harassing" in html and "rude to me" in html
    assert "Spam or advertising" in html  # withdrawn, and still on record


def test_the_text_is_escaped_around_the_highlights(moderator_client, make_comment):
    comment = make_comment(
        text="<b>You</b> idiot",
        status=Comment.Status.HELD,
        screening_reasons=[
            {"decision": "hold", "code": "insult", "score": 0.7, "spans": [[11, 16]]}
        ],
    )
    card = card_of(moderator_client.get(WORKSPACE).content.decode(), comment)
    assert "&lt;b&gt;You&lt;/b&gt; <mark>idiot</mark>" in card


# Tabs


def test_tabs_show_their_comments_and_counts(moderator_client, make_comment, moderator):
    held = make_comment(status=Comment.Status.HELD, text="Held one")
    reported = make_comment(text="Reported one", report_count=1)
    machine = make_comment(
        status=Comment.Status.REMOVED, screening="remove", text="Machine removal"
    )
    looked_at = make_comment(status=Comment.Status.HELD, screening="remove", text="Looked at")
    services.remove(comment=looked_at, moderator=moderator)
    published = make_comment(text="Plain published")

    def shown(tab):
        html = moderator_client.get(f"{WORKSPACE}?tab={tab}").content.decode()
        return {c.text for c in Comment.objects.all() if f'id="card-{c.pk}"' in html}, html

    texts, html = shown("held")
    assert texts == {held.text}
    assert re.search(r'aria-current="page">Held <span class="ws-count">1</span>', html)
    assert 'Reported <span class="ws-count">1</span>' in html
    assert 'Removed by the machine <span class="ws-count">1</span>' in html
    assert 'All <span class="ws-count">5</span>' in html
    assert shown("reported")[0] == {reported.text}
    assert shown("machine")[0] == {machine.text}
    assert shown("all")[0] == {c.text for c in (held, reported, machine, looked_at, published)}
    assert shown("nonsense")[0] == {held.text}  # an unknown tab is the held one


def test_counts_stop_at_their_cap_and_say_so(moderator_client, make_comment, monkeypatch):
    monkeypatch.setattr(workspace, "COUNT_CAP", 3)
    monkeypatch.setattr(workspace, "HISTORY_COUNT_CAP", 2)
    now = timezone.now()
    for n in range(4):
        make_comment(
            status=Comment.Status.HELD,
            user_name="Prolific",
            client_key="busy-client",
            text=f"Held {n}",
            created=now - datetime.timedelta(minutes=n),
        )
    make_comment(user_name="Quiet", text="Once", created=now - datetime.timedelta(hours=1))
    html = moderator_client.get(f"{WORKSPACE}?tab=held").content.decode()
    assert re.search(r'aria-current="page">Held <span class="ws-count">3\+</span>', html)
    assert 'All <span class="ws-count">3+</span>' in html
    assert 'Reported <span class="ws-count">0</span>' in html
    # Four comments under the name: three others, counted up to the cap of two.
    card = card_of(html, Comment.objects.get(text="Held 0"))
    assert "2+ under the name “Prolific”; 2+ from the same client." in card
    # The newest others are shown, newest first.
    assert card.index("Held 1") < card.index("Held 2") < card.index("Held 3")


def test_an_empty_tab_says_so_plainly(moderator_client):
    html = moderator_client.get(WORKSPACE).content.decode()
    assert "No comment is held: nothing waits for a moderator." in html
    html = moderator_client.get(f"{WORKSPACE}?tab=machine").content.decode()
    assert "Every comment the screening removed has been looked at by a moderator." in html


def test_a_wrong_machine_removal_is_found_and_restored(moderator_client, make_comment):
    comment = make_comment(
        status=Comment.Status.REMOVED, screening="remove", text="A fair, sharp criticism."
    )
    assert (
        f'id="card-{comment.pk}"'
        in moderator_client.get(f"{WORKSPACE}?tab=machine").content.decode()
    )
    response = decide(moderator_client, comment, f"{WORKSPACE}?tab=machine", decision="approve")
    assert (
        response.status_code == 303 and response.headers["Location"] == f"{WORKSPACE}?tab=machine"
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    html = moderator_client.get(f"{WORKSPACE}?tab=machine").content.decode()
    assert f'id="card-{comment.pk}"' not in html


def test_pages_of_cards(moderator_client, make_comment, settings, monkeypatch):
    monkeypatch.setattr(workspace, "PER_PAGE", 2)
    for n in range(3):
        make_comment(status=Comment.Status.HELD, text=f"Held number {n}", user_name=f"R{n}")
    first = moderator_client.get(WORKSPACE).content.decode()
    assert "Held number 0" in first and "Held number 2" not in first
    assert "?tab=held&amp;page=2" in first
    second = moderator_client.get(f"{WORKSPACE}?tab=held&page=2").content.decode()
    assert "Held number 2" in second and "Previous page" in second
    assert (
        "Nothing more on this page" in moderator_client.get(f"{WORKSPACE}?page=9").content.decode()
    )
    assert moderator_client.get(f"{WORKSPACE}?page=x").status_code == 200


# Actions


@pytest.mark.parametrize(
    ("data", "status", "action"),
    [
        ({"decision": "approve"}, "published", Action.APPROVE),
        ({"decision": "hold"}, "held", Action.HOLD),
        ({"decision": "remove", "category": "hate"}, "removed", Action.REMOVE_HATE),
        ({"decision": "remove", "category": "off_topic"}, "removed", Action.REMOVE_OFF_TOPIC),
    ],
)
def test_card_actions_record_a_decision_with_the_note(
    moderator_client, make_comment, data, status, action
):
    comment = make_comment(report_count=1)
    next_url = f"{WORKSPACE}?tab=reported&page=1"
    response = decide(moderator_client, comment, next_url, note="Checked with the desk", **data)
    assert response.status_code == 303 and response.headers["Location"] == next_url
    comment.refresh_from_db()
    assert comment.status == status
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.reason, decision.moderator) == (
        action,
        "Checked with the desk",
        moderator_client.user,
    )
    assert Comment.objects.count() == 1


def test_a_removal_without_a_category_asks_again_and_keeps_the_note(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD, text="Borderline remark")
    response = decide(moderator_client, comment, decision="remove", note="Second opinion: nasty")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose why the comment is removed." in html
    assert 'value="Second opinion: nasty"' in html and "Borderline remark" in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD and not ModerationDecision.objects.exists()
    # Sent again from that page, with a category, it is done.
    again = moderator_client.post(
        f"{WORKSPACE}{comment.pk}/",
        {
            "decision": "remove",
            "category": "abusive",
            "note": "Second opinion: nasty",
            "next": WORKSPACE,
        },
    )
    assert again.status_code == 303
    assert ModerationDecision.objects.get().reason == "Second opinion: nasty"


def test_bad_input_is_a_4xx_never_a_500(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    assert decide(moderator_client, comment, decision="delete").status_code == 400
    assert moderator_client.post(f"{WORKSPACE}999999/", {"decision": "approve"}).status_code == 404
    assert moderator_client.get(f"{WORKSPACE}{comment.pk}/").status_code == 405
    assert moderator_client.post(WORKSPACE, {}).status_code == 405
    response = decide(moderator_client, comment, decision="approve", note="x" * 501)
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_the_way_back_stays_on_this_site(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    response = decide(moderator_client, comment, "https://evil.example/admin/", decision="approve")
    assert response.headers["Location"] == WORKSPACE
    response = decide(moderator_client, comment, "/2012/06/03/", decision="hold")
    assert response.headers["Location"] == WORKSPACE


# Undo


def undo_form(html: str) -> dict:
    token = re.search(r'name="token" value="([^"]+)"', html)
    return {"token": token.group(1), "next": WORKSPACE} if token else {}


def test_undo_after_an_action_puts_the_comment_back_as_a_new_decision(
    moderator_client, make_comment
):
    comment = make_comment(status=Comment.Status.HELD, text="Undo me")
    decide(moderator_client, comment, decision="remove", category="spam")
    html = moderator_client.get(WORKSPACE).content.decode()
    assert f"Remove as spam: the comment by {comment.user_name}." in html
    form = undo_form(html)
    assert form
    # The offer is shown once; the page after it has none.
    assert not undo_form(moderator_client.get(WORKSPACE).content.decode())

    response = moderator_client.post(f"{WORKSPACE}undo/", form)
    assert response.status_code == 303
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD and comment.review_since is not None
    assert list(comment.decisions.values_list("action", flat=True)) == [
        Action.UNDO,
        Action.REMOVE_SPAM,
    ]
    assert (
        "Undone: 1 comment(s) back as they were."
        in moderator_client.get(WORKSPACE).content.decode()
    )
    # Undoing twice is refused: the undo is now the latest decision.
    moderator_client.post(f"{WORKSPACE}undo/", form)
    assert "Not undone" in moderator_client.get(WORKSPACE).content.decode()
    assert comment.decisions.count() == 2


def test_undo_lasts_a_few_seconds(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    decide(moderator_client, comment, decision="approve")
    form = undo_form(moderator_client.get(WORKSPACE).content.decode())
    later = timezone.now() + datetime.timedelta(seconds=workspace.UNDO_SECONDS + 1)
    with time_machine.travel(later):
        moderator_client.post(f"{WORKSPACE}undo/", form)
        html = moderator_client.get(WORKSPACE).content.decode()
    assert "Too late to undo" in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_an_undo_offer_is_only_for_the_moderator_it_was_made_for(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    decide(moderator_client, comment, decision="approve")
    form = undo_form(moderator_client.get(WORKSPACE).content.decode())
    other = get_user_model().objects.create_superuser("chief", "c@example.com", "pw")
    client = Client()
    client.force_login(other)
    client.post(f"{WORKSPACE}undo/", form)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert client.post(f"{WORKSPACE}undo/", {"token": "forged"}).status_code == 303


# Bulk


def test_bulk_actions_give_each_comment_its_decision(moderator_client, make_comment):
    chosen = [make_comment(status=Comment.Status.HELD) for _ in range(3)]
    untouched = make_comment(status=Comment.Status.HELD)
    response = moderator_client.post(
        f"{WORKSPACE}bulk/",
        {
            "comment": [c.pk for c in chosen],
            "decision": "remove",
            "category": "spam",
            "note": "ring",
            "next": WORKSPACE,
        },
    )
    assert response.status_code == 303
    assert set(
        Comment.objects.filter(pk__in=[c.pk for c in chosen]).values_list("status", flat=True)
    ) == {"removed"}
    assert ModerationDecision.objects.filter(action=Action.REMOVE_SPAM, reason="ring").count() == 3
    untouched.refresh_from_db()
    assert untouched.status == Comment.Status.HELD
    html = moderator_client.get(WORKSPACE).content.decode()
    assert "Remove as spam: 3 comment(s)." in html
    moderator_client.post(f"{WORKSPACE}undo/", undo_form(html))
    assert set(Comment.objects.values_list("status", flat=True)) == {"held"}
    assert ModerationDecision.objects.filter(action=Action.UNDO).count() == 3


def test_bulk_without_a_selection_or_category_changes_nothing(moderator_client, make_comment):
    comment = make_comment(status=Comment.Status.HELD)
    response = moderator_client.post(
        f"{WORKSPACE}bulk/", {"decision": "approve", "next": WORKSPACE}
    )
    assert response.status_code == 303
    assert "Select one or more comments first" in moderator_client.get(WORKSPACE).content.decode()
    response = moderator_client.post(
        f"{WORKSPACE}bulk/", {"comment": [comment.pk], "decision": "remove", "note": "kept"}
    )
    assert response.status_code == 400 and 'value="kept"' in response.content.decode()
    assert not ModerationDecision.objects.exists()


def test_bulk_takes_the_same_queries_for_3_or_30_comments(
    moderator_client, make_comment, django_assert_num_queries, settings
):
    # Counted with sessions in the database, as without REDIS_URL; with Redis the session is
    # read from the cache, one query fewer (tests/portal/test_sessions.py).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"

    def run(n):
        ids = [make_comment(status=Comment.Status.HELD).pk for _ in range(n)]
        data = {"comment": ids, "decision": "remove", "category": "abusive", "next": WORKSPACE}
        moderator_client.post(f"{WORKSPACE}bulk/", data)  # warm the session and permissions
        # The article's tally is kept from its first change on (comments.tallies).
        tallies.recount(Comment.objects.get(pk=ids[0]).article_id)
        with django_assert_num_queries(QUERIES_PER_BULK) as captured:
            moderator_client.post(f"{WORKSPACE}bulk/", {**data, "decision": "approve"})
        return len(captured)

    assert run(3) == run(30)


# Whatever their number, a page of cards takes: session, user, permissions (2), 4 tab
# counts, the page's ids, the comments (with a reply's parent, and the ids and counts of
# their history and context), reports, their tally by reason, decisions, the history's and
# context's comments, replies (15); a bulk action:
# session, user, permissions (2), the comments' threads, the threads' comments locked, what
# readers see of them before, the locked comments, one insert of decisions, one update of
# comments, what readers see of the threads after, the article's tally moved, and the
# session's write, with savepoints (17).
QUERIES_PER_PAGE = 15
QUERIES_PER_BULK = 17


def fill_queue(make_comment, make_article, n: int):
    now = timezone.now()
    for i in range(n):
        article = make_article()
        make_comment(article=article, text=f"Before {i}", created=now - datetime.timedelta(hours=2))
        comment = make_comment(
            article=article,
            commenter=Commenter.objects.create(name=f"Name {i}", fingerprint=f"browser-{i}"),
            user_name=f"Name {i}",
            client_key=f"client-{i}",
            text=f"Held comment {i}",
            status=Comment.Status.HELD,
            screening_reasons=INSULT,
            report_count=1,
        )
        for n, reason in enumerate(Flag.Reason.values):
            Flag.objects.create(comment=comment, client_key=f"reporter-{i}-{n}", reason=reason)
        Flag.objects.create(
            comment=comment, client_key=f"withdrawn-{i}", reason="spam", withdrawn=now
        )
        services.moderate(comment=comment, moderator=None, action=Action.HOLD_REPORTED)
        # Threads: replies to the held comments, and every other one a held reply, that
        # waits longer than they do.
        for n in range(i % 5):
            make_comment(article=article, parent=comment, text=f"Reply {n} to {i}")
        if i % 2 == 0:
            make_comment(
                article=article,
                parent=comment,
                text=f"Held reply to {i}",
                status=Comment.Status.HELD,
                created=now - datetime.timedelta(hours=3),
            )


@pytest.mark.parametrize("cards", [1, 30])
def test_the_page_takes_a_fixed_number_of_queries(
    moderator_client, make_comment, make_article, django_assert_num_queries, cards, settings
):
    # Counted with sessions in the database, as without REDIS_URL; with Redis the session is
    # read from the cache, one query fewer (tests/portal/test_sessions.py).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    fill_queue(make_comment, make_article, cards)
    with django_assert_num_queries(QUERIES_PER_PAGE):
        html = moderator_client.get(WORKSPACE).content.decode()
    # Each held comment and its held reply: a reply's card shows the comment it answers,
    # a comment's card its replies.
    shown = html.count('class="ws-card"')
    assert shown == min(cards + (cards + 1) // 2, workspace.PER_PAGE)
    replies, threads = html.count("In reply to Name"), html.count("to this comment")
    tops = shown - replies
    assert replies > 0 and 0 < threads <= tops
    assert html.count("<mark>") == tops and html.count("Before ") >= tops
    assert html.count("Commenter: Regular") == tops and html.count('value="ban"') == tops
    assert html.count("5 reports: 1 abusive or harassing, 1 hateful, 1 off-topic,") == tops


# The commenter's ban and trust, from a card


@pytest.fixture
def commenters_comment(make_comment):
    commenter = Commenter.objects.create(name="Wang Lei", fingerprint="f" * 64)
    return make_comment(commenter=commenter, user_name="Wang Lei", status=Comment.Status.HELD)


def change_standing(client, comment, next_url=WORKSPACE, **data):
    return client.post(f"{WORKSPACE}{comment.pk}/commenter/", {"next": next_url, **data})


def test_a_ban_from_a_card_is_a_decision_that_names_the_comment(
    moderator_client, commenters_comment
):
    back = f"{WORKSPACE}?tab=held&page=2"
    response = change_standing(
        moderator_client, commenters_comment, back, change="ban", reason="serial abuse"
    )
    assert response.status_code == 303 and response.headers["Location"] == back
    commenter = commenters_comment.commenter
    commenter.refresh_from_db()
    assert commenter.standing == Commenter.Standing.BANNED
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.commenter, decision.comment, decision.reason) == (
        Action.BAN,
        commenter,
        commenters_comment,
        "serial abuse",
    )
    assert decision.moderator == moderator_client.user
    html = moderator_client.get(back).content.decode()
    assert "Banned the commenter “Wang Lei”." in html
    # The comment itself is left as it was: a ban is about the commenter.
    commenters_comment.refresh_from_db()
    assert commenters_comment.status == Comment.Status.HELD


@pytest.mark.parametrize(
    ("standing", "shown", "not_shown"),
    [
        ("regular", ['value="ban"', 'value="trust"'], ['value="unban"', 'value="untrust"']),
        ("banned", ['value="unban"', 'value="trust"'], ['value="ban"', 'value="untrust"']),
        ("trusted", ['value="ban"', 'value="untrust"'], ['value="unban"', 'value="trust"']),
    ],
)
def test_a_card_shows_the_standing_and_the_buttons_that_change_it(
    moderator_client, commenters_comment, standing, shown, not_shown
):
    Commenter.objects.filter(pk=commenters_comment.commenter_id).update(standing=standing)
    html = card_of(moderator_client.get(WORKSPACE).content.decode(), commenters_comment)
    label = Commenter.Standing(standing).label
    assert f'class="ws-standing ws-standing-{standing}">Commenter: {label}</span>' in html
    assert all(button in html for button in shown), shown
    assert not any(button in html for button in not_shown), not_shown
    assert f'form="standing-{commenters_comment.pk}"' in html


@pytest.mark.parametrize(
    ("before", "change", "after", "action"),
    [
        ("banned", "unban", "regular", Action.UNBAN),
        ("regular", "trust", "trusted", Action.TRUST),
        ("trusted", "untrust", "regular", Action.UNTRUST),
    ],
)
def test_unban_trust_and_untrust_from_a_card(
    moderator_client, commenters_comment, before, change, after, action
):
    commenter = commenters_comment.commenter
    Commenter.objects.filter(pk=commenter.pk).update(standing=before)
    assert change_standing(moderator_client, commenters_comment, change=change).status_code == 303
    commenter.refresh_from_db()
    assert commenter.standing == after
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.comment) == (action, commenters_comment)


def test_a_change_that_changes_nothing_says_so_and_records_nothing(
    moderator_client, commenters_comment
):
    Commenter.objects.filter(pk=commenters_comment.commenter_id).update(standing="banned")
    response = change_standing(moderator_client, commenters_comment, change="ban")
    html = moderator_client.get(response.headers["Location"]).content.decode()
    assert "Nothing changed: the commenter “Wang Lei” is banned." in html
    assert not ModerationDecision.objects.exists()


def test_moderators_without_moderate_commenter_see_no_buttons_and_get_403(
    commenters_comment, moderator
):
    user = get_user_model().objects.create_user("mod.two", password="pw", is_staff=True)
    perms = moderator.groups.get().permissions.exclude(codename="moderate_commenter")
    user.user_permissions.set(perms)
    client = Client()
    client.force_login(user)
    html = card_of(client.get(WORKSPACE).content.decode(), commenters_comment)
    assert "Commenter: Regular" in html
    assert 'value="ban"' not in html and 'name="reason"' not in html
    assert "standing-" not in html.replace("ws-standing", "")
    assert change_standing(client, commenters_comment, change="ban").status_code == 403
    commenters_comment.commenter.refresh_from_db()
    assert commenters_comment.commenter.standing == Commenter.Standing.REGULAR
    assert not ModerationDecision.objects.exists()


def test_bad_standing_changes_are_a_400(moderator_client, commenters_comment, make_comment):
    assert change_standing(moderator_client, commenters_comment, change="delete").status_code == 400
    too_long = change_standing(moderator_client, commenters_comment, change="ban", reason="x" * 501)
    assert too_long.status_code == 400 and "at most 500" in too_long.content.decode()
    nobody = make_comment(status=Comment.Status.HELD)
    response = change_standing(moderator_client, nobody, change="ban")
    assert response.status_code == 400 and "nobody to ban" in response.content.decode()
    assert 'value="ban"' not in card_of(moderator_client.get(WORKSPACE).content.decode(), nobody)
    assert not ModerationDecision.objects.exists()


def test_a_reason_too_long_comes_back_to_be_shortened_not_lost(
    moderator_client, commenters_comment
):
    reason = "Posts the same insult under every article; " + "see the history. " * 30
    page = change_standing(moderator_client, commenters_comment, change="ban", reason=reason)
    assert page.status_code == 400
    html = page.content.decode()
    assert "at most 500 characters" in html
    assert '<textarea name="reason" id="id_reason"' in html and reason.strip() in html
    assert 'name="change" value="ban"' in html
    assert not ModerationDecision.objects.exists()
    # Shortened and sent from that page, the ban goes through with its reason.
    sent = change_standing(moderator_client, commenters_comment, change="ban", reason=reason[:43])
    assert sent.status_code == 303
    assert ModerationDecision.objects.get().reason == reason[:43].strip()


# The admin's home page


def summary_of(client) -> str:
    html = client.get("/admin/").content.decode()
    if 'id="moderation-summary"' not in html:
        return ""
    block = html.split('id="moderation-summary"', 1)[1].split("</div>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", block).split())


def test_the_admin_home_page_shows_the_queue(moderator_client, make_comment):
    assert "Moderation: nothing waits for a moderator." in summary_of(moderator_client)
    for _ in range(12):
        make_comment(status=Comment.Status.HELD)
    for _ in range(3):
        make_comment(report_count=1)
    make_comment(status=Comment.Status.REMOVED, screening="remove")
    summary = summary_of(moderator_client)
    assert (
        "Moderation: 12 held, 3 reported; 1 removed by the machine that no moderator has "
        "looked at." in summary
    )
    html = moderator_client.get("/admin/").content.decode()
    assert f'href="{WORKSPACE}?tab=held">12 held</a>' in html


def test_the_home_page_says_nothing_of_it_to_staff_who_do_not_moderate(make_comment):
    make_comment(status=Comment.Status.HELD)
    user = get_user_model().objects.create_user("writer", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    assert summary_of(client) == ""


def test_the_old_queue_links_to_the_workspace(moderator_client):
    html = moderator_client.get("/admin/comments/moderationqueue/").content.decode()
    assert f'href="{WORKSPACE}">Open the moderation workspace</a>' in html


# A comment's own page in the admin


def test_a_comments_page_has_the_actions_and_no_links_to_forbidden_pages(
    moderator_client, make_comment
):
    comment = make_comment(status=Comment.Status.HELD, text="Look at me")
    services.moderate(comment=comment, moderator=moderator_client.user, action=Action.HOLD)
    page = f"/admin/comments/comment/{comment.pk}/change/"
    for url in (page, f"/admin/comments/moderationqueue/{comment.pk}/change/"):
        html = moderator_client.get(url).content.decode()
        assert f'action="{WORKSPACE}{comment.pk}/"' in html and 'value="remove"' in html
        assert f'href="{comment.article.get_absolute_url()}">' in html
    decision = ModerationDecision.objects.get()
    pages = [page, f"/admin/comments/moderationdecision/{decision.pk}/change/"]
    for url in pages:
        html = moderator_client.get(url).content.decode()
        assert "mod.one" in html
        for link in set(re.findall(r'href="(/admin/[^"]*)"', html)):
            if "/logout/" not in link:
                assert moderator_client.get(link).status_code in (200, 302), link

    response = moderator_client.post(
        f"{WORKSPACE}{comment.pk}/",
        {"decision": "remove", "category": "spam", "note": "from its page", "next": page},
    )
    assert response.status_code == 303 and response.headers["Location"] == page
    html = moderator_client.get(page).content.decode()
    assert "Remove as spam: the comment by Reader." in html and 'name="token"' in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED


def test_staff_who_only_read_comments_see_no_actions_on_its_page(make_comment):
    user = get_user_model().objects.create_user("reader.staff", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = Client()
    client.force_login(user)
    comment = make_comment()
    html = client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert 'value="approve"' not in html and "Decide on this comment" not in html


# The thread on a card


def test_a_reply_card_shows_the_comment_it_answers_and_a_comment_card_its_replies(
    moderator_client, make_comment
):
    now = timezone.now()
    top = make_comment(
        user_name="Wang Lei",
        text="The SCO keeps them close.",
        status=Comment.Status.HELD,
        created=now - datetime.timedelta(hours=1),
    )
    for n in range(workspace.REPLIES_SHOWN + 1):
        make_comment(
            parent=top,
            user_name=f"Replier {n}",
            text=f"Reply number {n}",
            created=now - datetime.timedelta(minutes=30 - n),
        )
    held = make_comment(
        parent=top, user_name="Olga", text="Held answer", status=Comment.Status.HELD, created=now
    )
    html = moderator_client.get(WORKSPACE).content.decode()
    card = card_of(html, held)
    assert "In reply to Wang Lei" in card and "The SCO keeps them close." in card
    assert "ws-status-held" in card.split("In reply to", 1)[1]
    thread = card_of(html, top)
    assert "5 replies to this comment; the latest 3" in thread
    assert "Held answer" in thread and "Reply number 3" in thread
    assert "Reply number 0" not in thread
    # The comment's own admin page names its parent too.
    page = moderator_client.get(f"/admin/comments/comment/{held.pk}/change/").content.decode()
    assert "In reply to" in page
    assert f'href="/admin/comments/comment/{top.pk}/change/">Wang Lei</a> (Held for review' in page
