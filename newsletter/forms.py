"""The subscribe form: one e-mail address, checked strictly, and a honeypot."""

import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms


def has_line_break(value: str) -> bool:
    return any(ch in value for ch in "\r\n\x00\u2028\u2029\x85")


def refuse_control_characters(value: str) -> None:
    """Django's address check lets control characters through inside a quoted local part
    ("a\x01b"@example.org); no mail server takes them, so the sending worker would fail."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise forms.ValidationError(
            "Control characters are not allowed in an e-mail address: please type it again.",
            code="control_character",
        )


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        validators=[refuse_control_characters],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": 254}),
    )
    # Out of sight (CSS) and out of reach (tabindex): only bots fill it.
    website = forms.CharField(
        required=False,
        max_length=200,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("email", Field("website", wrapper_class="honeypot"))
        self.helper.form_method = "post"
        # No CSRF token: the subscribe view checks the origin (portal/csrf.py), as for the
        # footer's form on pages a shared cache keeps.
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("subscribe", "Subscribe"))

    def clean(self):
        # Line breaks anywhere are refused outright: no value of ours may carry one, and
        # an address with one is an attempt at header injection.
        values = self.data.lists() if hasattr(self.data, "lists") else self.data.items()
        for _name, submitted in values:
            items = submitted if isinstance(submitted, list) else [submitted]
            if any(isinstance(value, str) and has_line_break(value) for value in items):
                raise forms.ValidationError(
                    "Line breaks are not allowed in this form.", code="line_break"
                )
        return super().clean()

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("This field must be left empty.")
        return ""
