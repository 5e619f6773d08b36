"""Errors raised while turning a provider's raw answer into domain types."""
from pydantic import ValidationError

ROOT = "(root)"
"""The field name used when the whole payload is wrong (not an object, say)."""


class MappingError(ValueError):
    """A provider answer that does not have the shape we rely on.

    `field` is the dotted path of the offending raw field (`items.item.0.amount`). The offending
    value itself is deliberately left out: raw payloads can hold personal or payment data, and this
    message ends up in logs.
    """

    def __init__(self, *, provider: str, entity: str, field: str, reason: str) -> None:
        self.provider = provider
        self.entity = entity
        self.field = field or ROOT
        self.reason = reason
        super().__init__(f"{provider} {entity}: field '{self.field}': {reason}")

    def __reduce__(self):  # keep the keyword-only constructor picklable (Celery, caches)
        return _rebuild, (self.provider, self.entity, self.field, self.reason)


def _rebuild(provider: str, entity: str, field: str, reason: str) -> MappingError:
    return MappingError(provider=provider, entity=entity, field=field, reason=reason)


def field_path(loc: tuple[int | str, ...]) -> str:
    """`("items", "item", 0, "amount")` -> `"items.item.0.amount"`."""
    return ".".join(str(part) for part in loc) or ROOT


def mapping_error_from_validation(exc: ValidationError, *, provider: str, entity: str) -> MappingError:
    """A MappingError naming the first failing field of a pydantic ValidationError."""
    first = exc.errors(include_url=False, include_input=False)[0]
    reason = first["msg"].removeprefix("Value error, ")
    return MappingError(provider=provider, entity=entity, field=field_path(first["loc"]), reason=reason)
