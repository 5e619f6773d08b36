"""Field types for raw Salesforce REST schemas: they absorb the quirks of Salesforce's JSON once, here.

- every record carries an `attributes` object (`{"type": "Order", "url": "/services/data/..."}`):
  it is ignored, like every field a schema does not declare;
- numbers are JSON numbers, and whole ones often come as floats (`1980.0`, `1.0`): they are read
  as Decimal through their shortest repr (`Decimal("1980.0")`), never through their binary value;
- dates are "YYYY-MM-DD", datetimes "2026-11-26T06:49:21.000+0000" (always with an offset);
- an unset field is `null`, and so is a relationship object (`"Account": null`) the running user
  cannot see or that an empty lookup leads nowhere;
- a query answer, and a child subquery inside a record, is `{"totalSize": n, "done": true,
  "records": [...]}` once the connection has read every batch; a child subquery that found nothing
  is `null`;
- a field the object does not require (most custom fields, a picklist staff left empty) may be
  `null` on any record: such fields are nullable here, and the mapper gives the domain default or,
  when the record cannot be used without it, leaves that one record out of its list.

Anything else is refused with a short reason, so the mapper raises a MappingError naming the field.
"""
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints

from domain.shared.errors import MappingError
from domain.shared.mapping import validate_raw
from domain.shared.model import DomainModel

PROVIDER = "salesforce"

RecordT = TypeVar("RecordT")
E = TypeVar("E", bound=Enum)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})")


