import uuid

from django import forms

from domain.orders.types import MAX_LINE_QUANTITY, check_request_id


class CartLineForm(forms.Form):
    product_id = forms.CharField(max_length=18, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY, initial=1, label="Quantity")


class CheckoutForm(forms.Form):
    """Carries the checkout's idempotency key: the same form submitted twice places one order."""

    request_id = forms.CharField(max_length=64, widget=forms.HiddenInput, error_messages={
        "required": "This checkout form is not valid; please reload the page.",
        "max_length": "This checkout form is not valid; please reload the page.",
    })
    confirm = forms.BooleanField(label="I confirm this order and agree to be billed for it.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_id", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)

    def clean_request_id(self) -> str:
        try:
            return check_request_id(self.cleaned_data["request_id"])
        except ValueError:
            raise forms.ValidationError("This checkout form is not valid; please reload the page.") from None
