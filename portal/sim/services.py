"""SIM actions: plan changes. Data top-ups are their own flow: ``portal.sim.topups``."""
import logging

from domain.catalog.types import Product
from domain.sim.types import PlanChange
from integrations.freebit.errors import FreebitError, FreebitPlanChangeRefused
from integrations.freebit.sims import FreebitSimService
from portal.accounts.models import Customer
from portal.catalog import selectors as catalog
from portal.core.cache import invalidate_customer
from portal.core.errors import ProviderUnavailable
from portal.core.providers import freebit_connection
from portal.sim import selectors
from portal.sim.errors import SimActionRefused
from portal.sim.topups import (  # noqa: F401 - the top-up flow's entry points, where the views find them
    TopUpAnswer,
    TopUpQuote,
    topup_message,
    topup_process,
    topup_quote,
    topup_request,
)

logger = logging.getLogger(__name__)
SIM_PLAN_SKU_PREFIXES = ("MOB-DATA-", "MOB-VOICE-")


# --- plan changes ------------------------------------------------------------------------------
def sim_plans(current_plan_code: str) -> tuple[Product, ...]:
    """The SIM plans the catalog offers (SKUs are Freebit plan codes), other than the current one."""
    products = catalog.catalog().value.products
    return tuple(p for p in products if p.is_sim and p.sku.startswith(SIM_PLAN_SKU_PREFIXES)
                 and p.sku != current_plan_code)


def plan_change(*, customer: Customer, iccid: str, plan_code: str, immediate: bool) -> PlanChange:
    link = selectors.owned_sim(customer, iccid)
    details = selectors.sim_details(customer, link.iccid).value
    if not details.can_change_plan:
        raise SimActionRefused("This SIM's plan cannot be changed right now. Please contact support.")
    if plan_code not in {plan.sku for plan in sim_plans(details.plan_code)}:
        raise SimActionRefused("Please choose one of the plans offered.")
    try:
        change = FreebitSimService(freebit_connection()).change_plan(link.iccid, plan_code, immediate=immediate)
    except FreebitPlanChangeRefused:
        raise SimActionRefused("That plan is not available for this SIM (data-only and voice SIMs "
                               "cannot switch between each other).") from None
    except FreebitError as exc:
        logger.error("Freebit plan change failed for %s: %s", link.iccid, exc)
        raise ProviderUnavailable("SIM") from exc
    finally:
        invalidate_customer(customer.user_id)
    return change
