import uuid

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

TOPUP_CHOICES_MB = (500, 1024, 3 * 1024, 5 * 1024, 10 * 1024)


class TopUpForm(forms.Form):
    preset_mb = forms.TypedChoiceField(choices=[(mb, mb) for mb in TOPUP_CHOICES_MB], coerce=int, required=False)
    quota_mb = forms.IntegerField(
        label=_("Data to add (MB)"), min_value=settings.SIM_TOPUP_MIN_MB, max_value=settings.SIM_TOPUP_MAX_MB,
        required=False,
        help_text=format_lazy(_("From {min} MB to {max} GB (1 GB = 1024 MB)."), min=settings.SIM_TOPUP_MIN_MB,
                              max=settings.SIM_TOPUP_MAX_MB // 1024),
        error_messages={
            "min_value": format_lazy(_("The smallest top-up is {min} MB. Please choose {min} MB or more."),
                                     min=settings.SIM_TOPUP_MIN_MB),
            "max_value": format_lazy(_("The largest top-up is {max} GB ({mb} MB). Please choose less."),
                                     max=settings.SIM_TOPUP_MAX_MB // 1024, mb=settings.SIM_TOPUP_MAX_MB),
            "invalid": _("Enter a whole number of megabytes, for example 500."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    request_id = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "invalid": _("This form is no longer valid; please reload the page."),
        "required": _("This form is no longer valid; please reload the page."),
    })
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_id", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preset_mb"):  # a quick-choice button was pressed
            cleaned["quota_mb"] = cleaned["preset_mb"]
        if not cleaned.get("quota_mb") and "quota_mb" not in self.errors:
            self.add_error("quota_mb", _("Choose how much data to add."))
        return cleaned


class PlanChangeForm(forms.Form):
    """A plan and when: first to see the price (``confirm`` off), then to confirm it. The request id
    is the idempotency key of the confirmation: the same form sent twice makes one change."""

    plan_code = forms.ChoiceField(label=_("New plan"))
    when = forms.ChoiceField(label=_("When"), choices=[("next_month", _("From the first of next month")),
                                                       ("immediate", _("Now (a dearer plan only)"))],
                             initial="next_month", widget=forms.RadioSelect)
    request_id = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "invalid": _("This form is no longer valid; please reload the page."),
        "required": _("This form is no longer valid; please reload the page."),
    })
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, plans=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.fields["plan_code"].choices = [(plan.sku, plan.name) for plan in plans]

    @property
    def immediate(self) -> bool:
        return self.cleaned_data["when"] == "immediate"


class PlanCancelForm(forms.Form):
    request_id = forms.UUIDField(widget=forms.HiddenInput)


def _request_id_field():
    return forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "invalid": _("This form is no longer valid; please reload the page."),
        "required": _("This form is no longer valid; please reload the page."),
    })


class SimActionForm(forms.Form):
    """The form of a SIM action (voice options, network type, eSIM reissue, cancellation): its request
    id is the idempotency key, so the same form sent twice makes one action."""

    request_id = _request_id_field()
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    network = forms.ChoiceField(required=False, choices=[("4G", "4G"), ("5G", "5G")])
    eid = forms.CharField(label=_("EID of the new phone"), required=False, max_length=40,
                          help_text=_("32 digits, in the phone's settings (About > EID)."),
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    end_date = forms.DateField(label=_("Last day of service"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
