"""The reader's forms: the comment form (what a name and a comment must be, and the bot
guards) and the report form."""

import math
import re
import secrets
import time
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator
from django.utils.crypto import salted_hmac

from articles.models import Article
from comments.models import Flag
from comments.services import REPORT_NOTE_MAX_LENGTH

TIMESTAMP_SALT = "comments.form-timestamp"
RESERVED_NAMES = ("moderator", "admin", "administrator", "editor", "staff", "webmaster")
# Bidi controls and zero-width characters can disguise or reorder what a name shows.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
_MARKUP = re.compile(r"[<>&\"`]|://")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def sign_timestamp(article_pk: int, *, opened: float | None = None) -> str:
    """The form's token: when it was handed out, for which article, and a random nonce that
    the comment it sends keeps (one form, one comment), signed so it cannot be forged."""
    opened = time.time() if opened is None else opened
    return signing.dumps(
        # Rounded down: rounded to nearest it could lie a few milliseconds in the future, and a
        # form sent at once would count as sent before it was opened.
        {"a": article_pk, "t": math.floor(opened * 100) / 100, "n": secrets.token_urlsafe(16)},
        salt=TIMESTAMP_SALT,
    )


def _letters(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def clean_user_name(value: str) -> str:
    name = " ".join(unicodedata.normalize("NFKC", value).split())
    if any(unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in name):
        raise forms.ValidationError(
            "User names cannot contain control or invisible characters.", code="invisible"
        )
    if _MARKUP.search(name):
        raise forms.ValidationError(
            'User names cannot contain markup, links or the characters < > & " `.',
            code="markup",
        )
    if len(name) < 2:
        raise forms.ValidationError("User names need at least 2 characters.", code="too_short")
    if len(name) > 50:
        raise forms.ValidationError("User names can have at most 50 characters.", code="too_long")
    letters = _letters(name)
    if not any(ch.isalpha() for ch in name):
        raise forms.ValidationError("User names need at least one letter.", code="no_letter")
    reserved = (*RESERVED_NAMES, _letters(settings.SITE_NAME))
    if any(word and word in letters for word in reserved):
        raise forms.ValidationError(
            "That name is kept for the site's staff; please choose another.", code="reserved"
        )
    return name


class CommentForm(forms.Form):
    user_name = forms.CharField(
        label="User Name",
        max_length=200,  # the real limit (50) is checked after normalising
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "maxlength": 50}),
    )
    text = forms.CharField(label="Your Comment", widget=forms.Textarea(attrs={"rows": 5}))
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    timestamp = forms.CharField(widget=forms.HiddenInput, max_length=500, required=False)
    # Set when the reader was warned the text may break the rules (comments.outcomes):
    # sending the same text again with it stores the comment for a moderator.
    nudge = forms.CharField(widget=forms.HiddenInput, max_length=500, required=False)
    # The comment a reply answers (services.reply_parent decides where it goes); empty for a
    # comment on the article.
    reply_to = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1
    )
    # A random value the page's script gives its copy of the form: a shared cache hands one
    # copy (one token) to many readers, so the token's nonce alone does not tell their forms
    # apart (idempotency_key). Empty without JavaScript.
    reader_nonce = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.seconds_to_submit: float | None = None
        self.nonce: str | None = None  # the form token's, once it is checked
        max_length = settings.COMMENT_MAX_LENGTH
        self.fields["text"].max_length = max_length
        self.fields["text"].validators.append(MaxLengthValidator(max_length))
        self.fields["text"].widget.attrs["maxlength"] = max_length
        self.fields["user_name"].widget.attrs["maxlength"] = 50
        self.fields[
            "text"
        ].help_text = f"Plain text, up to {max_length:,} characters. Web addresses become links."
        if not self.is_bound and "timestamp" not in self.initial:
            self.initial["timestamp"] = sign_timestamp(article.pk)
        self.helper = FormHelper()
        self.helper.form_tag = False  # templates/comments/_form.html has the <form>
        # No CSRF token: the page is a shared cache's copy; post_comment checks the origin.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "user_name",
            "text",
            Field("website", wrapper_class="honeypot"),
            "timestamp",
            "nudge",
            "reply_to",
            "reader_nonce",
        )
        self.helper.add_input(Submit("submit", self.submit_label))

    def clean_user_name(self):
        return clean_user_name(self.cleaned_data["user_name"])

    def clean_text(self):
        text = _TEXT_CONTROLS.sub("", self.cleaned_data["text"].replace("\r\n", "\n")).strip()
        if not text:
            raise forms.ValidationError("Please write a comment.", code="required")
        return text

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("This field must be left empty.", code="honeypot")
        return ""

    def clean_timestamp(self):
        token = self.cleaned_data["timestamp"]
        try:
            data = signing.loads(token, salt=TIMESTAMP_SALT)
            opened = float(data["t"])
            article_pk = data["a"]
            nonce = str(data["n"])
        except (signing.BadSignature, TypeError, KeyError, ValueError):
            self.refresh_timestamp()
            raise forms.ValidationError(
                "This form could not be checked. Please send your comment again.",
                code="tampered",
            ) from None
        if article_pk != self.article.pk:
            self.refresh_timestamp()
            raise forms.ValidationError(
                "This form belongs to another article. Please send your comment again.",
                code="tampered",
            )
        self.seconds_to_submit = max(0.0, time.time() - opened)
        if self.seconds_to_submit > settings.COMMENT_FORM_MAX_AGE:
            self.refresh_timestamp()
            raise forms.ValidationError(
                "This form was open too long. Your comment is still here: please send it again.",
                code="expired",
            )
        if self.seconds_to_submit < settings.COMMENT_MIN_SECONDS:
            raise forms.ValidationError(
                "That was very quick. Please read your comment over and send it again.",
                code="too_fast",
            )
        self.nonce = nonce
        return token

    def idempotency_key(self, fingerprint: str) -> str | None:
        """What makes a send "this form again": the token's nonce, scoped to the browser
        that sends it and to the script's value for its copy of the page, so that readers
        of one cached copy (one token) never share a key. None before is_valid()."""
        if self.nonce is None:
            return None
        reader_nonce = self.cleaned_data.get("reader_nonce", "")
        return salted_hmac(
            "comments.forms.idempotency",
            f"{self.nonce}\n{fingerprint}\n{reader_nonce}",
            algorithm="sha256",
        ).hexdigest()[:64]

    def refresh_timestamp(self):
        # The re-rendered form gets a fresh, valid timestamp so the reader can resend.
        self.set_hidden(timestamp=sign_timestamp(self.article.pk))

    @property
    def submit_label(self) -> str:
        """The button's words: "Post reply" on a form that answers a comment, else "Post
        comment" (the page's script switches them as it moves the form)."""
        replying = self.data.get("reply_to") if self.is_bound else self.initial.get("reply_to")
        return "Post reply" if replying else "Post comment"

    def set_hidden(self, **values: str) -> None:
        """Change hidden values of the re-rendered form (a new token, the nudge marker)."""
        self.data = self.data.copy()
        for name, value in values.items():
            self.data[name] = value
        self.helper.inputs[0].value = self.submit_label

    def clean(self):
        cleaned = super().clean()
        if "timestamp" in self.errors:
            # The field is hidden: say it where people will see it.
            self.add_error(None, self.errors["timestamp"][0])
        if "reply_to" in self.errors:
            self.add_error(
                None,
                "This form does not say which comment you are replying to. Your text is "
                "still here: open the comment's Reply link again, or post it as a comment.",
            )
        return cleaned


class ReportForm(forms.Form):
    """A reader's report: why (one of Flag.Reason) and an optional note. The rules (a reason
    is required, how long a note may be) are comments.services.report's; this parses."""

    reason = forms.ChoiceField(
        label="Why are you reporting this comment?",
        choices=Flag.Reason.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Anything a moderator should know? (optional)",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REPORT_NOTE_MAX_LENGTH}),
    )
