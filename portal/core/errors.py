"""Application errors the page and API layers turn into friendly answers."""


class ProviderUnavailable(Exception):
    """A provider failed and there is no copy to show instead. ``area`` is what the customer
    reads ("billing", "orders", ...); the technical cause is logged, never shown."""

    def __init__(self, area: str) -> None:
        super().__init__(f"{area} is temporarily unavailable")
        self.area = area
