"""Believable Salesforce data for the demo customers (``sandbox.demo_identities``), dated from "today".

- The Organization and the integration user the JWT bearer flow signs in as.
- Alice's and Bob's Accounts (identity verified), and Erin's (a customer not linked to the portal yet, no
  identity documents), with the ids and WHMCS client ids of ``sandbox.demo_identities``.
- The Standard Price Book and the "Portal" price book, and a JPY catalog in four families
  (Internet, Mobile, VPN, Fees). ``WHMCS_Product_Id__c`` numbers the WHMCS products: 1-7 are
  the WHMCS sandbox's own products (same names), 8 and up are products only the catalog has so
  far. Fiber 300 Mbps is not in the portal catalog (``Portal_Catalog__c = false``); Fiber 100 Mbps
  and Mobile Voice 3 GB are retired (``IsActive = false``). Portal prices may differ from standard.
- Orders: Alice's Data SIM 10 GB order (Activated/Active, two items, the WHMCS sandbox's order 6,
  same date) and a draft for two data SIMs awaiting review (placed two days ago); Bob's sign-up
  order (Activated/Active, the WHMCS sandbox's order 7), sold over the phone on the standard price
  book, before the portal.
- Support cases, record types and a support agent: ``support_seed``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sandbox import population
from sandbox.common.clock import add_months
from sandbox.demo_identities import DEMO_CUSTOMERS, DEMO_UNLINKED

from .ids import make_id
from .sim_inventory import seed_sim_inventory
from .store import Store

ORG_ID = make_id("00D", 9_104_217_431)
ORG_NAME = "Example Telecom K.K."
INTEGRATION_USER_ID = make_id("005", 9_087_650_112)
ALICE, BOB = DEMO_CUSTOMERS[:2]
STANDARD_PRICEBOOK_ID = make_id("01s", 9_000_000_000)
PORTAL_PRICEBOOK_ID = make_id("01s", 9_000_001_009)


@dataclass(frozen=True)
class CatalogProduct:
    name: str
    sku: str
    family: str
    item_class: str
    billing_cycle: str
    whmcs_product_id: int
    portal_price: int | None
    """The price in the Portal price book (``None``: no portal price)."""
    standard_price: int
    sort_order: int
    description: str
    is_sim: bool = False
    portal_catalog: bool = True
    active: bool = True


CATALOG = (
    CatalogProduct("Fiber 1 Gbps", "NET-FIBER-1G", "Internet", "Service", "Monthly", 1, 5000, 5000, 10,
                   "Fiber to the home, up to 1 Gbps down and up. IPv6 (IPoE) included."),
    CatalogProduct("Fiber 10 Gbps", "NET-FIBER-10G", "Internet", "Service", "Monthly", 8, 7800, 8800, 20,
                   "Fiber to the home, up to 10 Gbps. A 10G-capable Wi-Fi 6E router is included."),
    CatalogProduct("Home 5G", "NET-HOME-5G", "Internet", "Service", "Monthly", 9, 4200, 4620, 30,
                   "Plug-in 5G home router: no installation, unlimited data."),
    CatalogProduct("Fiber 300 Mbps", "NET-FIBER-300M", "Internet", "Service", "Monthly", 2, None, 4000, 40,
                   "Legacy fiber plan: kept for existing customers, sold by phone only.", portal_catalog=False),
    CatalogProduct("Fiber 100 Mbps", "NET-FIBER-100M", "Internet", "Service", "Monthly", 7, 3500, 3500, 50,
                   "Retired fiber plan.", active=False),
    CatalogProduct("Data SIM 3 GB", "MOB-DATA-3G", "Mobile", "Service", "Monthly", 10, 990, 990, 10,
                   "Data-only SIM with 3 GB a month (4G/5G). Unused data carries over one month.", is_sim=True),
    CatalogProduct("Data SIM 10 GB", "MOB-DATA-10G", "Mobile", "Service", "Monthly", 5, 1650, 1650, 20,
                   "Data-only SIM with 10 GB a month (4G/5G). Unused data carries over one month.", is_sim=True),
    CatalogProduct("Data SIM 20 GB", "MOB-DATA-20G", "Mobile", "Service", "Monthly", 11, 2200, 2480, 30,
                   "Data-only SIM with 20 GB a month (4G/5G). Unused data carries over one month.", is_sim=True),
    CatalogProduct("Mobile Voice 5 GB", "MOB-VOICE-5G", "Mobile", "Service", "Monthly", 4, 1980, 1980, 40,
                   "Voice SIM with a phone number and 5 GB a month. Calls 11 yen per 30 seconds.", is_sim=True),
    CatalogProduct("Mobile Voice 20 GB", "MOB-VOICE-20G", "Mobile", "Service", "Monthly", 3, 2980, 2980, 50,
                   "Voice SIM with a phone number and 20 GB a month. Calls 11 yen per 30 seconds.", is_sim=True),
    CatalogProduct("Mobile Voice 3 GB", "MOB-VOICE-3G", "Mobile", "Service", "Monthly", 6, 1280, 1280, 60,
                   "Retired voice plan.", is_sim=True, active=False),
    CatalogProduct("Secure VPN", "VPN-SECURE", "VPN", "Service", "Monthly", 12, 600, 600, 10,
                   "Encrypted VPN for up to 5 devices, servers in Tokyo and Osaka."),
    CatalogProduct("SIM activation fee", "FEE-SIM-ACTIVATION", "Fees", "Activation", "One-time", 13, 3300, 3300, 10,
                   "One-time fee per new SIM (issue and activation)."),
    CatalogProduct("Fiber installation", "FEE-FIBER-INSTALL", "Fees", "Activation", "One-time", 14, 22000, 22000, 20,
                   "One-time on-site installation of the fiber line."),
)


def seed_store(store: Store, today: date, customers: int = 0) -> None:
    """Fill an empty store with the demo data, dated relative to ``today``, and the first
    ``customers`` generated customers (``sandbox.population``; none by default)."""
    created = datetime.combine(today - timedelta(days=900), time(0, 12), tzinfo=UTC)
    store.insert("Organization", {"Id": ORG_ID, "Name": ORG_NAME, "CreatedDate": created.isoformat()}, system=True)
    store.insert("User", {"Id": INTEGRATION_USER_ID, "Username": "integration@portal.example",
                          "Name": "Portal Integration", "Email": "integration@portal.example",
                          "CreatedDate": created.isoformat()}, system=True)
    store.integration_user_id = INTEGRATION_USER_ID
    for customer in (ALICE, BOB, DEMO_UNLINKED):
        store.insert("Account", {
            "Id": customer.salesforce_account_id,
            "Name": f"{customer.first_name} {customer.last_name}",
            "Email__c": customer.email,
            "WHMCS_Client_Id__c": customer.whmcs_client_id,
            # The demo customers showed their residence cards when they joined (Erin has not yet).
            "Identity_Verification_Status__c": "Not Submitted" if customer is DEMO_UNLINKED else "Verified",
            "CreatedDate": created.isoformat(),
        }, system=True)

    seed_sim_inventory(store, created=created)  # the MVNO's blank SIMs (sandbox.sim_stock)
    store.insert("Pricebook2", {"Id": STANDARD_PRICEBOOK_ID, "Name": "Standard Price Book", "IsActive": True,
                                "IsStandard": True, "CreatedDate": created.isoformat()}, system=True)
    store.insert("Pricebook2", {"Id": PORTAL_PRICEBOOK_ID, "Name": "Portal", "IsActive": True,
                                "Description": "Prices shown and charged in the customer portal",
                                "CreatedDate": created.isoformat()}, system=True)
    products: dict[str, dict] = {}
    entries: dict[tuple[str, str], dict] = {}
    for item in CATALOG:
        product = store.insert("Product2", {
            "Name": item.name,
            "ProductCode": item.sku.replace("NET-", "").replace("MOB-", "").replace("FEE-", ""),
            "StockKeepingUnit": item.sku,
            "Description": item.description,
            "Family": item.family,
            "IsActive": item.active,
            "Portal_Catalog__c": item.portal_catalog,
            "Item_Class__c": item.item_class,
            "Billing_Cycle__c": item.billing_cycle,
            "WHMCS_Product_Id__c": item.whmcs_product_id,
            "Is_SIM__c": item.is_sim,
            "Portal_Sort_Order__c": item.sort_order,
            "CreatedDate": created.isoformat(),
        }, system=True)
        products[item.name] = product
        entries[("standard", item.name)] = store.insert("PricebookEntry", {
            "Pricebook2Id": STANDARD_PRICEBOOK_ID, "Product2Id": product["Id"], "UnitPrice": item.standard_price,
            "IsActive": item.active, "CreatedDate": created.isoformat(),
        }, system=True)
        if item.portal_price is not None:
            entries[("portal", item.name)] = store.insert("PricebookEntry", {
                "Pricebook2Id": PORTAL_PRICEBOOK_ID, "Product2Id": product["Id"], "UnitPrice": item.portal_price,
                "IsActive": item.active, "CreatedDate": created.isoformat(),
            }, system=True)

    # The WHMCS sandbox dates its orders from the same anchor: the day before the service started.
    anchor = today - timedelta(days=5)
    anchor = anchor.replace(day=min(anchor.day, 28))

    def whmcs_order_day(months_ago: int) -> date:
        return add_months(anchor, -months_ago) - timedelta(days=1)

    def order(account, pricebook, day, at, items, **fields):
        record = store.insert("Order", {
            "AccountId": account.salesforce_account_id,
            "Pricebook2Id": PORTAL_PRICEBOOK_ID if pricebook == "portal" else STANDARD_PRICEBOOK_ID,
            "Type": "New",
            "EffectiveDate": day.isoformat(),
            "CreatedDate": datetime.combine(day, at, tzinfo=UTC).isoformat(),
            **fields,
        }, system=True)
        for name, quantity, unit_price in items:
            store.insert("OrderItem", {
                "OrderId": record["Id"], "PricebookEntryId": entries[(pricebook, name)]["Id"],
                "Quantity": quantity, "UnitPrice": unit_price,
                "CreatedDate": datetime.combine(day, at, tzinfo=UTC).isoformat(),
                # The seed's SIM plans are SIM cards, as the Freebit seed's lines they became.
                **({"SIM_Type__c": "Physical"} if products[name]["Is_SIM__c"] else {}),
            }, system=True)
        return record

    day = whmcs_order_day(8)
    order(ALICE, "portal", day, time(5, 23, 7), [("Data SIM 10 GB", 1, 1480), ("SIM activation fee", 1, 3300)],
          Status="Activated", Provisioning_Status__c="Active", WHMCS_Order_Id__c=6,
          Portal_Request_Id__c="3f6c2a1e-8d4b-4c2e-9a57-1b0e6d2f4c81", Description="Data SIM for the tablet")
    day = whmcs_order_day(7)
    order(BOB, "standard", day, time(5, 23, 40), [("Mobile Voice 20 GB", 1, 2980), ("Fiber 300 Mbps", 1, 4000)],
          Status="Activated", Provisioning_Status__c="Active", WHMCS_Order_Id__c=7,
          Description="Sign-up by phone: fiber and a voice SIM")
    day = today - timedelta(days=2)
    order(ALICE, "portal", day, time(9, 41, 15), [("Data SIM 3 GB", 2, 990), ("SIM activation fee", 2, 3300)],
          Status="Draft", Provisioning_Status__c="Pending Review",
          Portal_Request_Id__c="b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57")

    from .support_seed import seed_support  # support cases: their own module

    seed_support(store, today, created=created)
    seed_population(store, population.check_count(customers), entries, whmcs_order_day, created)


def seed_population(store: Store, count: int, entries: dict[tuple[str, str], dict], order_day, created) -> None:
    """The first ``count`` generated customers: an Account each (identity verified, naming the
    WHMCS client), and the orders that signed their services up (Activated, provisioned, naming the
    WHMCS order; a SIM activation fee per SIM), on the Portal price book. Loaded with ``Store.load``."""
    by_whmcs_product = {item.whmcs_product_id: item for item in CATALOG}
    fee = next(item for item in CATALOG if item.sku == "FEE-SIM-ACTIVATION")
    for customer in population.customers(count):
        account = store.load("Account", {
            "Id": make_id("001", customer.account_number),
            "Name": f"{customer.first_name} {customer.last_name}",
            "Email__c": customer.email,
            "WHMCS_Client_Id__c": float(customer.whmcs_client_id),
            "Identity_Verification_Status__c": "Verified",
            "CreatedDate": created,
        })
        for whmcs_order_id, services in customer.orders.items():
            day = order_day(services[0].started)
            at = datetime.combine(day, time(5, 23), tzinfo=UTC)
            lines = [(by_whmcs_product[service.pid], 1) for service in services]
            sims = sum(service.is_sim for service in services)
            if sims:
                lines.append((fee, sims))
            order = store.load("Order", {
                "AccountId": account["Id"], "Pricebook2Id": PORTAL_PRICEBOOK_ID, "Type": "New",
                "EffectiveDate": day, "CreatedDate": at, "Status": "Activated",
                "Provisioning_Status__c": "Active", "WHMCS_Order_Id__c": float(whmcs_order_id),
                "OrderNumber": f"{whmcs_order_id:08d}",
                "TotalAmount": float(sum(item.portal_price * quantity for item, quantity in lines)),
            })
            for item, quantity in lines:
                entry = entries[("portal", item.name)]
                store.load("OrderItem", {
                    "OrderId": order["Id"], "PricebookEntryId": entry["Id"], "Product2Id": entry["Product2Id"],
                    "Quantity": float(quantity), "UnitPrice": float(item.portal_price), "CreatedDate": at,
                })
