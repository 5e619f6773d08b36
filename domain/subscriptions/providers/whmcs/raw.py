"""Raw GetClientsProducts payload. `password`, `username`, server details and the like are not
declared, so they are dropped on parsing and can never reach a domain object.
"""
from typing import Annotated, Any

from domain.shared.providers.whmcs import (
    WhmcsContainer,
    WhmcsCount,
    WhmcsDate,
    WhmcsDecimal,
    WhmcsId,
    WhmcsList,
    WhmcsOptionalDate,
    WhmcsOptionalId,
    WhmcsRawModel,
    WhmcsText,
    enum_field,
)
from domain.subscriptions.types import BillingCycle, SubscriptionStatus


class WhmcsCustomFieldRaw(WhmcsRawModel):
    name: WhmcsText
    value: WhmcsText = ""


class WhmcsCustomFieldsRaw(WhmcsRawModel):
    customfield: WhmcsList[WhmcsCustomFieldRaw] = []


class WhmcsConfigOptionRaw(WhmcsRawModel):
    option: WhmcsText
    value: WhmcsText = ""


class WhmcsConfigOptionsRaw(WhmcsRawModel):
    configoption: WhmcsList[WhmcsConfigOptionRaw] = []


class WhmcsProductRaw(WhmcsRawModel):
    """A GetClientsProducts entry (a service). It carries no currency: the client's applies."""

    id: WhmcsId
    clientid: WhmcsId
    orderid: WhmcsOptionalId = None
    pid: WhmcsId
    regdate: WhmcsDate
    name: WhmcsText
    groupname: WhmcsText = ""
    domain: WhmcsText = ""
    firstpaymentamount: WhmcsDecimal
    recurringamount: WhmcsDecimal
    paymentmethod: WhmcsText = ""
    billingcycle: Annotated[BillingCycle, enum_field(BillingCycle)]
    nextduedate: WhmcsOptionalDate = None
    status: Annotated[SubscriptionStatus, enum_field(SubscriptionStatus)]
    customfields: WhmcsContainer[WhmcsCustomFieldsRaw] = WhmcsCustomFieldsRaw()
    configoptions: WhmcsContainer[WhmcsConfigOptionsRaw] = WhmcsConfigOptionsRaw()


class WhmcsProductListRaw(WhmcsRawModel):
    product: WhmcsList[Any] = []
    """Each entry is read on its own (`WhmcsProductRaw`): one bad service need not sink the list."""


class WhmcsClientsProductsRaw(WhmcsRawModel):
    """The body of GetClientsProducts."""

    totalresults: WhmcsCount
    startnumber: WhmcsCount = 0
    products: WhmcsContainer[WhmcsProductListRaw] = WhmcsProductListRaw()
