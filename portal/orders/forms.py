import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from domain.orders.types import MAX_LINE_QUANTITY, check_request_id


class CartLineForm(forms.Form):
    product_id = forms.CharField(max_length=18, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY, initial=1, label=_("Quantity"))


class CheckoutForm(forms.Form):
    """Carries the checkout's idempotency key: the same form submitted twice places one order."""

    request_id = forms.CharField(max_length=64, widget=forms.HiddenInput, error_messages={
        "required": _("This checkout form is not valid; please reload the page."),
        "max_length": _("This checkout form is not valid; please reload the page."),
    })
    confirm = forms.BooleanField(
        label=_("I confirm this order and agree to be billed for it."),
        error_messages={"required": _("Please tick the box to confirm your order before placing it.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_id", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)

    def clean_request_id(self) -> str:
        try:
            return check_request_id(self.cleaned_data["request_id"])
        except ValueError:
            raise forms.ValidationError(_("This checkout form is not valid; please reload the page.")) from None
