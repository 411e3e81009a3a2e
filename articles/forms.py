"""Reader-facing forms of the articles app."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms

from articles.models import StoryTip


class StoryTipForm(forms.ModelForm):
    # A field people never see (hidden by CSS, skipped by keyboard and screen readers);
    # form-filling bots tend to fill it.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = StoryTip
        fields = ["name", "email", "story"]
        labels = {"name": "Your name", "email": "Your e-mail", "story": "Your story"}
        help_texts = {"story": "Up to 5,000 characters. Tell us what happened, where and when."}
        widgets = {"story": forms.Textarea(attrs={"rows": 8, "maxlength": 5000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "name", "email", "story", Field("website", wrapper_class="honeypot")
        )
        self.helper.form_method = "post"
        self.helper.add_input(Submit("submit", "Send your story"))

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("This field must be left empty.")
        return ""

    def clean_story(self):
        story = self.cleaned_data["story"].strip()
        if not story:
            raise forms.ValidationError("Please tell us your story.")
        return story


class FontSizeForm(forms.Form):
    size = forms.CharField(max_length=8)
    next = forms.CharField(max_length=2000, required=False)
