import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from domain.orders.types import MAX_LINE_QUANTITY, SimChoice, check_request_id
from domain.sim.commands import InvalidSimCommand, require_eid
from domain.sim.types import SimKind
from portal.orders.cart import CartLine


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

    def __init__(self, *args, sim_lines: tuple[CartLine, ...] = (), **kwargs):
        """``sim_lines``: the cart's SIM plans, each asking for a SIM card or an eSIM (with the EID of
        the phone each eSIM goes onto: Freebit activates an eSIM line on the phone's EID)."""
        kwargs.setdefault("initial", {}).setdefault("request_id", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)
        self.sim_lines = sim_lines
        for line in sim_lines:
            self.fields[_kind_field(line)] = forms.ChoiceField(
                label=_("SIM for %(plan)s") % {"plan": line.product.name}, choices=SIM_KINDS, initial=SimKind.PHYSICAL,
                required=False, widget=forms.RadioSelect)  # none chosen: SIM cards, as the page preselects
            for unit in range(line.quantity):
                self.fields[_eid_field(line, unit)] = forms.CharField(
                    label=(_("EID of the phone") if line.quantity == 1 else
                           _("EID of phone %(number)d") % {"number": unit + 1}),
                    required=False, max_length=40, help_text=EID_HELP,
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def sim_fields(self):
        """Per SIM plan line: (line, its SIM type field, its EID fields), for the template."""
        return [(line, self[_kind_field(line)], [self[_eid_field(line, unit)] for unit in range(line.quantity)])
                for line in self.sim_lines]

    def clean(self):
        cleaned = super().clean()
        seen: set[str] = set()
        for line in self.sim_lines:
            if cleaned.get(_kind_field(line)) != SimKind.ESIM:
                continue
            for unit in range(line.quantity):
                name = _eid_field(line, unit)
                raw = "".join((cleaned.get(name) or "").split())
                if not raw:
                    self.add_error(name, _("Enter the EID of the phone this eSIM goes onto."))
                    continue
                try:
                    cleaned[name] = require_eid(raw)
                except InvalidSimCommand:
                    self.add_error(name, _("An EID is 32 digits: check it in the phone's settings."))
                    continue
                if raw in seen:
                    self.add_error(name, _("Each eSIM goes onto another phone: this EID is entered twice."))
                seen.add(raw)
        return cleaned

    def sim_choices(self) -> dict[str, SimChoice]:
        """The SIM of each SIM plan line, by product id (after ``is_valid``)."""
        choices = {}
        for line in self.sim_lines:
            kind = SimKind(self.cleaned_data[_kind_field(line)] or SimKind.PHYSICAL)
            eids = tuple(self.cleaned_data[_eid_field(line, unit)] for unit in range(line.quantity)
                         ) if kind is SimKind.ESIM else ()
            choices[line.product.id] = SimChoice(kind=kind, eids=eids)
        return choices

    def clean_request_id(self) -> str:
        try:
            return check_request_id(self.cleaned_data["request_id"])
        except ValueError:
            raise forms.ValidationError(_("This checkout form is not valid; please reload the page.")) from None


SIM_KINDS = [(SimKind.PHYSICAL.value, _("SIM card, posted to you")),
             (SimKind.ESIM.value, _("eSIM, onto your phone (no card)"))]
EID_HELP = _("Only for an eSIM: 32 digits, in the phone's settings (About > EID). The phone must support eSIM.")


def _kind_field(line: CartLine) -> str:
    return f"sim_kind_{line.product.id}"


def _eid_field(line: CartLine, unit: int) -> str:
    return f"eid_{line.product.id}_{unit}"
