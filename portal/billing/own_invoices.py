"""A durable job's charge on a WHMCS invoice of its own, exactly once (docs/jobs.md).

The steps a flow mixes in (a top-up, a charged SIM action): ``create_invoice`` records that it is
about to send ``CreateInvoice`` and puts the job's marker (``portal-request:<request id>``) in the
invoice's notes; after a lost answer, or a worker killed between the call and the save, the next
attempt finds the invoice by that marker and adopts it instead of creating another, cancelling any
other unpaid one that carries it. ``capture_invoice`` reads the invoice back first: a paid one is a
capture whose answer was lost, never captured again.

The job's model has ``request_id``, ``customer``, ``whmcs_invoice_id``, ``invoice_requested_at``,
``invoice_requests`` and ``capture_requested_at``; the flow says what the invoice is for
(``invoice_amount``, ``invoice_line``) and how a refusal ends it (``payment_refused``).
"""
from __future__ import annotations

import logging
from decimal import Decimal

from django.utils import timezone

from domain.billing.markers import request_marker
from domain.billing.types import Invoice, InvoiceStatus
from domain.shared import clock
from integrations.whmcs.charges import WhmcsChargeClient
from integrations.whmcs.errors import WhmcsApiError, WhmcsAuthError, WhmcsError
from portal.billing import selectors as billing
from portal.core.connections import whmcs_connection
from portal.core.errors import ProviderUnavailable

logger = logging.getLogger(__name__)


class ChargedOnOwnInvoice:
    """Mixed into a ``JobFlow`` (``self.job``, ``self.save``, ``self.describe``)."""

    # --- what the flow says ----------------------------------------------------------------------
    def invoice_amount(self) -> Decimal:
        raise NotImplementedError

    def invoice_line(self) -> str:
        """The invoice's line, in the customer's words and language."""
        raise NotImplementedError

    def payment_refused(self, reason: str) -> Exception:
        """The failure that ends the job when WHMCS refuses to invoice or charge (nothing was taken)."""
        raise NotImplementedError

    # --- the steps -------------------------------------------------------------------------------
    @property
    def charges(self) -> WhmcsChargeClient:
        return WhmcsChargeClient(whmcs_connection())

    @property
    def marker(self) -> str:
        return request_marker(str(self.job.request_id))

    def send_create_invoice(self) -> None:
        """``CreateInvoice`` once: adopted from its marker after an attempt whose answer was lost."""
        job = self.job
        if job.whmcs_invoice_id is not None:
            return
        if job.invoice_requested_at is not None and self._adopt_invoice():  # sent before, answer not recorded
            return
        job.invoice_requested_at, job.invoice_requests = timezone.now(), job.invoice_requests + 1
        self.save("invoice_requested_at", "invoice_requests")
        try:
            invoice_id = self.charges.create_invoice(
                job.customer.whmcs_client_id, amount=self.invoice_amount(), due_date=clock.today().isoformat(),
                description=self.invoice_line(), notes=self.marker)
        except WhmcsAuthError:
            raise
        except WhmcsApiError as exc:  # refused: WHMCS created nothing
            raise self.payment_refused(f"payment failed: {exc.reason}") from exc
        except WhmcsError as lost:  # the outcome is unknown: it may exist; look now, and again next time
            if not self._adopt_invoice(quietly=True):
                raise lost from None
            return
        job.whmcs_invoice_id = invoice_id
        self.save("whmcs_invoice_id")

    def capture_invoice(self) -> None:
        """``CapturePayment`` of the job's invoice, unless it is paid already (a capture whose answer
        was lost). A cancelled invoice or a refused card ends the job with ``payment_refused``."""
        job = self.job
        try:
            invoice = self.charges.get_invoice(job.whmcs_invoice_id, default_currency=billing.default_currency())
            if invoice.status is InvoiceStatus.CANCELLED:
                raise self.payment_refused(f"payment failed: invoice {invoice.id} was cancelled")
            if invoice.status is not InvoiceStatus.PAID:
                job.capture_requested_at = timezone.now()
                self.save("capture_requested_at")
                self.charges.capture(job.whmcs_invoice_id)
        except WhmcsAuthError:
            raise
        except WhmcsApiError as exc:  # WHMCS refused (e.g. the card was declined): nothing was taken
            raise self.payment_refused(f"payment failed: {exc.reason}") from exc

    # --- invoices: adopt, cancel -----------------------------------------------------------------
    def _marked_invoices(self) -> tuple[Invoice, ...]:
        return self.charges.find_invoices_with_marker(self.job.customer.whmcs_client_id, self.marker,
                                                      default_currency=billing.default_currency())

    def _adopt_invoice(self, *, quietly: bool = False) -> bool:
        """Adopt the invoice an earlier CreateInvoice made (the paid one, else the oldest unpaid) and
        cancel any other unpaid one carrying the marker. Whether one was found. ``quietly``: a
        failing search counts as nothing found (the caller raises its own error)."""
        job = self.job
        try:
            found = [invoice for invoice in self._marked_invoices() if invoice.status is not InvoiceStatus.CANCELLED]
        except (WhmcsError, ProviderUnavailable):
            if quietly:
                return False
            raise
        if not found:
            logger.info("%s: no invoice carries its marker: CreateInvoice is sent (again)", self.describe())
            return False
        keep = next((invoice for invoice in found if invoice.status is InvoiceStatus.PAID), found[0])
        job.whmcs_invoice_id = keep.id
        self.save("whmcs_invoice_id")
        logger.warning("%s: WHMCS invoice %s was created by an earlier attempt (its answer was lost); "
                       "adopted, not created again", self.describe(), keep.id)
        for orphan in found:
            if orphan.id != keep.id and orphan.status is InvoiceStatus.UNPAID:
                self._cancel(orphan.id)
        return True

    def cancel_unwanted_invoices(self, *, keep: int | None) -> None:
        """Cancel the job's unpaid invoices other than ``keep`` (None: all of them), so none is left
        for WHMCS's cron to charge. Best effort: a failure is logged for support."""
        job = self.job
        try:
            candidates: dict[int, Invoice] = {}
            if job.invoice_requested_at is not None or job.invoice_requests:
                candidates.update((invoice.id, invoice) for invoice in self._marked_invoices())
            if job.whmcs_invoice_id is not None and job.whmcs_invoice_id not in candidates:
                candidates[job.whmcs_invoice_id] = self.charges.get_invoice(
                    job.whmcs_invoice_id, default_currency=billing.default_currency())
        except (WhmcsError, ProviderUnavailable) as exc:
            logger.error("%s: could not look for its unpaid invoices to cancel (invoice %s): %s",
                         self.describe(), job.whmcs_invoice_id, exc)
            return
        for invoice in candidates.values():
            if invoice.id != keep and invoice.status is InvoiceStatus.UNPAID:
                self._cancel(invoice.id)

    def _cancel(self, invoice_id: int) -> None:
        try:
            self.charges.cancel_invoice(invoice_id)
        except WhmcsError as exc:
            logger.error("%s: could not cancel unpaid WHMCS invoice %s: %s", self.describe(), invoice_id, exc)
        else:
            logger.warning("%s: cancelled unpaid WHMCS invoice %s (not the one charged)", self.describe(), invoice_id)
