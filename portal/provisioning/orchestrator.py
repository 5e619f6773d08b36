"""Running one provisioning job: from an approved Salesforce order to active services.

The steps, each recorded on the job as soon as it is done (``ProvisioningJob.Step``), so that a
re-run (a Celery retry, a worker killed mid-way, a staff retry) skips what is done:

1. **checked**: read the Salesforce order; its ``Provisioning_Status__c`` must be Approved or
   Activating (also Failed when staff asked for a retry); then mark it Activating.
2. **read** / **mapped**: read its items and map each unit ordered to a WHMCS product and billing
   cycle (``lines``); a product without ``WHMCS_Product_Id__c`` is a business failure.
3. **whmcs_ordered**: AddOrder exactly once. The order id and service ids are recorded right after
   the answer; the order carries ``portal-job:<key>`` in its notes, and when AddOrder was sent but
   no answer recorded (a crash, a lost answer), GetOrders finds it instead of ordering again.
4. **whmcs_accepted**: AcceptOrder (an order already accepted counts as done).
5. **sims_activated**: for each SIM unit, a free SIM of the MVNO's own inventory (Salesforce
   ``SIM_Inventory__c``) is taken exactly once (a ``SimAssignment`` row, unique per SIM and per
   unit) and marked Assigned to the order and Account; Freebit registers its line (PA02-01 for a
   physical SIM, PA05-41 for an eSIM; neither has an idempotency key, so a retry after a lost answer
   first asks Freebit for the line, PA03-02); its ICCID and number are written onto the unit's
   WHMCS service, where the portal's SIM pages find them; the record is marked Activated. An empty
   inventory fails the job (``sim_inventory_empty``) with the reason for staff.
6. **written_back**: the Salesforce order becomes Activated / Active with ``WHMCS_Order_Id__c``.

The job runs on the durable-job mechanism (``portal.core.jobs``, docs/jobs.md): claimed with a
lease (``PROVISIONING_LEASE_SECONDS``), the steps above in ``ProvisioningFlow.steps``. A business
failure (``ProvisioningFailed``) fails the job at once and marks the Salesforce order Failed with a
customer-safe reason. Anything else is transient: the job goes back to the queue with
``last_error`` and ``ProvisioningRetry`` makes the Celery task retry it with backoff, until
``PROVISIONING_MAX_ATTEMPTS``; then it is failed too (``provider_unavailable``).
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from domain.billing.orders import BillingOrderLine, NewBillingOrder, order_marker
from domain.catalog.types import BillingCycle
from domain.orders.types import PHYSICAL_SIMS, OrderDetails, OrderItem, OrderStatus, ProvisioningStatus
from domain.sim.commands import InvalidSimCommand, require_plan_code
from domain.sim.inventory import InventorySim, SimKind, assignment_key
from domain.sim.plans import PlanKind, plan_kind
from integrations.freebit.errors import (
    FreebitActivationRefused,
    FreebitAlreadyRegistered,
    FreebitInvalidRequest,
    FreebitUnknownSim,
)
from integrations.freebit.sims import FreebitSimClient
from integrations.salesforce.orders import SalesforceOrderClient
from integrations.salesforce.sim_inventory import SalesforceSimInventoryClient
from integrations.whmcs.billing import WhmcsPaymentMethodClient
from integrations.whmcs.billing_orders import WhmcsBillingOrderClient, WhmcsServiceFieldClient
from integrations.whmcs.errors import WhmcsApiError, WhmcsAuthError, WhmcsNotFound
from portal.accounts.models import Customer
from portal.core import jobs
from portal.core.cache import invalidate_customer
from portal.core.connections import freebit_connection, salesforce_connection, whmcs_connection
from portal.provisioning import errors
from portal.provisioning.errors import ProvisioningFailed, ProvisioningRetry
from portal.provisioning.models import ProvisioningJob, SimAssignment
from portal.sim.selectors import ICCID_FIELD, PHONE_NUMBER_FIELD

logger = logging.getLogger(__name__)
Job = ProvisioningJob
State = ProvisioningJob.State
Step = ProvisioningJob.Step
INVENTORY_CANDIDATES = 50


def provisioning_run(*, job_id: int) -> str | None:
    """Claim the job and take it as far as it goes. Answers the job's final state (succeeded or
    failed), or None when it was not there to claim (done, failed, or another worker holds it).

    Raises ``ProvisioningRetry`` after a transient failure (the job is queued again, with the
    error in ``last_error``), unless that was the last attempt: then the job is failed.
    """
    return ProvisioningFlow.run(job_id)


class ProvisioningFlow(jobs.JobFlow):
    """One attempt at one job (see the module docstring)."""

    model = ProvisioningJob
    noun, sweep_label, unit = "provisioning job", "provisioning", "job"
    settings_prefix = "PROVISIONING"
    task = "portal.provisioning.tasks.run_job"
    status_field = "state"
    waiting = (State.QUEUED,)
    running = State.RUNNING
    retrying = State.QUEUED
    failed = State.FAILED
    retryable = (State.FAILED,)
    retry_to = State.QUEUED
    retry_error = ProvisioningRetry
    failure_error = ProvisioningFailed
    steps = (
        "check_order",  # approved (or this job already finished it: done)
        "link_customer",
        "mark_activating",
        "map_lines",
        "place_whmcs_order",  # AddOrder exactly once: the marker in its notes
        "accept_whmcs_order",
        "activate_sims",
        "write_back",
    )

    def __init__(self, job: ProvisioningJob) -> None:
        super().__init__(job)
        self._orders: SalesforceOrderClient | None = None
        self.order: OrderDetails | None = None
        self.customer: Customer | None = None
        self.lines: list[dict] = []

    @classmethod
    def queryset(cls):
        return ProvisioningJob.objects.select_related("customer__user")

    @classmethod
    def retry_fields(cls, now) -> dict:
        """A staff retry: the run then also accepts a Salesforce order marked Failed (by the job itself)."""
        return {"error_code": "", "customer_message": "", "finished_at": None, "retry_requested_at": now}

    def describe(self) -> str:
        return f"provisioning job {self.job.pk} (order {self.job.salesforce_order_id})"

    # --- the steps ------------------------------------------------------------------------------
    def check_order(self):
        self.order = order = self._checked_order()
        if order.provisioning_status is ProvisioningStatus.ACTIVE:
            logger.info("provisioning job %s: order %s was already written back as Active", self.job.pk, order.id)
            return jobs.DONE
        return None

    def link_customer(self) -> None:
        self.customer = self._customer(self.order)

    def mark_activating(self) -> None:
        if self.order.provisioning_status is not ProvisioningStatus.ACTIVATING:
            self.orders.update_provisioning(self.order.id, status=None,
                                            provisioning_status=ProvisioningStatus.ACTIVATING)

    def map_lines(self) -> None:
        self.lines = self._lines(self.order)

    def place_whmcs_order(self) -> None:
        self._place_whmcs_order(self.order, self.customer, self.lines)

    def accept_whmcs_order(self) -> None:
        self._accept_whmcs_order()

    def activate_sims(self) -> None:
        self._activate_sims(self.customer)

    def write_back(self) -> None:
        self.orders.update_provisioning(self.order.id, status=OrderStatus.ACTIVATED,
                                        provisioning_status=ProvisioningStatus.ACTIVE,
                                        whmcs_order_id=self.job.whmcs_order_id)

    def _checked_order(self) -> OrderDetails:
        job = self.job
        order = self.orders.get_order_by_id(job.salesforce_order_id, currency_code=settings.SALESFORCE_CURRENCY)
        if order is None:
            raise ProvisioningFailed(errors.UNKNOWN_ORDER, f"Salesforce has no order {job.salesforce_order_id}")
        status = order.provisioning_status
        if status is ProvisioningStatus.ACTIVE and job.whmcs_order_id and order.whmcs_order_id == job.whmcs_order_id:
            return order  # this job finished it; only the job's own record was not saved
        allowed = {ProvisioningStatus.APPROVED, ProvisioningStatus.ACTIVATING}
        if job.retry_requested_at is not None:
            allowed.add(ProvisioningStatus.FAILED)  # staff asked for this failed job to be retried
        if status not in allowed:
            raise ProvisioningFailed(errors.NOT_APPROVED, f"the order's Provisioning_Status__c is {status.value}")
        self._advance(Step.CHECKED)
        return order

    def _customer(self, order: OrderDetails) -> Customer:
        customer = Customer.objects.select_related("user").filter(salesforce_account_id=order.account_id).first()
        if customer is None:
            raise ProvisioningFailed(errors.UNKNOWN_CUSTOMER, f"no portal customer is linked to {order.account_id}")
        if self.job.customer_id != customer.pk:
            self.job.customer = customer
            self._save("customer")
        return customer

    def _lines(self, order: OrderDetails) -> list[dict]:
        job = self.job
        if job.lines and (job.whmcs_order_id is not None or job.whmcs_order_requested_at is not None):
            return job.lines  # a WHMCS order was (or may have been) placed for these lines: keep them
        # Otherwise map afresh, so that a retry after a fixed mapping uses the fixed one.
        items = self.orders.get_order_items(order.id, currency_code=settings.SALESFORCE_CURRENCY)
        self._advance(Step.READ)
        if not items:
            raise ProvisioningFailed(errors.EMPTY_ORDER, f"order {order.id} has no items")
        job.lines = [line for item in items for line in _billing_lines(item)]
        self._save("lines")
        self._advance(Step.MAPPED)
        return job.lines

    def _place_whmcs_order(self, order: OrderDetails, customer: Customer, lines: list[dict]) -> None:
        """AddOrder exactly once (see the module docstring)."""
        job = self.job
        if job.whmcs_order_id is None:
            whmcs = WhmcsBillingOrderClient(whmcs_connection())
            marker = order_marker(job.idempotency_key)
            found = None
            if job.whmcs_order_requested_at is not None:  # sent before, answer not recorded: look first
                found = whmcs.find_order_with_marker(customer.whmcs_client_id, marker)
            if found is not None:
                logger.warning("provisioning job %s: WHMCS order %s was placed by an earlier attempt; not ordering "
                               "again", job.pk, found.id)
                self._record_whmcs_order(found.id, found.service_ids)
            else:
                new_order = self._new_billing_order(order, customer, lines, marker)
                job.whmcs_order_requested_at = timezone.now()
                self._save("whmcs_order_requested_at")
                try:
                    placed = whmcs.add_order(new_order)
                except WhmcsAuthError:
                    raise
                except WhmcsApiError as exc:  # refused: WHMCS created nothing, a retry maps and orders afresh
                    job.whmcs_order_requested_at = None
                    self._save("whmcs_order_requested_at")
                    raise ProvisioningFailed(errors.WHMCS_REFUSED, f"AddOrder: {exc.reason}") from exc
                logger.info("provisioning job %s: placed WHMCS order %s (services %s)", job.pk, placed.order_id,
                            placed.service_ids)
                self._record_whmcs_order(placed.order_id, placed.service_ids)
        if len(job.whmcs_service_ids) != len(lines):
            raise ProvisioningFailed(errors.BILLING_SETUP, f"WHMCS order {job.whmcs_order_id} has "
                                     f"{len(job.whmcs_service_ids)} services for {len(lines)} order units")

    def _record_whmcs_order(self, order_id: int, service_ids: tuple[int, ...]) -> None:
        job = self.job
        job.whmcs_order_id, job.whmcs_service_ids = order_id, list(service_ids)
        job.step = Step.WHMCS_ORDERED if not job.reached(Step.WHMCS_ORDERED) else job.step
        self._save("whmcs_order_id", "whmcs_service_ids", "step")

    def _new_billing_order(self, order: OrderDetails, customer: Customer, lines: list[dict],
                           marker: str) -> NewBillingOrder:
        try:
            methods = WhmcsPaymentMethodClient(whmcs_connection()).list_payment_methods(customer.whmcs_client_id)
        except WhmcsNotFound as exc:
            raise ProvisioningFailed(errors.UNKNOWN_CUSTOMER, f"GetPayMethods: {exc.reason}") from exc
        gateway = next((method.gateway for method in methods if method.gateway), None)
        if gateway is None:
            raise ProvisioningFailed(errors.NO_PAYMENT_METHOD,
                                     f"WHMCS client {customer.whmcs_client_id} has no payment method with a gateway")
        try:
            return NewBillingOrder(
                client_id=customer.whmcs_client_id,
                payment_method=gateway,
                lines=tuple(BillingOrderLine(product_id=line["product_id"], billing_cycle=line["billing_cycle"])
                            for line in lines),
                notes=f"Salesforce order {order.number} ({order.id})\n{marker}",
            )
        except ValueError as exc:
            raise ProvisioningFailed(errors.BILLING_SETUP, f"cannot build the WHMCS order: {exc}") from exc

    def _accept_whmcs_order(self) -> None:
        job = self.job
        if job.reached(Step.WHMCS_ACCEPTED):
            return
        whmcs = WhmcsBillingOrderClient(whmcs_connection())
        try:
            whmcs.accept_order(job.whmcs_order_id)
        except WhmcsAuthError:
            raise
        except WhmcsApiError as exc:
            current = whmcs.get_order(job.whmcs_order_id)
            if current is None or not current.is_active:
                state = current.status if current else "missing"
                raise ProvisioningFailed(errors.WHMCS_REFUSED, f"AcceptOrder: {exc.reason} (the order is {state})"
                                         ) from exc
            logger.info("provisioning job %s: WHMCS order %s was already accepted", job.pk, job.whmcs_order_id)
        self._advance(Step.WHMCS_ACCEPTED)

    def _activate_sims(self, customer: Customer) -> None:
        job = self.job
        if job.reached(Step.SIMS_ACTIVATED):
            return
        for unit in job.sim_units:
            assignment = job.sim_assignments.filter(unit=unit).first() or self._take_sim(unit)
            if assignment.assigned_at is None:
                self.inventory.assign(assignment.inventory_id, account_id=self.order.account_id,
                                      order_id=self.order.id, assignment_key=assignment_key(job.idempotency_key, unit))
                self._record(assignment, "assigned_at")
            if assignment.registered_at is None:
                self._register_line(assignment)
            if assignment.written_at is None:
                self._write_sim_onto_service(assignment, customer)
            if assignment.inventory_activated_at is None:
                self.inventory.mark_activated(assignment.inventory_id)
                self._record(assignment, "inventory_activated_at")
        self._advance(Step.SIMS_ACTIVATED)

    def _take_sim(self, unit: int) -> SimAssignment:
        """A free SIM of the inventory for the unit's plan, claimed for this unit alone: the row's
        unique ``inventory_id`` settles a race between two jobs for one SIM (the loser takes the next)."""
        job = self.job
        line = job.lines[unit]
        kind = SimKind(line.get("sim_kind") or SimKind.PHYSICAL)
        data_only = plan_kind(line["plan_code"]) is PlanKind.DATA
        candidates = self.inventory.available_sims(kind, data_only=data_only, limit=INVENTORY_CANDIDATES)
        claimed = set(SimAssignment.objects.filter(inventory_id__in=[sim.id for sim in candidates])
                      .values_list("inventory_id", flat=True))
        for sim in candidates:
            if sim.id in claimed:
                continue
            try:
                with transaction.atomic():
                    assignment = SimAssignment.objects.create(**self._assignment_fields(sim, unit, line))
            except IntegrityError:  # another job claimed it a moment ago (or this unit has one already)
                existing = job.sim_assignments.filter(unit=unit).first()
                if existing is not None:
                    return existing
                continue
            logger.info("provisioning job %s: SIM %s (%s) taken from the inventory for unit %s", job.pk, sim.iccid,
                        sim.msisdn, unit)
            return assignment
        line_type = "data-only" if data_only else "voice"
        raise ProvisioningFailed(errors.SIM_INVENTORY_EMPTY, f"unit {unit}: no free {kind.value} SIM for a {line_type} "
                                 f"line (plan {line['plan_code']}) in the SIM inventory: add SIMs to SIM_Inventory__c "
                                 f"in Salesforce, then retry the job")

    def _assignment_fields(self, sim: InventorySim, unit: int, line: dict) -> dict:
        """The SIM taken for the unit; an eSIM's EID is the customer's phone, from the order line."""
        return {"job": self.job, "unit": unit, "inventory_id": sim.id, "kind": sim.kind.value, "msisdn": sim.msisdn,
                "iccid": sim.iccid, "product_number": sim.product_number or "",
                "eid": line.get("eid") or "" if sim.kind is SimKind.ESIM else "",
                "plan_code": line["plan_code"], "whmcs_service_id": self.job.whmcs_service_ids[unit]}

    def _register_line(self, assignment: SimAssignment) -> None:
        """The SIM's line on Freebit, registered once: after a lost answer (the request was sent,
        no outcome recorded) Freebit is asked for the line before anything is sent again."""
        sims = FreebitSimClient(freebit_connection())
        if assignment.registration_requested_at is not None and self._line_exists(sims, assignment):
            logger.warning("provisioning job %s: the line %s was registered by an earlier attempt (its answer was "
                           "lost); adopted, not sent again", self.job.pk, assignment.msisdn)
            self._record(assignment, "registered_at")
            return
        self._record(assignment, "registration_requested_at")
        try:
            if assignment.kind == SimKind.ESIM:
                sims.register_esim_line(assignment.msisdn, assignment.plan_code, eid=assignment.eid)
            else:
                sims.register_line(assignment.msisdn, assignment.plan_code, product_number=assignment.product_number)
        except FreebitAlreadyRegistered:
            if not self._line_exists(sims, assignment):
                raise ProvisioningFailed(errors.SIM_ACTIVATION_REFUSED, f"unit {assignment.unit}: Freebit has the "
                                         f"number {assignment.msisdn} registered already") from None
        except (FreebitActivationRefused, FreebitInvalidRequest, InvalidSimCommand) as exc:
            assignment.registration_requested_at = None  # refused: nothing was registered
            assignment.save(update_fields=["registration_requested_at"])
            raise ProvisioningFailed(errors.SIM_ACTIVATION_REFUSED, f"unit {assignment.unit}: SIM {assignment.iccid}: "
                                     f"{exc}") from exc
        self._record(assignment, "registered_at")
        logger.info("provisioning job %s: line %s registered on SIM %s for WHMCS service %s", self.job.pk,
                    assignment.msisdn, assignment.iccid, assignment.whmcs_service_id)

    def _line_exists(self, sims: FreebitSimClient, assignment: SimAssignment) -> bool:
        """Whether Freebit has the line on this SIM (PA03-02); another SIM under the number is a
        failure for staff."""
        try:
            details = sims.get_details(assignment.msisdn)
        except FreebitUnknownSim:
            return False
        if details.iccid != assignment.iccid:
            raise ProvisioningFailed(errors.SIM_ACTIVATION_REFUSED, f"unit {assignment.unit}: Freebit has the number "
                                     f"{assignment.msisdn} on another SIM than {assignment.iccid}")
        return True

    def _write_sim_onto_service(self, assignment: SimAssignment, customer: Customer) -> None:
        service_id = assignment.whmcs_service_id
        fields_service = WhmcsServiceFieldClient(whmcs_connection())
        fields = fields_service.get_custom_fields(service_id)
        if fields is None or fields.client_id != customer.whmcs_client_id:
            raise ProvisioningFailed(errors.BILLING_SETUP, f"WHMCS service {service_id} is not the client's")
        iccid_field, phone_field = fields.field_named(ICCID_FIELD), fields.field_named(PHONE_NUMBER_FIELD)
        if iccid_field is None or phone_field is None:
            raise ProvisioningFailed(errors.BILLING_SETUP, f"WHMCS service {service_id} lacks the {ICCID_FIELD!r} or "
                                     f"{PHONE_NUMBER_FIELD!r} custom field")
        fields_service.set_custom_fields(service_id, {iccid_field.id: assignment.iccid,
                                                      phone_field.id: assignment.msisdn})
        self._record(assignment, "written_at")

    @staticmethod
    def _record(assignment: SimAssignment, field: str) -> None:
        setattr(assignment, field, timezone.now())
        assignment.save(update_fields=[field])

    # --- outcomes -------------------------------------------------------------------------------
    def succeed(self) -> None:
        job = self.job
        self.finish(State.SUCCEEDED, step=Step.WRITTEN_BACK, finished_at=timezone.now(), error_code="",
                    customer_message="", last_error="")
        logger.info("provisioning job %s: order %s is active (WHMCS order %s)", job.pk, job.salesforce_order_id,
                    job.whmcs_order_id)

    def fail(self, failure: ProvisioningFailed) -> None:
        job = self.job
        last_error = failure.detail or failure.code
        if failure.written_back:
            try:
                self.orders.update_provisioning(job.salesforce_order_id, status=None,
                                                provisioning_status=ProvisioningStatus.FAILED,
                                                error=failure.customer_message)
            except Exception as exc:  # the job is failed either way; say why the order may not show it
                logger.error("provisioning job %s: could not mark order %s Failed in Salesforce: %s",
                             job.pk, job.salesforce_order_id, exc)
                last_error += f"\n(marking the Salesforce order Failed did not work: {type(exc).__name__}: {exc})"
        self.finish(State.FAILED, finished_at=timezone.now(), error_code=failure.code,
                    customer_message=failure.customer_message, last_error=last_error)
        logger.warning("provisioning job %s (order %s) failed at step %r: %s", job.pk, job.salesforce_order_id,
                       job.step, failure)

    def give_up(self, error: str) -> None:
        self.fail(ProvisioningFailed(errors.PROVIDER_UNAVAILABLE, error))

    def after_attempt(self) -> None:
        """The customer's order, subscriptions and SIMs changed (or may have)."""
        if self.job.customer is not None:
            invalidate_customer(self.job.customer.user_id)

    # --- plumbing -------------------------------------------------------------------------------
    @property
    def inventory(self) -> SalesforceSimInventoryClient:
        return SalesforceSimInventoryClient(salesforce_connection())

    @property
    def orders(self) -> SalesforceOrderClient:
        if self._orders is None:
            self._orders = SalesforceOrderClient(salesforce_connection())
        return self._orders

    def _advance(self, step: str) -> None:
        if not self.job.reached(step):
            self.job.step = step
            self._save("step")

    def _save(self, *fields: str) -> None:
        self.save(*fields)


