"""The two checked steps of every mapper: validate the raw shape, then build the domain object."""
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from domain.shared.errors import mapping_error_from_validation

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_raw(schema: type[ModelT], raw: object, *, provider: str, entity: str) -> ModelT:
    """Parse `raw` with a raw provider schema; a mismatch becomes a MappingError naming the raw field.

    The ValidationError is not chained (`from None`): it would carry the raw input into logs.
    """
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise mapping_error_from_validation(exc, provider=provider, entity=entity) from None


def build_domain(model: type[ModelT], *, provider: str, entity: str, **fields: object) -> ModelT:
    """Construct (and so validate) a domain object; a broken invariant becomes a MappingError.

    Here the error names the domain field, since the raw shape was already accepted.
    """
    try:
        return model(**fields)
    except ValidationError as exc:
        raise mapping_error_from_validation(exc, provider=provider, entity=entity) from None
