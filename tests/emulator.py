"""A test's handle on each provider emulator: its HTTP control endpoints and its live data.

One control class per provider (:class:`WhmcsEmulator`, :class:`SalesforceEmulator`,
:class:`FreebitEmulator`), which the ``whmcs``, ``salesforce`` and ``freebit`` fixtures of
``tests/conftest.py`` hand to every test; expectations are read from the emulators' live stores,
never hard-coded, so the tests follow the seed whatever day they run.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import requests

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce import PORTAL_PRICEBOOK_ID
from sandbox.sim_stock import STOCK

ALICE = DEMO_CUSTOMERS[0]
CONTROL_TIMEOUT = 30  # seconds: an emulator's control endpoints answer at once, unless the machine is loaded


def controlled(control_class, handle):
    """The body of an emulator fixture: its control with zeroed call counts; its faults are
    cleared when the test ends (a hanging-call fault must not outlive the test)."""
    emulator = control_class(handle)
    emulator.reset_stats()
    yield emulator
    emulator.clear_faults()


class EmulatorControl:
    def __init__(self, handle):
        self.handle = handle
        self.url = handle.url

    def __getattr__(self, name):
        if name == "handle":
            raise AttributeError(name)
        return getattr(self.handle, name)  # the server handle's own attributes (``app``, ``stop``...)

    @property
    def app(self):
        return self.handle.app

    @property
    def store(self):
        return self.handle.app.store  # replaced on every reset: always read it through here

    def faults(self, **config) -> None:
        response = requests.post(self.url + "/__sandbox__/faults", json=config, timeout=CONTROL_TIMEOUT)
        assert response.status_code == 200, response.text

    def fail(self, name: str, *, times: int | None = 1, status: int = 503) -> None:
        """Answer ``status`` (an upstream error page, nothing done) to the next ``times`` calls of
        ``name`` (every one while ``times`` is None, until ``clear_faults``)."""
        self.faults(error_rate=1.0, status=status, actions=[name], times=times)

    def lose_answer(self, name: str, *, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``name`` but answer 504, as if the answer was lost."""
        self.faults(lost_answer_rate=1.0, actions=[name], times=times)

    def clear_faults(self) -> None:
        requests.delete(self.url + "/__sandbox__/faults", timeout=CONTROL_TIMEOUT).raise_for_status()

    def stats(self) -> dict:
        response = requests.get(self.url + "/__sandbox__/stats", timeout=CONTROL_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def calls(self, name: str | None = None) -> int:
        """API calls received since the last reset: all of them, or those of one action/operation."""
        stats = self.stats()
        return stats["total"] if name is None else stats["calls"].get(name, 0)

    def reset_stats(self) -> None:
        requests.delete(self.url + "/__sandbox__/stats", timeout=CONTROL_TIMEOUT).raise_for_status()


class WhmcsEmulator(EmulatorControl):
    """WHMCS: its invoices (those made since the test began apart), payments, services, payment
    methods and billing orders."""

    def __init__(self, handle):
        super().__init__(handle)
        self.first_new_invoice = max(self.store.invoices, default=0) + 1

    def new_invoices(self, client_id: int = ALICE.whmcs_client_id) -> list:
        """Invoices created since the test began (the seed's are left out)."""
        return sorted((i for i in self.store.invoices.values()
                       if i.id >= self.first_new_invoice and i.userid == client_id), key=lambda i: i.id)

    def payments_of(self, invoice_id: int) -> list:
        return [t for t in self.store.invoice_transactions(invoice_id) if t.amountin > 0]

    def invoices_of_request(self, request_id: str, client_id: int = ALICE.whmcs_client_id) -> list:
        """The invoices whose notes carry the top-up's marker (``portal-request:<request id>``)."""
        marker = f"portal-request:{request_id}"
        return sorted((i for i in self.store.invoices.values()
                       if i.userid == client_id and marker in (i.notes or "").splitlines()), key=lambda i: i.id)

    def charges(self) -> int:
        """Payments taken on the invoices created since the test began."""
        return sum(len(self.payments_of(invoice.id)) for invoice in self.new_invoices())

    def remove_cards(self, client_id: int = ALICE.whmcs_client_id) -> None:
        """The client keeps a bank account but no card: CapturePayment then fails."""
        cards = [key for key, m in self.store.paymethods.items()
                 if m.clientid == client_id and m.type in ("CreditCard", "RemoteCreditCard")]
        assert cards, "the seed gives the client a card"
        others = [m for m in self.store.paymethods.values() if m.clientid == client_id and m.type not in
                  ("CreditCard", "RemoteCreditCard")]
        assert others, "the seed gives the client another payment method"
        for key in cards:
            del self.store.paymethods[key]

    def remove_payment_methods(self, client_id: int = ALICE.whmcs_client_id) -> None:
        mine = [key for key, m in self.store.paymethods.items() if m.clientid == client_id]
        assert mine
        for key in mine:
            del self.store.paymethods[key]

    def fail_action(self, action: str, status: int = 503):
        """The emulator answers ``status`` to ``action`` only (its fault controls), until the
        returned ``heal()`` is called."""
        self.fail(action, times=None, status=status)
        return self.clear_faults

    def invoices_of(self, client_id: int, status: str | None = None) -> list:
        """The client's invoices in the portal's order: due date, newest first (ties: highest id)."""
        store = self.store
        invoices = [i for i in store.invoices.values() if i.userid == client_id]
        if status == "Overdue":
            invoices = [i for i in invoices if store.is_overdue(i, store.today)]
        elif status:
            invoices = [i for i in invoices if i.status == status]
        return sorted(invoices, key=lambda i: (i.duedate, i.id), reverse=True)

    def invoice_of(self, client_id: int, status: str = "Unpaid", *, overdue: bool | None = None,
                   currency: str | None = None, with_transactions: bool = False):
        store = self.store
        for invoice in self.invoices_of(client_id):
            if invoice.status != status:
                continue
            if overdue is not None and store.is_overdue(invoice, store.today) != overdue:
                continue
            if currency and store.currency_of(invoice).code != currency:
                continue
            if with_transactions and not store.invoice_transactions(invoice.id):
                continue
            return invoice
        raise LookupError(f"no {status} invoice of client {client_id} in the seed")

    def services_of(self, client_id: int) -> list:
        return sorted((s for s in self.store.services.values() if s.clientid == client_id), key=lambda s: s.id)

    def paymethods_of(self, client_id: int) -> list:
        return sorted((m for m in self.store.paymethods.values() if m.clientid == client_id), key=lambda m: m.id)

    def orders_with_marker(self, key: str, client_id: int = ALICE.whmcs_client_id) -> list:
        return [o for o in self.store.orders.values()
                if o.userid == client_id and f"portal-job:{key}" in o.notes.splitlines()]


class SalesforceEmulator(EmulatorControl):
    """Salesforce: its catalog, orders (moved through their statuses, approved as the operator
    would), SIM inventory and support cases (answered as an agent would)."""

    def set_status(self, order_id: str, **fields) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/orders/{order_id}/status", json=fields,
                                 timeout=CONTROL_TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    def approve(self, order_id: str) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/orders/{order_id}/approve", timeout=CONTROL_TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()["approval"]

    def expire_sessions(self) -> int:
        response = requests.post(self.url + "/__sandbox__/expire-sessions", json={}, timeout=CONTROL_TIMEOUT)
        response.raise_for_status()
        return response.json()["expired"]

    def reply(self, case_id: str, body: str | None = None, *, status: str | None = None,
              public: bool = True, fields: dict | None = None) -> dict:
        answer = requests.post(f"{self.url}/__sandbox__/cases/{case_id}/reply", timeout=CONTROL_TIMEOUT,
                               json={"body": body, "status": status, "public": public, "fields": fields})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def portal_entry(self, product_id: str) -> dict | None:
        return next((e for e in self.store.rows("PricebookEntry")
                     if e["Product2Id"] == product_id and e["Pricebook2Id"] == PORTAL_PRICEBOOK_ID
                     and e["IsActive"]), None)

    def catalog(self, family: str | None = None) -> list[dict]:
        """The products the portal shows, in catalog order (family, sort order, name)."""
        products = [p for p in self.store.rows("Product2")
                    if p["Portal_Catalog__c"] and p["IsActive"] and self.portal_entry(p["Id"])
                    and (family is None or p["Family"] == family)]
        return sorted(products, key=lambda p: (p["Family"], p["Portal_Sort_Order__c"], p["Name"]))

    def product(self, sku: str) -> dict:
        return next(p for p in self.store.rows("Product2") if p["StockKeepingUnit"] == sku)

    def price(self, product_id: str) -> Decimal:
        return Decimal(str(self.portal_entry(product_id)["UnitPrice"]))

    def order(self, order_id: str) -> dict:
        return self.store.get("Order", order_id)

    def orders_of(self, account_id: str) -> list[dict]:
        return [o for o in self.store.rows("Order") if o["AccountId"] == account_id]

    def draft_order_of(self, account_id: str) -> dict:
        """The seed's order waiting for review (Alice's two Data SIM 3 GB and two activation fees)."""
        return next(o for o in self.store.rows("Order")
                    if o["AccountId"] == account_id and o["Provisioning_Status__c"] == "Pending Review")

    def items_of(self, order_id: str) -> list[dict]:
        return sorted((i for i in self.store.rows("OrderItem") if i["OrderId"] == order_id), key=lambda i: i["Id"])

    def order_by_request_id(self, request_id: str) -> list[dict]:
        return [o for o in self.store.rows("Order") if o["Portal_Request_Id__c"] == request_id]

    def inventory(self, **match) -> list[dict]:
        """The SIM inventory records (``SIM_Inventory__c``) whose fields equal ``match``."""
        return [r for r in self.store.rows("SIM_Inventory__c") if all(r.get(k) == v for k, v in match.items())]

    def retire(self, **match) -> int:
        """Mark the matching inventory records Retired (lost, broken): none of them is taken."""
        records = self.inventory(**match)
        for record in records:
            self.store.update("SIM_Inventory__c", record["Id"], {"Status__c": "Retired"})
        return len(records)

    def cases_of(self, customer) -> list[dict]:
        return [c for c in self.store.rows("Case") if c["AccountId"] == customer.salesforce_account_id]

    def case(self, case_id: str) -> dict:
        return self.store.get("Case", case_id)

    def open_case_of(self, customer) -> dict:
        return next(c for c in sorted(self.cases_of(customer), key=lambda c: c["CreatedDate"])
                    if not c["IsClosed"] and self.comments_of(c["Id"]))

    def solved_case_of(self, customer) -> dict:
        return next(c for c in self.cases_of(customer) if c["IsClosed"])

    def comments_of(self, case_id: str) -> list[dict]:
        return sorted((c for c in self.store.rows("CaseComment") if c["ParentId"] == case_id),
                      key=lambda c: (c["CreatedDate"], c["Id"]))

    def files_of(self, case_id: str) -> list[dict]:
        links = [link["ContentDocumentId"] for link in self.store.rows("ContentDocumentLink")
                 if link["LinkedEntityId"] == case_id]
        return [v for v in self.store.rows("ContentVersion") if v["ContentDocumentId"] in links]

    def record_type(self, case: dict) -> str | None:
        record_type = self.store.get("RecordType", case.get("RecordTypeId") or "")
        return record_type["DeveloperName"] if record_type else None

    def case_by_request_id(self, request_id: str) -> list[dict]:
        return [c for c in self.store.rows("Case") if c["Portal_Request_Id__c"] == request_id]


class FreebitEmulator(EmulatorControl):
    """Freebit. The tests name a SIM by its ICCID, as the portal's pages do; the emulator, like
    Freebit, by its phone number."""

    def number_of(self, iccid: str) -> str:
        return self.sim(iccid).msisdn

    def set_status(self, iccid: str, status: str) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/sims/{self.number_of(iccid)}", json={"status": status},
                                 timeout=CONTROL_TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    def sim_state(self, iccid: str) -> dict:
        """The line as PA03-02 answers it (plus ``clientId``, ``quotaAdditions``, ...)."""
        response = requests.get(f"{self.url}/__sandbox__/sims/{self.number_of(iccid)}", timeout=CONTROL_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def sim(self, iccid: str):
        return next(account for account in self.store.accounts.values() if account.iccid == iccid)

    def daily_kb(self, iccid: str, start: date, end: date) -> list[tuple[date, int]]:
        """Whole days' usage the emulator generated for ``start``..``end``: (day, kB used)."""
        return self.store.daily_kb(self.sim(iccid), start, end)

    def topups_for(self, request_id: str) -> list:
        """The quota additions (PA04-04) made with the request id as their quotaCode."""
        return [record for record in self.store.quota if record.quota_code == str(request_id)]

    def new_lines(self) -> list:
        """The lines registered on the MVNO's stock SIMs (PA02-01 / PA05-41), not the demo's."""
        stock = {sim.iccid for sim in STOCK}
        return [account for account in self.store.accounts.values() if account.iccid in stock]