def _billing_lines(item: OrderItem) -> list[dict]:
    """One billing line per unit of the order item (a unit is one WHMCS service, one SIM: a card, or
    an eSIM with the EID of the phone it goes onto, the line's n-th)."""
    if item.whmcs_product_id is None:
        raise ProvisioningFailed(errors.UNKNOWN_PRODUCT,
                                 f"product {item.sku} ({item.product_id}) has no WHMCS_Product_Id__c")
    plan_code = ""
    if item.is_sim:
        try:
            plan_code = require_plan_code(item.sku)
        except InvalidSimCommand as exc:
            raise ProvisioningFailed(errors.UNKNOWN_PRODUCT, f"SIM product {item.product_id}: {exc}") from exc
    line = {"order_item_id": item.id, "name": item.product_name, "product_id": item.whmcs_product_id,
            "billing_cycle": BillingCycle(item.billing_cycle).value, "is_sim": item.is_sim, "plan_code": plan_code}
    if not item.is_sim:
        return [dict(line) for _ in range(item.quantity)]
    sim = item.sim or PHYSICAL_SIMS
    if not sim.fits(item.quantity):
        raise ProvisioningFailed(errors.SIM_ACTIVATION_REFUSED, f"order item {item.id}: {item.quantity} eSIM(s) but "
                                 f"{len(sim.eids)} EID(s) in EIDs__c: one phone's EID per eSIM is needed")
    return [dict(line, sim_kind=sim.kind.value, eid=sim.eids[unit] if sim.eids else "")
            for unit in range(item.quantity)]
