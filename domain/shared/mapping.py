"""The two checked steps of every mapper: validate the raw shape, then build the domain object."""
from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from domain.shared.errors import ROOT, MappingError, mapping_error_from_validation

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_raw(schema: type[ModelT], raw: object, *, provider: str, entity: str, path: str = "") -> ModelT:
    """Parse `raw` with a raw provider schema; a mismatch becomes a MappingError naming the raw field
    (under `path`, e.g. `records.3.`, when `raw` is one record of a list).

    The ValidationError is not chained (`from None`): it would carry the raw input into logs.
    """
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        error = mapping_error_from_validation(exc, provider=provider, entity=entity)
        raise (at_index(error, path) if path else error) from None


def build_domain(model: type[ModelT], *, provider: str, entity: str, **fields: object) -> ModelT:
    """Construct (and so validate) a domain object; a broken invariant becomes a MappingError.

    Here the error names the domain field, since the raw shape was already accepted.
    """
    try:
        return model(**fields)
    except ValidationError as exc:
        raise mapping_error_from_validation(exc, provider=provider, entity=entity) from None


RecordT = TypeVar("RecordT")
Skipped = Callable[[MappingError], None]
"""Told of each record a tolerant list mapping left out (the caller logs it: the domain does no I/O)."""


def at_index(error: MappingError, prefix: str, *, entity: str | None = None) -> MappingError:
    """``error`` with its field placed under ``prefix`` (``records.3.``), for the list it came from."""
    field = error.field if error.field != ROOT else ""
    return MappingError(provider=error.provider, entity=entity or error.entity, field=f"{prefix}{field}".rstrip("."),
                        reason=error.reason)


def map_each(records: Sequence[object], build: Callable[[object, str], RecordT | None], *,
             on_skip: Skipped | None, path: str = "records") -> tuple[RecordT, ...]:
    """``build(record, "records.<n>.")`` for each record of a list, in order; a None result is left out.

    Strict (``on_skip`` None): a record that raises MappingError sinks the list (the error names
    ``records.<n>.<field>``). Tolerant: the record is left out and ``on_skip`` receives the error,
    so one bad record of a provider's list never hides the others.
    """
    built: list[RecordT] = []
    for index, record in enumerate(records):
        try:
            value = build(record, f"{path}.{index}.")
        except MappingError as exc:
            if on_skip is None:
                raise
            on_skip(exc)
            continue
        if value is not None:
            built.append(value)
    return tuple(built)
