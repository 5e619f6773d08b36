"""What the SIM actions refuse, in words for the customer."""


class SimActionRefused(Exception):
    """The customer cannot do this; ``message`` says why, in words for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
