"""The demo and local development: the embedded default of ``base``, nothing external needed."""
from portal.settings.base import *  # noqa: F403
from portal.settings.base import VAR_DIR, env

VAR_DIR.mkdir(exist_ok=True)

# DEMO_CLOCK_CONTROL=true lets the browser tests move the demo's clock with POST /__demo__/clock
# (portal/demo/clock.py).
DEMO_CLOCK_CONTROL = env.bool("DEMO_CLOCK_CONTROL", default=False)
