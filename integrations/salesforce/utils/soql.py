"""What every query builder shares: its input error, field lists and limits.

Values reach SOQL only through simple-salesforce's `format_soql` (which quotes and escapes them),
and only after they were validated; field names and object names are constants of the builders,
checked here once more so that a typo can never turn into an injection point.
"""
import re
from collections.abc import Iterable

from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, checked_id

_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")
_PREFIX = re.compile(r"[A-Za-z0-9]{3}")


class InvalidQueryArgumentError(ValueError):
    """A value refused before any SOQL was built (a malformed id, an unknown category, ...).

    The message never echoes the value: it may be an attacker's string.
    """


class InvalidSalesforceIdError(InvalidQueryArgumentError, InvalidSalesforceId):
    """Not a 15/18-character Salesforce id with a valid checksum, or the id of another object.

    A ValueError, like every InvalidQueryArgumentError and the domain's InvalidSalesforceId.
    """


def require_salesforce_id(value: object, *, prefix: KeyPrefix | str | None = None) -> str:
    """A builder's id argument, checked by the one id check (``domain.shared.salesforce_id``): its
    18-character form, of the object ``prefix`` names (``KeyPrefix.ORDER``: "801") when given;
    anything else raises InvalidSalesforceIdError before any SOQL exists."""
    if prefix is not None and (not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix)):
        raise TypeError("prefix must be a three-character key prefix such as KeyPrefix.ORDER")
    try:
        return checked_id(value, prefix=prefix)
    except InvalidSalesforceId as exc:
        raise InvalidSalesforceIdError(str(exc)) from None


def unique_fields(fields: Iterable[str]) -> list[str]:
    """The field names in order, each once (SOQL names are case-insensitive: `Id` and `ID` are one)."""
    if isinstance(fields, str):
        raise TypeError("fields must be an iterable of field names, not one string")
    seen: set[str] = set()
    unique: list[str] = []
    for field in fields:
        if not isinstance(field, str) or not _FIELD.fullmatch(field):
            raise InvalidQueryArgumentError("a field name must be letters, digits, '_' and '.' only")
        if field.lower() not in seen:
            seen.add(field.lower())
            unique.append(field)
    return unique


def field_list(fields: Iterable[str]) -> str:
    """`"Id, Name, Account.Name"`, ready for a `{fields:literal}` slot of a format_soql template."""
    return ", ".join(unique_fields(fields))


def check_limit(limit: object, *, maximum: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= maximum:
        raise InvalidQueryArgumentError(f"limit must be a whole number from 1 to {maximum}")
    return limit