class SalesforceRawModel(BaseModel):
    """A raw Salesforce record or answer: `attributes` and every undeclared field are dropped."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # a JSON number: take its shortest repr, not its binary value
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Decimal(repr(value))
    if isinstance(value, Decimal) and value.is_finite():  # json.loads(..., parse_float=Decimal)
        return value
    raise ValueError("not a number")  # Salesforce sends numbers as JSON numbers, never as text


def _whole_number(value: object) -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    return int(number)


def _date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a valid calendar date") from None


def _datetime(value: object) -> datetime:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise ValueError("not a datetime (YYYY-MM-DDTHH:MM:SS.sss+0000)")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not a valid calendar datetime") from None


def _complete(done: bool) -> bool:
    if not done:
        raise ValueError("the query answer is incomplete (done: false): every page must be fetched")
    return done


def _relationship(value: object) -> object:
    if value is None:
        raise ValueError("is null (the related record is missing or not visible to the integration user)")
    return value


RequiredRelationship = BeforeValidator(_relationship)
"""For a relationship object the mapper cannot do without: `Annotated[SfOrderItemProductRaw, RequiredRelationship]`."""


def picklist(enum: type[E]) -> BeforeValidator:
    """A validator turning the exact picklist value into the enum member, else 'unknown value'."""

    def parse(value: object) -> E:
        if not isinstance(value, str):
            raise ValueError("is null" if value is None else f"not text ({type(value).__name__})")
        try:
            return enum(value)
        except ValueError:
            raise ValueError(f"unknown value {value[:40]!r}") from None

    return BeforeValidator(parse)


def optional_picklist(enum: type[E]) -> BeforeValidator:
    """As `picklist`, for a picklist Salesforce may leave empty (not required on the object, or a
    record staff created without it): null is None, for the mapper to give its domain default."""
    strict = picklist(enum).func

    def parse(value: object) -> E | None:
        return None if value is None else strict(value)

    return BeforeValidator(parse)


SfDecimal = Annotated[Decimal, BeforeValidator(_decimal)]
SfWholeNumber = Annotated[int, BeforeValidator(_whole_number)]
SfPositiveWholeNumber = Annotated[int, BeforeValidator(_whole_number), Field(gt=0)]
"""A number field holding an id of another system (`WHMCS_Product_Id__c`): 12 or 12.0, never 0."""
SfDate = Annotated[date, BeforeValidator(_date)]
SfDateTime = Annotated[datetime, BeforeValidator(_datetime)]
SfCheckbox = Annotated[bool, Strict()]
"""A checkbox is never null: true or false, nothing else."""
SfText = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]
"""Required text: a string with something in it (surrounding blanks are trimmed)."""
SfOptionalText = Annotated[str | None, Strict()]
SfCurrencyCode = Annotated[str, Strict(), Field(pattern=r"^[A-Z]{3}$")] | None
"""`CurrencyIsoCode`; null (or absent) in an org without multiple currencies."""


class SfQueryResult(SalesforceRawModel, Generic[RecordT]):
    """A query answer, or a child subquery inside a record. Only a complete answer is accepted:
    a `done: false` one means the caller fetched one page of several (use `query_all`).
    """

    totalSize: Annotated[int, Strict(), Field(ge=0)]
    done: Annotated[bool, Strict(), AfterValidator(_complete)]
    records: list[RecordT]


def single_record(raw_query_response: object, *, entity: str) -> Mapping[str, Any] | None:
    """The one record of a query answer (`... LIMIT 1`), or None when it found nothing.

    Lets an entity client tell "not found" from a record without reading the answer itself; the
    record is then handed to the entity's mapper.
    """
    parsed = validate_raw(SfQueryResult[dict[str, Any]], raw_query_response, provider=PROVIDER, entity=entity)
    if len(parsed.records) > 1:
        raise MappingError(provider=PROVIDER, entity=entity, field="records", reason="more than one record")
    return parsed.records[0] if parsed.records else None


# --- sObject Tree (composite/tree) answers -------------------------------------------------------


class SfTreeErrorRaw(SalesforceRawModel):
    statusCode: SfText
    message: Annotated[str, Strict()] = ""
    fields: list[Annotated[str, Strict()]] = []


class SfTreeResultRaw(SalesforceRawModel):
    referenceId: SfText
    id: SfOptionalText = None
    errors: list[SfTreeErrorRaw] = []


class SfTreeResponseRaw(SalesforceRawModel):
    """`{"hasErrors": false, "results": [{"referenceId": "order", "id": "801..."}, ...]}`, or with
    `hasErrors: true` the records that failed, each with its errors (and nothing was saved).
    """

    hasErrors: SfCheckbox
    results: list[SfTreeResultRaw]


class SalesforceRecordError(DomainModel):
    """One reason Salesforce gave for refusing a record of a save."""

    reference_id: str
    status_code: str
    """E.g. `DUPLICATE_VALUE`, `REQUIRED_FIELD_MISSING`, `FIELD_CUSTOM_VALIDATION_EXCEPTION`."""
    message: str
    fields: tuple[str, ...] = ()


class SalesforceSaveError(Exception):
    """Salesforce refused a save (an sObject Tree with `hasErrors: true`); nothing was created.

    `errors` carries Salesforce's own status codes and messages, for logs and for deciding what to
    do next (`has_status("DUPLICATE_VALUE")`: the same request was already saved). They are not
    meant for the customer.
    """

    def __init__(self, errors: tuple[SalesforceRecordError, ...]) -> None:
        self.errors = tuple(errors)
        details = "; ".join(f"{e.reference_id}: {e.status_code}: {e.message}" for e in self.errors)
        super().__init__(f"Salesforce refused the save: {details or 'no reason given'}")

    def has_status(self, status_code: str) -> bool:
        return any(error.status_code == status_code for error in self.errors)

    def __reduce__(self):  # picklable (Celery, caches)
        return SalesforceSaveError, (self.errors,)


def tree_reference_ids(raw: object, *, entity: str) -> dict[str, str]:
    """The ids an sObject Tree answer gives each reference id (`{"order": "801...", ...}`).

    Raises SalesforceSaveError when Salesforce refused the save, MappingError when the answer does
    not have the documented shape.
    """
    parsed = validate_raw(SfTreeResponseRaw, raw, provider=PROVIDER, entity=entity)
    if parsed.hasErrors:
        raise SalesforceSaveError(
            tuple(
                SalesforceRecordError(
                    reference_id=result.referenceId,
                    status_code=error.statusCode,
                    message=error.message,
                    fields=tuple(error.fields),
                )
                for result in parsed.results
                for error in result.errors
            )
        )
    ids: dict[str, str] = {}
    for index, result in enumerate(parsed.results):
        if result.id is None:
            raise MappingError(provider=PROVIDER, entity=entity, field=f"results.{index}.id", reason="missing")
        ids[result.referenceId] = result.id
    return ids
