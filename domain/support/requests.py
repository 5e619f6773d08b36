"""The request types and their rules: which details each requires, its category and its priority.

Staff fulfil these by hand today; as case types, any feature can raise one (a SIM page's "report
lost" button, a future plan change) with the same rules as the support form. A lost or stolen SIM
is urgent: it must be suspended at once, so its case is opened with the high priority. Resuming a
line (once a lost SIM is found, or a suspended one may be used again) is a request of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.support.types import (
    MIN_DESCRIPTION_LENGTH,
    CaseCategory,
    CasePriority,
    RequestDetails,
    RequestType,
)


class Detail(StrEnum):
    """A detail a request type may require (the names of ``RequestDetails``' fields)."""

    ICCID = "iccid"
    LOSS_KIND = "loss_kind"
    NOTICED_ON = "noticed_on"
    HOLDER_NAME = "holder_name"
    REPLACEMENT_REASON = "replacement_reason"
    SIM_SIZE = "sim_size"
    ADDRESS = "address"


@dataclass(frozen=True)
class RequestSpec:
    request_type: RequestType
    category: CaseCategory
    """The category a case of this type is filed under (a general one: the customer's choice)."""
    priority: CasePriority
    required: tuple[Detail, ...] = ()
    optional: tuple[Detail, ...] = ()
    description_required: bool = False

    @property
    def details(self) -> tuple[Detail, ...]:
        return self.required + self.optional

    @property
    def is_structured(self) -> bool:
        return self.request_type is not RequestType.GENERAL


SPECS: dict[RequestType, RequestSpec] = {
    spec.request_type: spec for spec in (
        RequestSpec(RequestType.GENERAL, CaseCategory.OTHER, CasePriority.MEDIUM, description_required=True),
        RequestSpec(RequestType.LOST_SIM, CaseCategory.SIM, CasePriority.HIGH,
                    required=(Detail.ICCID, Detail.LOSS_KIND), optional=(Detail.NOTICED_ON,)),
        RequestSpec(RequestType.MNP_RESERVATION, CaseCategory.SIM, CasePriority.MEDIUM,
                    required=(Detail.ICCID, Detail.HOLDER_NAME)),
        RequestSpec(RequestType.SIM_REPLACEMENT, CaseCategory.SIM, CasePriority.MEDIUM,
                    required=(Detail.ICCID, Detail.REPLACEMENT_REASON, Detail.SIM_SIZE)),
        RequestSpec(RequestType.ADDRESS_CHANGE, CaseCategory.ORDER, CasePriority.MEDIUM,
                    required=(Detail.ADDRESS,)),
        RequestSpec(RequestType.RESUME_LINE, CaseCategory.SIM, CasePriority.MEDIUM, required=(Detail.ICCID,)),
    )
}


def problems(request_type: RequestType, *, description: str, details: RequestDetails) -> list[tuple[str, str]]:
    """What stops a case of ``request_type`` from being opened: ``(field, reason)`` pairs, empty
    when it may be opened. Details a type does not take must be left empty."""
    spec = SPECS[RequestType(request_type)]
    found: list[tuple[str, str]] = []
    if spec.description_required and len(description.strip()) < MIN_DESCRIPTION_LENGTH:
        found.append(("description", f"at least {MIN_DESCRIPTION_LENGTH} characters are required"))
    for detail in spec.required:
        if getattr(details, detail.value) is None:
            found.append((detail.value, "required"))
    for detail in Detail:
        if detail not in spec.details and getattr(details, detail.value) is not None:
            found.append((detail.value, f"not a detail of a {spec.request_type.value} request"))
    return found
