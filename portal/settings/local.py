"""The demo and local development: the embedded default of ``base``, nothing external needed."""
from portal.settings.base import *  # noqa: F403
from portal.settings.base import VAR_DIR, env

VAR_DIR.mkdir(exist_ok=True)

# The demo's clock, for the browser tests that start it (sandbox/common/clock.py): CLOCK_AT starts it
# at an instant; DEMO_CLOCK_CONTROL=true lets them move it with POST /__demo__/clock.
DEMO_CLOCK_CONTROL = env.bool("DEMO_CLOCK_CONTROL", default=False)
if env("CLOCK_AT", default=""):
    from sandbox.common.clock import travel_from_environment

    travel_from_environment()
