"""The support forms (pages and API alike): every length, choice and required detail checked here
with a message the customer can act on; the domain checks the same rules once more."""
from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domain.orders.types import check_request_id
from domain.shared import clock
from domain.support.attachments import AttachmentRefused, NewAttachment, check_attachment
from domain.support.requests import SPECS, Detail
from domain.support.types import (
    MAX_ADDRESS_LINE_LENGTH,
    MAX_CITY_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PREFECTURE_LENGTH,
    MAX_SUBJECT_LENGTH,
    MIN_DESCRIPTION_LENGTH,
    MIN_SUBJECT_LENGTH,
    CaseCategory,
    DeliveryAddress,
    LossKind,
    RelatedKind,
    RelatedRecord,
    ReplacementReason,
    RequestDetails,
    RequestType,
    SimSize,
)
from portal.support import labels

RELOAD = gettext_lazy("This form is not valid any more; please reload the page.")
TOO_LONG = gettext_lazy("Please keep this to %(limit_value)d characters or fewer (it has %(show_value)d).")
TOO_SHORT = gettext_lazy("Please write at least %(limit_value)d characters (it has %(show_value)d).")
REQUIRED = gettext_lazy("Please fill this in.")
ADDRESS_FIELDS = ("postal_code", "prefecture", "city", "street")


def _text(label, max_length: int, *, min_length: int | None = None, required: bool = False, widget=None,
          help_text=""):
    messages = {"max_length": TOO_LONG, "min_length": TOO_SHORT, "required": REQUIRED}
    return forms.CharField(label=label, max_length=max_length, min_length=min_length, required=required,
                           widget=widget, help_text=help_text, error_messages=messages, strip=True)


