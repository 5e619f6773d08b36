"""The demo and local development: the embedded default of ``base``, nothing external needed."""
from portal.settings.base import *  # noqa: F403
from portal.settings.base import VAR_DIR

VAR_DIR.mkdir(exist_ok=True)
