"""The price book query: the portal price book's id, found by its name (a setting, "Portal")."""
import unicodedata

from simple_salesforce import format_soql

from integrations.salesforce.utils.soql import InvalidQueryArgumentError

MAX_NAME_LENGTH = 255
"""The length of `Pricebook2.Name`."""


def require_pricebook_name(name: object) -> str:
    """A price book name: 1 to 255 characters, none of them a control, format or line separator."""
    if (
        not isinstance(name, str)
        or not 1 <= len(name) <= MAX_NAME_LENGTH
        or not name.strip()
        or any(unicodedata.category(char)[0] == "C" or unicodedata.category(char) in ("Zl", "Zp") for char in name)
    ):
        raise InvalidQueryArgumentError(f"a price book name must be 1 to {MAX_NAME_LENGTH} printable characters")
    return name


def build_pricebook_by_name_query(name: str) -> str:
    """The active price books with this name. LIMIT 2, not 1: two of them is an ambiguity the mapper
    refuses rather than picking one at random.
    """
    return format_soql(
        "SELECT Id FROM Pricebook2 WHERE Name = {name} AND IsActive = true LIMIT 2", name=require_pricebook_name(name)
    )