class RequestIdField(forms.CharField):
    """The form's idempotency key: the same form submitted twice writes once."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, widget=forms.HiddenInput,
                         error_messages={"required": RELOAD, "max_length": RELOAD}, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return check_request_id(value)
        except ValueError:
            raise forms.ValidationError(RELOAD) from None


def _new_request_id(kwargs: dict) -> dict:
    kwargs.setdefault("initial", {}).setdefault("request_id", str(uuid.uuid4()))
    return kwargs


class NewCaseForm(forms.Form):
    """A new case: a general request, or a structured one with its own required details."""

    request_id = RequestIdField()
    request_type = forms.ChoiceField(choices=labels.choices(labels.REQUEST_TYPES), widget=forms.HiddenInput,
                                     initial=RequestType.GENERAL.value, error_messages={"invalid_choice": RELOAD})
    related_kind = forms.ChoiceField(choices=[("", "")] + labels.choices(labels.RELATED), required=False,
                                     widget=forms.HiddenInput, error_messages={"invalid_choice": RELOAD})
    related_id = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput,
                                 error_messages={"max_length": RELOAD})
    category = forms.ChoiceField(label=gettext_lazy("What is it about?"), choices=labels.choices(labels.CATEGORIES),
                                 required=False, error_messages={"invalid_choice": REQUIRED})
    subject = _text(gettext_lazy("Subject"), MAX_SUBJECT_LENGTH, min_length=MIN_SUBJECT_LENGTH, required=True,
                    help_text=gettext_lazy("A few words, e.g. \"Charged twice for March\"."))
    description = _text(gettext_lazy("Tell us more"), MAX_DESCRIPTION_LENGTH,
                        widget=forms.Textarea(attrs={"rows": 6}),
                        help_text=gettext_lazy("What happened, and what you expected. Please do not send card "
                                               "numbers or passwords."))
    iccid = forms.ChoiceField(label=labels.DETAILS[Detail.ICCID], required=False, choices=(),
                              error_messages={"invalid_choice": gettext_lazy("Please choose one of your SIMs.")})
    loss_kind = forms.ChoiceField(label=labels.DETAILS[Detail.LOSS_KIND], required=False, widget=forms.RadioSelect,
                                  choices=labels.choices(labels.LOSS_KINDS))
    noticed_on = forms.DateField(label=labels.DETAILS[Detail.NOTICED_ON], required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"invalid": gettext_lazy("Please enter a date such as 2026-04-01.")})
    holder_name = _text(labels.DETAILS[Detail.HOLDER_NAME], MAX_NAME_LENGTH,
                        help_text=gettext_lazy("Exactly as on your contract."))
    replacement_reason = forms.ChoiceField(label=labels.DETAILS[Detail.REPLACEMENT_REASON], required=False,
                                           choices=[("", "")] + labels.choices(labels.REPLACEMENT_REASONS))
    sim_size = forms.ChoiceField(label=labels.DETAILS[Detail.SIM_SIZE], required=False, widget=forms.RadioSelect,
                                 choices=labels.choices(labels.SIM_SIZES))
    postal_code = forms.RegexField(label=gettext_lazy("Postal code"), regex=r"^\d{3}-\d{4}$", required=False,
                                   max_length=8, help_text=gettext_lazy("Like 150-0001."),
                                   error_messages={"invalid": gettext_lazy("Please enter a postal code like "
                                                                           "150-0001."),
                                                   "max_length": gettext_lazy("Please enter a postal code like "
                                                                              "150-0001.")})
    prefecture = _text(gettext_lazy("Prefecture"), MAX_PREFECTURE_LENGTH)
    city = _text(gettext_lazy("City, ward or town"), MAX_CITY_LENGTH)
    street = _text(gettext_lazy("Street address"), MAX_ADDRESS_LINE_LENGTH)
    building = _text(gettext_lazy("Building and room (optional)"), MAX_ADDRESS_LINE_LENGTH)

    def __init__(self, *args, sims: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **_new_request_id(kwargs))
        self.fields["iccid"].choices = [("", _("Choose a SIM"))] + list(sims)

    @property
    def chosen_type(self) -> RequestType:
        value = self.data.get("request_type") if self.is_bound else self.initial.get("request_type")
        try:
            return RequestType(value or RequestType.GENERAL)
        except ValueError:
            return RequestType.GENERAL

    def detail_fields(self) -> list:
        """The bound fields of the chosen request type's details, in order."""
        names = []
        for detail in SPECS[self.chosen_type].details:
            names += ADDRESS_FIELDS + ("building",) if detail is Detail.ADDRESS else (detail.value,)
        return [self[name] for name in names]

    def clean_noticed_on(self):
        day = self.cleaned_data.get("noticed_on")
        if day is not None and day > clock.today():
            raise forms.ValidationError(_("This date is in the future."))
        return day

    def clean(self):
        data = super().clean()
        if "request_type" not in data:
            return data
        spec = SPECS[RequestType(data["request_type"])]
        if not spec.is_structured and not data.get("category"):
            self.add_error("category", _("Please choose what your question is about."))
        description = data.get("description") or ""
        if spec.description_required and "description" not in self.errors and len(description) < MIN_DESCRIPTION_LENGTH:
            self.add_error("description", _("Please tell us a little more: at least %(count)d characters.")
                           % {"count": MIN_DESCRIPTION_LENGTH})
        for detail in spec.required:
            names = ADDRESS_FIELDS if detail is Detail.ADDRESS else (detail.value,)
            for name in names:
                if name not in self.errors and not data.get(name):
                    self.add_error(name, REQUIRED)
        kind, record_id = data.get("related_kind"), data.get("related_id")
        if bool(kind) != bool(record_id):
            raise forms.ValidationError(RELOAD)
        if kind:
            try:
                data["related"] = RelatedRecord(kind=RelatedKind(kind), id=record_id)
            except ValueError:
                raise forms.ValidationError(RELOAD) from None
        else:
            data["related"] = None
        return data

    def request_details(self) -> RequestDetails:
        """The chosen request type's details (those of other types are ignored)."""
        data, takes = self.cleaned_data, set(SPECS[RequestType(self.cleaned_data["request_type"])].details)
        values = {}
        if Detail.ICCID in takes and data.get("iccid"):
            values["iccid"] = data["iccid"]
        if Detail.LOSS_KIND in takes and data.get("loss_kind"):
            values["loss_kind"] = LossKind(data["loss_kind"])
        if Detail.NOTICED_ON in takes:
            values["noticed_on"] = data.get("noticed_on")
        if Detail.HOLDER_NAME in takes and data.get("holder_name"):
            values["holder_name"] = data["holder_name"]
        if Detail.REPLACEMENT_REASON in takes and data.get("replacement_reason"):
            values["replacement_reason"] = ReplacementReason(data["replacement_reason"])
        if Detail.SIM_SIZE in takes and data.get("sim_size"):
            values["sim_size"] = SimSize(data["sim_size"])
        if Detail.ADDRESS in takes and all(data.get(name) for name in ADDRESS_FIELDS):
            values["address"] = DeliveryAddress(**{name: data[name] for name in ADDRESS_FIELDS},
                                                building=data.get("building") or "")
        return RequestDetails(**values)

    def category_value(self) -> CaseCategory | None:
        value = self.cleaned_data.get("category")
        return CaseCategory(value) if value else None


class CommentForm(forms.Form):
    request_id = RequestIdField()
    body = _text(gettext_lazy("Your reply"), MAX_COMMENT_LENGTH, required=True,
                 widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_new_request_id(kwargs))


class AttachmentForm(forms.Form):
    """An image or PDF for the case, checked by its content; kept in memory until it is sent."""

    request_id = RequestIdField()
    file = forms.FileField(label=gettext_lazy("Add a file"), error_messages={
        "required": gettext_lazy("Please choose a file."),
        "empty": gettext_lazy("This file is empty."),
        "invalid": gettext_lazy("Please choose a file."),
    })

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **_new_request_id(kwargs))
        self.fields["file"].help_text = _("A PNG, JPEG or GIF image, or a PDF, up to %(size)s.") % {
            "size": filesizeformat(settings.SUPPORT_ATTACHMENT_MAX_BYTES)}
        self.fields["file"].widget.attrs["accept"] = "image/png,image/jpeg,image/gif,application/pdf"

    def clean_file(self) -> NewAttachment:
        upload = self.cleaned_data["file"]
        limit = settings.SUPPORT_ATTACHMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("This file is %(size)s; files can be at most %(limit)s.")
                                        % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
        try:
            return check_attachment(upload.name, upload.read(limit + 1), max_bytes=limit)
        except AttachmentRefused as refused:
            messages = {
                "empty": _("This file is empty."),
                "too_large": _("Files can be at most %(limit)s.") % {"limit": filesizeformat(limit)},
                "type": _("Only PNG, JPEG and GIF images and PDF files can be attached."),
            }
            raise forms.ValidationError(messages[refused.reason]) from None
