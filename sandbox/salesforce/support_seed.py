"""Believable support cases for the demo customers, dated from "today" (``seed.seed_store`` calls it).

- A support agent (``SUPPORT_USER_ID``): the author of the staff replies and internal notes.
- The Case record types of the portal's request types (``docs/salesforce.md``).
- Alice: her fiber slowing down in the evening (waiting for her speed test, with an internal note
  she must never see), the lost SIM of her suspended service 15 (solved), and a question about
  paying by bank transfer (new). Bob: his router blinking red (in progress) and a cracked SIM
  replaced (solved). Services and SIMs are the WHMCS sandbox's (``sandbox.whmcs.DEMO_SIMS``).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs.seed import DEMO_SIMS

from .ids import make_id
from .store import Store

SUPPORT_USER_ID = make_id("005", 9_087_651_121)
SUPPORT_USER_NAME = "Kenji Sato"
RECORD_TYPES = (
    ("Portal_General", "Portal: general request"),
    ("Portal_Lost_Stolen_SIM", "Portal: lost or stolen SIM"),
    ("Portal_MNP_Reservation", "Portal: MNP reservation number"),
    ("Portal_SIM_Replacement", "Portal: physical SIM replacement"),
    ("Portal_Delivery_Address_Change", "Portal: delivery address change"),
    ("Portal_Resume_Line", "Portal: resume a line"),
)
ALICE, BOB = DEMO_CUSTOMERS[:2]


def _iccid(service_id: int) -> str:
    return next(sim.iccid for sim in DEMO_SIMS if sim.service_id == service_id)


def seed_support(store: Store, today: date, *, created: datetime) -> None:
    store.insert("User", {"Id": SUPPORT_USER_ID, "Username": "kenji.sato@example-telecom.jp",
                          "Name": SUPPORT_USER_NAME, "Email": "kenji.sato@example-telecom.jp",
                          "CreatedDate": created.isoformat()}, system=True)
    record_types = {}
    for developer_name, label in RECORD_TYPES:
        record_types[developer_name] = store.insert("RecordType", {
            "Name": label, "DeveloperName": developer_name, "SobjectType": "Case", "IsActive": True,
            "CreatedDate": created.isoformat()}, system=True)["Id"]

    def at(days_ago: int, hour: int, minute: int) -> datetime:
        # Japan office hours (UTC+9): 00:00-09:00 UTC.
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=UTC)

    def case(customer, record_type: str, opened: datetime, comments=(), **fields) -> dict:
        record = store.insert("Case", {
            "AccountId": customer.salesforce_account_id, "RecordTypeId": record_types[record_type],
            "Origin": "Portal", "SuppliedName": f"{customer.first_name} {customer.last_name}",
            "SuppliedEmail": customer.email, "CreatedDate": opened.isoformat(), **fields,
        }, system=True)
        last = opened
        for when, by, body, public in comments:
            store.insert("CaseComment", {"ParentId": record["Id"], "CommentBody": body, "IsPublished": public,
                                         "CreatedById": by, "CreatedDate": when.isoformat()}, system=True)
            last = max(last, when)
        record["LastModifiedDate"] = record["ClosedDate"] or last
        return record

    integration = store.integration_user_id
    case(ALICE, "Portal_General", at(6, 11, 40), Subject="Fiber slows down every evening",
         Description="Since last week my fiber drops to about 20 Mbps between 8 and 11 pm. In the morning it is "
                     "fine (around 600 Mbps). I have restarted the router twice.",
         Status="Waiting on Customer", Priority="Medium", Portal_Category__c="Technical", WHMCS_Service_Id__c=11,
         comments=(
             (at(5, 1, 15), SUPPORT_USER_ID, "Line test from the exchange: no errors on your line.", False),
             (at(5, 1, 32), SUPPORT_USER_ID,
              "Hello Alice, thank you for the details. Our line test shows no fault. Could you run a speed test "
              "with a cable plugged into the router between 9 and 10 pm and send us a screenshot of the result?",
              True),
         ))
    case(ALICE, "Portal_Lost_Stolen_SIM", at(45, 13, 5), Subject="Lost SIM: please suspend it",
         Description="I lost my phone on the train this morning.", Status="Closed", Priority="High",
         Portal_Category__c="SIM", SIM_ICCID__c=_iccid(15), Loss_Type__c="Lost",
         Incident_Date__c=(today - timedelta(days=45)).isoformat(), ClosedDate=at(45, 4, 30).isoformat(),
         comments=(
             (at(45, 4, 20), SUPPORT_USER_ID,
              "We have suspended the SIM: no calls or data can be charged to it. When you are ready, you can "
              "ask for a replacement SIM from the portal.", True),
             (at(45, 4, 28), integration, "Thank you for the quick help!", True),
         ))
    case(ALICE, "Portal_General", at(1, 2, 10), Subject="Can I pay by bank transfer?",
         Description="I would like to pay my invoices by bank transfer instead of by card. Is that possible?",
         Status="New", Priority="Medium", Portal_Category__c="Billing")
    case(BOB, "Portal_General", at(3, 0, 50), Subject="Router light blinking red",
         Description="The WAN light on my router has been blinking red since this morning and there is no internet.",
         Status="Working", Priority="Medium", Portal_Category__c="Technical", WHMCS_Service_Id__c=22,
         comments=(
             (at(3, 2, 5), SUPPORT_USER_ID,
              "Hello Bob, we see an outage in your area and engineers are on their way. We will update you here.",
              True),
         ))
    case(BOB, "Portal_SIM_Replacement", at(30, 5, 0), Subject="Replacement SIM: card cracked",
         Description="The SIM card cracked when I changed phones.", Status="Closed", Priority="Medium",
         Portal_Category__c="SIM", SIM_ICCID__c=_iccid(21), Replacement_Reason__c="Damaged", SIM_Size__c="Nano",
         ClosedDate=at(28, 6, 0).isoformat(),
         comments=(
             (at(29, 3, 0), SUPPORT_USER_ID, "Your replacement nano SIM is on its way by registered mail.", True),
         ))
