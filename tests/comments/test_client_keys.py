"""Client keys (hashed addresses) are kept COMMENT_CLIENT_KEY_DAYS days, then cleared."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, Flag

pytestmark = pytest.mark.django_db


def test_clear_client_keys_forgets_old_keys_and_keeps_every_report(make_comment, settings):
    settings.COMMENT_CLIENT_KEY_DAYS = 30
    now = timezone.now()
    old = make_comment(client_key="a" * 32, created=now - datetime.timedelta(days=31))
    recent = make_comment(client_key="b" * 32, created=now - datetime.timedelta(days=29))
    for key in ("c" * 32, "d" * 32):
        Flag.objects.create(comment=old, client_key=key, created=now - datetime.timedelta(days=31))
    Flag.objects.create(comment=recent, client_key="e" * 32, created=now)

    out = StringIO()
    call_command("clear_client_keys", stdout=out)
    assert "1 comment(s) and 2 report(s)" in out.getvalue()

    assert Comment.objects.get(pk=old.pk).client_key == ""
    assert Comment.objects.get(pk=recent.pk).client_key == "b" * 32
    old_keys = list(Flag.objects.filter(comment=old).values_list("client_key", flat=True))
    assert len(old_keys) == len(set(old_keys)) == 2
    assert not {"c" * 32, "d" * 32} & set(old_keys)
    assert Flag.objects.get(comment=recent).client_key == "e" * 32

    # Daily runs leave cleared rows alone.
    call_command("clear_client_keys", stdout=out)
    assert sorted(Flag.objects.filter(comment=old).values_list("client_key", flat=True)) == (
        sorted(old_keys)
    )


def test_the_retention_can_be_given_on_the_command_line(make_comment):
    comment = make_comment(client_key="a" * 32, created=timezone.now() - datetime.timedelta(days=2))
    call_command("clear_client_keys", "--days", "3", stdout=StringIO())
    assert Comment.objects.get(pk=comment.pk).client_key == "a" * 32
    call_command("clear_client_keys", "--days", "1", stdout=StringIO())
    assert Comment.objects.get(pk=comment.pk).client_key == ""
