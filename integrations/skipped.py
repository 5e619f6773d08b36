"""What the entity clients do with a record left out of a provider's list (``on_skip`` of the
tolerant mappers): log it, once, with the field and the reason, never the record itself."""
import logging

from domain.shared.errors import MappingError

logger = logging.getLogger(__name__)


def log_skipped(error: MappingError) -> None:
    """One record could not be read and was left out of its list: staff fix it at the provider."""
    logger.warning("%s record left out of its list: %s", error.provider, error)
