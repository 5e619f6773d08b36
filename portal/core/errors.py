"""Application errors the page and API layers turn into friendly answers."""


class ProviderUnavailable(Exception):
    """A provider failed and there is no copy to show instead. ``area`` is what the customer
    reads ("billing", "orders", ...); the technical cause is logged, never shown."""

    def __init__(self, area: str) -> None:
        super().__init__(f"{area} is temporarily unavailable")
        self.area = area


def guarded(area: str, provider: str, failures: tuple[type[BaseException], ...], read, *, log):
    """Run a provider read; one of ``failures`` (with no stale copy to show) is logged on ``log``
    with its detail and becomes ``ProviderUnavailable(area)``, which pages and the API answer with
    a friendly 503."""
    try:
        return read()
    except failures as exc:
        log.error("%s unavailable (%s): %s", provider, area, exc)
        raise ProviderUnavailable(area) from exc
