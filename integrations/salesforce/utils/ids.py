"""Salesforce ids checked before they go anywhere near a query."""
import re

from domain.shared.salesforce_id import InvalidSalesforceId
from domain.shared.salesforce_keys import KeyPrefix, checked_id
from integrations.salesforce.utils.soql import InvalidQueryArgumentError

_PREFIX = re.compile(r"[A-Za-z0-9]{3}")


class InvalidSalesforceIdError(InvalidQueryArgumentError, InvalidSalesforceId):
    """Not a 15/18-character Salesforce id with a valid checksum, or the id of another object.

    A ValueError, like every InvalidQueryArgumentError and the domain's InvalidSalesforceId.
    """


def require_salesforce_id(value: object, *, prefix: KeyPrefix | str | None = None) -> str:
    """The 18-character form of `value`, which must be a valid id (letters and digits only, 15 or
    18 of them, checksum matching the letter case) and, given a `prefix`, start with that key
    prefix (`KeyPrefix.ORDER`: "801"). Anything else raises InvalidSalesforceIdError.
    """
    if prefix is not None and (not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix)):
        raise TypeError("prefix must be a three-character key prefix such as KeyPrefix.ORDER")
    try:
        return checked_id(value, prefix=prefix)
    except InvalidSalesforceId as exc:
        raise InvalidSalesforceIdError(str(exc)) from None
