"""SIM actions, where the views find them. Each is its own flow: data top-ups in
``portal.sim.topups``, plan changes in ``portal.sim.plan_changes``."""
from portal.sim.plan_changes import (  # noqa: F401
    PlanChangeAnswer,
    PlanChangeNotFound,
    PlanChangeQuote,
    open_plan_change,
    plan_change_cancel,
    plan_change_history,
    plan_change_message,
    plan_change_process,
    plan_change_quote,
    plan_change_request,
    sim_plans,
)
from portal.sim.topups import (  # noqa: F401
    TopUpAnswer,
    TopUpQuote,
    topup_message,
    topup_process,
    topup_quote,
    topup_request,
)
