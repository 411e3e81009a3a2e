"""Commenters as records: who wrote a comment (a name and a keyed fingerprint of their
browser), and what a commenter's standing (banned, trusted) means for a new comment."""

import secrets
from dataclasses import dataclass

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from comments.models import Comment, Commenter
from portal import ratelimit

BROWSER_COOKIE = "comment_browser"
BROWSER_COOKIE_SALT = "comments.browser-cookie"
BROWSER_COOKIE_AGE = 2 * 365 * 24 * 3600

# Stored with a banned commenter's comment held silently (COMMENT_BAN_MODE "hold"), so the
# moderators see why it waits; the same shape as the screening's reasons.
BANNED_REASON = {
    "decision": "hold",
    "code": "banned_commenter",
    "score": 1.0,
    "spans": [],
    "detail": "the commenter is banned",
}


@dataclass(frozen=True)
class Client:
    """Who is sending: the browser's fingerprint and the address's key (both keyed hashes;
    neither reveals the address), and the browser's id for its cookie."""

    fingerprint: str
    address_key: str
    browser_id: str
    new_browser: bool  # it came without our cookie: the answer sets one


def fingerprint_of(browser_id: str) -> str:
    """The stored form of a browser id: a keyed hash, so the database holds nothing that
    could be sent back as someone's cookie."""
    return salted_hmac(
        "comments.commenters.fingerprint", browser_id, algorithm="sha256"
    ).hexdigest()[:32]


def identify(request: HttpRequest) -> Client:
    """The sending client. A browser is told apart by a random id in a signed cookie that
    the first comment's answer sets (remember_browser), so readers behind one office or
    carrier address are different commenters. Without the cookie the id is new: the first
    comment already belongs to the commenter the browser will be from then on."""
    browser_id = _browser_id_from(request)
    new_browser = browser_id is None
    if browser_id is None:
        browser_id = secrets.token_urlsafe(18)
    return Client(
        fingerprint=fingerprint_of(browser_id),
        address_key=ratelimit.client_key(request),
        browser_id=browser_id,
        new_browser=new_browser,
    )


def _browser_id_from(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(BROWSER_COOKIE)
    if not value:
        return None
    try:
        browser_id = signing.loads(value, salt=BROWSER_COOKIE_SALT)
    except signing.BadSignature:
        return None
    return browser_id if isinstance(browser_id, str) and browser_id else None


def remember_browser(response: HttpResponse, client: Client, *, secure: bool) -> None:
    """Keep the browser's id for its next comments (first-party, HttpOnly, long-lived)."""
    if not client.new_browser:
        return
    response.set_cookie(
        BROWSER_COOKIE,
        signing.dumps(client.browser_id, salt=BROWSER_COOKIE_SALT),
        max_age=BROWSER_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=secure,
    )


def commenter_for(*, name: str, fingerprint: str) -> Commenter:
    """The commenter record of this name from this browser, made on their first comment."""
    commenter, _ = Commenter.objects.get_or_create(name=name, fingerprint=fingerprint)
    return commenter


def standing_of(*, name: str, fingerprint: str, address_key: str) -> Commenter.Standing:
    """What a moderator decided about whoever sends this comment. Banned when any name from
    this browser is banned (a new name does not lift a ban), or when this name is banned and
    wrote from this address (a cleared cookie does not either, while comments keep their
    address keys: COMMENT_CLIENT_KEY_DAYS). Trusted only as this name from this browser."""
    own = (
        dict(Commenter.objects.filter(fingerprint=fingerprint).values_list("name", "standing"))
        if fingerprint
        else {}
    )
    if Commenter.Standing.BANNED in own.values():
        return Commenter.Standing.BANNED
    if (
        address_key
        and Comment.objects.filter(
            client_key=address_key,
            user_name__iexact=name,
            commenter__standing=Commenter.Standing.BANNED,
        ).exists()
    ):
        return Commenter.Standing.BANNED
    if own.get(name) == Commenter.Standing.TRUSTED:
        return Commenter.Standing.TRUSTED
    return Commenter.Standing.REGULAR
