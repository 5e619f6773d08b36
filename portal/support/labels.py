"""The customer's words for the support domain's values, translatable (gettext), in one place."""
from django.utils.translation import gettext_lazy as _

from domain.support.requests import Detail
from domain.support.types import (
    CaseCategory,
    CasePriority,
    CaseStatus,
    LossKind,
    RelatedKind,
    ReplacementReason,
    RequestType,
    SimSize,
)

STATUSES = {
    CaseStatus.NEW: _("New"),
    CaseStatus.IN_PROGRESS: _("In progress"),
    CaseStatus.WAITING_FOR_YOU: _("Waiting for you"),
    CaseStatus.SOLVED: _("Solved"),
}
STATUS_HELP = {
    CaseStatus.NEW: _("We have your request and will look at it soon."),
    CaseStatus.IN_PROGRESS: _("Our support team is working on it."),
    CaseStatus.WAITING_FOR_YOU: _("We need something from you: please read our last reply."),
    CaseStatus.SOLVED: _("This case is solved. If you still need help, open a new case."),
}
STATUS_TONES = {CaseStatus.NEW: "wait", CaseStatus.IN_PROGRESS: "wait", CaseStatus.WAITING_FOR_YOU: "bad",
                CaseStatus.SOLVED: "ok"}
"""The badge tone of each status (the portal's badge classes: ok, wait, bad, off)."""
CATEGORIES = {
    CaseCategory.BILLING: _("Billing and payments"),
    CaseCategory.SUBSCRIPTION: _("A subscription"),
    CaseCategory.ORDER: _("An order or delivery"),
    CaseCategory.SIM: _("A SIM or mobile service"),
    CaseCategory.TECHNICAL: _("Technical problem"),
    CaseCategory.ACCOUNT: _("My account"),
    CaseCategory.OTHER: _("Something else"),
}
PRIORITIES = {CasePriority.HIGH: _("Urgent"), CasePriority.MEDIUM: _("Normal"), CasePriority.LOW: _("Low")}
REQUEST_TYPES = {
    RequestType.GENERAL: _("A question or a problem"),
    RequestType.LOST_SIM: _("Lost or stolen SIM"),
    RequestType.MNP_RESERVATION: _("Number transfer (MNP reservation number)"),
    RequestType.SIM_REPLACEMENT: _("Replacement SIM card"),
    RequestType.ADDRESS_CHANGE: _("Change of delivery address"),
    RequestType.RESUME_LINE: _("Resume a suspended line"),
}
REQUEST_TYPE_HELP = {
    RequestType.GENERAL: _("Ask us anything about your services, bills or account."),
    RequestType.LOST_SIM: _("We suspend the SIM at once so that nobody can use it, then help you get a new one."),
    RequestType.MNP_RESERVATION: _("We issue the reservation number you need to take your phone number to another "
                                   "provider."),
    RequestType.SIM_REPLACEMENT: _("We send a new physical SIM card to your address on file."),
    RequestType.ADDRESS_CHANGE: _("Tell us where we should deliver your SIM cards and equipment from now on."),
    RequestType.RESUME_LINE: _("Found your SIM again, or want a suspended line back? We check it is yours and resume "
                               "it, usually within one business day."),
}
DEFAULT_SUBJECTS = {
    RequestType.LOST_SIM: _("Lost or stolen SIM: please suspend it"),
    RequestType.MNP_RESERVATION: _("MNP reservation number request"),
    RequestType.SIM_REPLACEMENT: _("Replacement SIM card request"),
    RequestType.ADDRESS_CHANGE: _("New delivery address"),
    RequestType.RESUME_LINE: _("Please resume my line"),
}
RELATED = {
    RelatedKind.INVOICE: _("Invoice"),
    RelatedKind.SUBSCRIPTION: _("Subscription"),
    RelatedKind.ORDER: _("Order"),
    RelatedKind.SIM: _("SIM"),
}
DETAILS = {
    Detail.ICCID: _("SIM"),
    Detail.LOSS_KIND: _("What happened"),
    Detail.NOTICED_ON: _("When you noticed"),
    Detail.HOLDER_NAME: _("Contract holder's name"),
    Detail.REPLACEMENT_REASON: _("Why you need a new card"),
    Detail.SIM_SIZE: _("Card size"),
    Detail.ADDRESS: _("Delivery address"),
}
LOSS_KINDS = {LossKind.LOST: _("Lost"), LossKind.STOLEN: _("Stolen")}
REPLACEMENT_REASONS = {
    ReplacementReason.DAMAGED: _("The card is damaged"),
    ReplacementReason.NOT_RECOGNISED: _("My phone does not recognise it"),
    ReplacementReason.SIZE_CHANGE: _("I need another size"),
    ReplacementReason.OTHER: _("Another reason"),
}
SIM_SIZES = {SimSize.NANO: _("Nano SIM"), SimSize.MICRO: _("Micro SIM"), SimSize.STANDARD: _("Standard SIM")}


def choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]
