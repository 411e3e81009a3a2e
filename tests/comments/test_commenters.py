"""Commenters as records: a name plus a keyed fingerprint of the browser, told apart even
behind one shared address, and their page in the admin."""

import pytest
from django.core import signing
from django.test import Client

from comments.commenters import BROWSER_COOKIE, BROWSER_COOKIE_SALT, fingerprint_of
from comments.models import Comment, Commenter
from tests.comments.conftest import form_in, post_comment, post_past_the_nudge, shown_after

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.7"
TEXTS = [
    "Lavrov and Putin keep the SCO at the centre of ties with Beijing.",
    "Trade between the two countries grew again, as the interview says.",
    "The energy deals matter more than the speeches, in my view.",
]


def reader(address: str = OFFICE, agent: str = "Mozilla/5.0 (Office PC)") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def test_first_comment_sets_a_signed_httponly_long_lived_browser_cookie(seed_article):
    client = reader()
    response = post_comment(client, seed_article, user_name="Wang Lei", text=TEXTS[0])
    assert response.status_code == 303
    cookie = response.cookies[BROWSER_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    browser_id = signing.loads(cookie.value, salt=BROWSER_COOKIE_SALT)
    comment = Comment.objects.get()
    # Stored as a keyed hash of the id: the database holds nothing to send back as a cookie.
    assert comment.commenter.name == "Wang Lei"
    assert comment.commenter.fingerprint == fingerprint_of(browser_id)
    assert browser_id not in comment.commenter.fingerprint


def test_the_same_browser_is_the_same_commenter_and_a_new_name_a_new_record(seed_article):
    client = reader()
    post_comment(client, seed_article, user_name="Wang Lei", text=TEXTS[0])
    second = post_comment(client, seed_article, user_name="Wang Lei", text=TEXTS[1])
    assert BROWSER_COOKIE not in second.cookies  # kept, not replaced
    post_comment(client, seed_article, user_name="Lei W.", text=TEXTS[2])
    first, again, renamed = Comment.objects.order_by("pk")
    assert again.commenter == first.commenter
    assert renamed.commenter != first.commenter
    assert renamed.commenter.fingerprint == first.commenter.fingerprint
    assert Commenter.objects.count() == 2


def test_readers_behind_one_address_with_the_same_browser_are_told_apart(seed_article):
    for n in range(3):
        post_comment(reader(), seed_article, user_name="Office Reader", text=TEXTS[n])
    fingerprints = {c.commenter.fingerprint for c in Comment.objects.select_related("commenter")}
    assert len(fingerprints) == 3
    assert len({c.client_key for c in Comment.objects.all()}) == 1


def test_a_forged_or_foreign_browser_cookie_is_not_taken(seed_article):
    client = reader()
    client.cookies[BROWSER_COOKIE] = signing.dumps("someone-else", salt="another.salt")
    response = post_comment(client, seed_article, user_name="Wang Lei", text=TEXTS[0])
    assert Comment.objects.get().commenter.fingerprint != fingerprint_of("someone-else")
    assert BROWSER_COOKIE in response.cookies  # a fresh id replaces it


def test_a_refused_first_try_already_gives_the_browser_its_id(seed_article):
    client = reader()
    refused = post_comment(client, seed_article, user_name="A", text=TEXTS[0])
    browser_id = signing.loads(refused.cookies[BROWSER_COOKIE].value, salt=BROWSER_COOKIE_SALT)
    assert "at least 2 characters" in form_in(shown_after(client, refused))
    assert not Comment.objects.exists()
    post_comment(client, seed_article, user_name="Wang Lei", text=TEXTS[0])
    assert Comment.objects.get().commenter.fingerprint == fingerprint_of(browser_id)


def test_no_address_is_stored_with_a_commenter(seed_article):
    post_comment(reader(), seed_article, user_name="Wang Lei", text=TEXTS[0])
    stored = " ".join(str(value) for value in Commenter.objects.values().get().values())
    assert OFFICE not in stored
    assert "Office PC" not in stored


def test_comments_stored_before_commenters_have_none(make_comment):
    assert make_comment().commenter is None


def test_moderator_sees_a_commenter_with_their_comments_and_outcomes(
    client, moderator, seed_article
):
    browser = reader()
    post_comment(browser, seed_article, user_name="Wang Lei", text=TEXTS[0])
    post_past_the_nudge(
        browser,
        seed_article,
        user_name="Wang Lei",
        text="Lavrov is a lying idiot, and anyone who believes this is a brain-dead moron.",
    )
    commenter = Commenter.objects.get()
    client.force_login(moderator)
    listing = client.get("/admin/comments/commenter/")
    assert listing.status_code == 200
    assert "Wang Lei" in listing.content.decode()
    page = client.get(f"/admin/comments/commenter/{commenter.pk}/change/").content.decode()
    assert "Lavrov and Putin keep the SCO" in page
    assert "lying idiot" in page
    assert "Published" in page and "Removed" in page
    assert commenter.fingerprint[:12] in page
    everything = client.get(f"/admin/comments/comment/?commenter__id__exact={commenter.pk}")
    assert everything.status_code == 200
    assert "lying idiot" in everything.content.decode()


def test_nobody_adds_edits_or_deletes_commenters_in_the_admin(admin_client, seed_article):
    post_comment(reader(), seed_article, user_name="Wang Lei", text=TEXTS[0])
    commenter = Commenter.objects.get()
    assert admin_client.get("/admin/comments/commenter/add/").status_code == 403
    assert (
        admin_client.post(
            f"/admin/comments/commenter/{commenter.pk}/change/",
            {"name": "Other", "standing": "trusted"},
        ).status_code
        == 403
    )
    assert admin_client.get(f"/admin/comments/commenter/{commenter.pk}/delete/").status_code == 403
    commenter.refresh_from_db()
    assert (commenter.name, commenter.standing) == ("Wang Lei", Commenter.Standing.REGULAR)
