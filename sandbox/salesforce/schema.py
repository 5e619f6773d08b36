"""The objects and fields the emulator knows: those of ``docs/salesforce-model.md`` plus the system
fields every Salesforce object has (``CreatedDate``, ``LastModifiedDate``, ``IsDeleted``).

Field names, object names and relationship names match case-insensitively, as in Salesforce;
answers always use the canonical spelling defined here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Field types, grouped by how SOQL compares them.
ID_TYPES = frozenset({"id", "reference"})
STRING_TYPES = frozenset({"string", "textarea", "picklist", "email"})
NUMBER_TYPES = frozenset({"double", "currency"})


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str = ""
    reference_to: str | None = None
    also_to: tuple[str, ...] = ()
    """A polymorphic reference's other objects (``FirstPublishLocationId``: a Case or an Account);
    relationship paths follow ``reference_to``."""
    relationship_name: str | None = None
    createable: bool = True
    updateable: bool = True
    required: bool = False
    """Must have a value on insert (and cannot be cleared)."""
    unique: bool = False
    external_id: bool = False
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    """A restricted picklist: only the listed values are accepted."""
    default: object = None
    length: int | None = None

    @property
    def category(self) -> str:
        """How SOQL treats the field: ``id``, ``string``, ``number``, ``boolean``, ``date`` or ``datetime``."""
        if self.type in ID_TYPES:
            return "id"
        if self.type in STRING_TYPES:
            return "string"
        if self.type in NUMBER_TYPES:
            return "number"
        return self.type

    @property
    def soap_type(self) -> str:
        """The type name Salesforce uses in its error messages."""
        return {"id": "id", "string": "string", "number": "double", "boolean": "boolean",
                "date": "date", "datetime": "dateTime", "base64": "base64Binary"}[self.category]


@dataclass(frozen=True)
class ChildRelationship:
    name: str
    """The name used in a child subquery: ``(SELECT ... FROM OrderItems)``."""
    child: str
    field: str
    """The child's reference field that points at the parent (``OrderItem.OrderId``)."""
    cascade_delete: bool = False


@dataclass
class SObjectType:
    name: str
    prefix: str
    label: str
    fields: list[Field]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    children: list[ChildRelationship] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_name = {f.name.lower(): f for f in self.fields}
        self._by_relationship = {f.relationship_name.lower(): f for f in self.fields if f.relationship_name}

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name.lower())

    def parent_field(self, relationship: str) -> Field | None:
        """The reference field behind a parent relationship name (``Account`` → ``AccountId``)."""
        return self._by_relationship.get(relationship.lower())

    def child(self, name: str) -> ChildRelationship | None:
        return next((c for c in self.children if c.name.lower() == name.lower()), None)

    @property
    def allowed_methods(self) -> str:
        methods = ["GET", "HEAD"] + (["PATCH"] if self.updateable else []) + (["DELETE"] if self.deletable else [])
        return ",".join(methods)


def _id() -> Field:
    return Field("Id", "id", "Record ID", createable=False, updateable=False)


def _system() -> list[Field]:
    return [
        Field("CreatedDate", "datetime", "Created Date", createable=False, updateable=False),
        Field("LastModifiedDate", "datetime", "Last Modified Date", createable=False, updateable=False),
        Field("IsDeleted", "boolean", "Deleted", createable=False, updateable=False, default=False),
    ]


def _ref(name: str, to: str, label: str, **options) -> Field:
    return Field(name, "reference", label, reference_to=to, relationship_name=name[:-2], **options)


ORDER_STATUSES = ("Draft", "Activated")
PROVISIONING_STATUSES = ("Pending Review", "Approved", "Activating", "Active", "Failed")
ITEM_CLASSES = ("Service", "Activation", "Add-on")
BILLING_CYCLES = ("Monthly", "Annually", "One-time")
FAMILIES = ("Internet", "Mobile", "VPN", "Fees")

OBJECTS: dict[str, SObjectType] = {}


def _register(sobject: SObjectType) -> None:
    OBJECTS[sobject.name.lower()] = sobject


_register(SObjectType("Organization", "00D", "Organization", [
    _id(),
    Field("Name", "string", "Name", updateable=False, length=80),
    Field("CreatedDate", "datetime", "Created Date", createable=False, updateable=False),
    Field("LastModifiedDate", "datetime", "Last Modified Date", createable=False, updateable=False),
], createable=False, updateable=False, deletable=False))

_register(SObjectType("User", "005", "User", [
    _id(),
    Field("Username", "string", "Username", length=80),
    Field("Name", "string", "Full Name", createable=False, updateable=False, length=121),
    Field("Email", "email", "Email", length=128),
    Field("IsActive", "boolean", "Active", default=True),
    *_system()[:2],
], createable=False, updateable=False, deletable=False))

IDENTITY_STATUSES = ("Not Submitted", "Under Review", "Verified", "Rejected")

_register(SObjectType("Account", "001", "Account", [
    _id(),
    Field("Name", "string", "Account Name", required=True, length=255),
    Field("Email__c", "email", "Email", length=80),
    Field("WHMCS_Client_Id__c", "double", "WHMCS Client Id"),
    Field("Phone", "string", "Account Phone", length=40),
    Field("BillingStreet", "textarea", "Billing Street", length=255),
    Field("BillingCity", "string", "Billing City", length=40),
    Field("BillingState", "string", "Billing State/Province", length=80),
    Field("BillingPostalCode", "string", "Billing Zip/Postal Code", length=20),
    Field("BillingCountry", "string", "Billing Country", length=80),
    Field("Portal_Request_Id__c", "string", "Portal Request Id", unique=True, external_id=True, length=64),
    Field("Identity_Verification_Status__c", "picklist", "Identity Verification Status", picklist=IDENTITY_STATUSES,
          restricted=True, default="Not Submitted", length=255),
    Field("Identity_Rejection_Reason__c", "string", "Identity Rejection Reason", length=255),
    *_system(),
], children=[ChildRelationship("Orders", "Order", "AccountId"), ChildRelationship("Cases", "Case", "AccountId"),
             ChildRelationship("Contacts", "Contact", "AccountId")]))

_register(SObjectType("Contact", "003", "Contact", [
    _id(),
    _ref("AccountId", "Account", "Account ID"),
    Field("FirstName", "string", "First Name", length=40),
    Field("LastName", "string", "Last Name", required=True, length=80),
    Field("First_Name_Local__c", "string", "First Name (Local)", length=40),
    Field("Last_Name_Local__c", "string", "Last Name (Local)", length=80),
    Field("Email", "email", "Email", length=80),
    Field("Phone", "string", "Business Phone", length=40),
    Field("MailingStreet", "textarea", "Mailing Street", length=255),
    Field("MailingCity", "string", "Mailing City", length=40),
    Field("MailingState", "string", "Mailing State/Province", length=80),
    Field("MailingPostalCode", "string", "Mailing Zip/Postal Code", length=20),
    Field("MailingCountry", "string", "Mailing Country", length=80),
    Field("Portal_Request_Id__c", "string", "Portal Request Id", unique=True, external_id=True, length=64),
    *_system(),
]))

_register(SObjectType("Product2", "01t", "Product", [
    _id(),
    Field("Name", "string", "Product Name", required=True, length=255),
    Field("ProductCode", "string", "Product Code", length=255),
    Field("StockKeepingUnit", "string", "Product SKU", length=180),
    Field("Description", "textarea", "Product Description", length=4000),
    Field("Family", "picklist", "Product Family", picklist=FAMILIES, length=40),
    Field("IsActive", "boolean", "Active", default=False),
    Field("Portal_Catalog__c", "boolean", "Portal Catalog", default=False),
    Field("Item_Class__c", "picklist", "Item Class", picklist=ITEM_CLASSES, restricted=True, length=255),
    Field("Billing_Cycle__c", "picklist", "Billing Cycle", picklist=BILLING_CYCLES, restricted=True, length=255),
    Field("WHMCS_Product_Id__c", "double", "WHMCS Product Id"),
    Field("Is_SIM__c", "boolean", "Is SIM", default=False),
    Field("Portal_Sort_Order__c", "double", "Portal Sort Order"),
    *_system(),
], children=[ChildRelationship("PricebookEntries", "PricebookEntry", "Product2Id", cascade_delete=True)]))

_register(SObjectType("Pricebook2", "01s", "Price Book", [
    _id(),
    Field("Name", "string", "Price Book Name", required=True, length=255),
    Field("Description", "string", "Description", length=255),
    Field("IsActive", "boolean", "Active", default=False),
    Field("IsStandard", "boolean", "Is Standard Price Book", createable=False, updateable=False, default=False),
    *_system(),
], children=[ChildRelationship("PricebookEntries", "PricebookEntry", "Pricebook2Id")]))

_register(SObjectType("PricebookEntry", "01u", "Price Book Entry", [
    _id(),
    _ref("Pricebook2Id", "Pricebook2", "Price Book ID", required=True, updateable=False),
    _ref("Product2Id", "Product2", "Product ID", required=True, updateable=False),
    Field("UnitPrice", "currency", "List Price", required=True),
    Field("CurrencyIsoCode", "picklist", "Currency ISO Code", picklist=("JPY",), restricted=True, default="JPY",
          length=3),
    Field("IsActive", "boolean", "Active", default=False),
    *_system(),
]))

_register(SObjectType("Order", "801", "Order", [
    _id(),
    _ref("AccountId", "Account", "Account ID", required=True),
    _ref("Pricebook2Id", "Pricebook2", "Price Book ID"),
    Field("Status", "picklist", "Status", picklist=ORDER_STATUSES, restricted=True, required=True, length=40),
    Field("Type", "picklist", "Order Type", picklist=("New",), default="New", length=255),
    Field("EffectiveDate", "date", "Order Start Date", required=True),
    Field("OrderNumber", "string", "Order Number", createable=False, updateable=False, length=30),
    Field("TotalAmount", "currency", "Order Amount", createable=False, updateable=False),
    Field("Description", "textarea", "Description", length=32000),
    Field("Portal_Request_Id__c", "string", "Portal Request Id", unique=True, external_id=True, length=64),
    Field("Provisioning_Status__c", "picklist", "Provisioning Status", picklist=PROVISIONING_STATUSES,
          restricted=True, length=255),
    Field("Provisioning_Error__c", "string", "Provisioning Error", length=255),
    Field("WHMCS_Order_Id__c", "double", "WHMCS Order Id"),
    *_system(),
], children=[ChildRelationship("OrderItems", "OrderItem", "OrderId", cascade_delete=True)]))

SIM_TYPES = ("Physical", "eSIM")
"""A SIM plan's order line (``OrderItem.SIM_Type__c``) and a SIM of the inventory (``SIM_Inventory__c``)."""

_register(SObjectType("OrderItem", "802", "Order Product", [
    _id(),
    _ref("OrderId", "Order", "Order ID", required=True, updateable=False),
    _ref("Product2Id", "Product2", "Product ID", updateable=False),
    _ref("PricebookEntryId", "PricebookEntry", "Price Book Entry ID", required=True, updateable=False),
    Field("Quantity", "double", "Quantity", required=True),
    Field("UnitPrice", "currency", "Unit Price", required=True),
    Field("TotalPrice", "currency", "Total Price", createable=False, updateable=False),
    Field("Description", "string", "Line Description", length=255),
    Field("SIM_Type__c", "picklist", "SIM Type", picklist=SIM_TYPES, restricted=True, length=255),
    Field("EIDs__c", "textarea", "EIDs", length=1000),
    *_system(),
]))

# -- support cases (docs/salesforce.md): Case, its comments, Salesforce Files, Case record types ----
CASE_STATUSES = ("New", "Working", "Escalated", "On Hold", "Waiting on Customer", "Closed")
CLOSED_CASE_STATUSES = ("Closed",)
CASE_PRIORITIES = ("High", "Medium", "Low")
CASE_ORIGINS = ("Phone", "Email", "Web", "Portal")
CASE_CATEGORIES = ("Billing", "Subscription", "Order", "SIM", "Technical", "Account", "Other")
LOSS_TYPES = ("Lost", "Stolen")
REPLACEMENT_REASONS = ("Damaged", "Not recognised", "Size change", "Other")
SIM_SIZES = ("Nano", "Micro", "Standard")

_register(SObjectType("RecordType", "012", "Record Type", [
    _id(),
    Field("Name", "string", "Record Type Label", required=True, length=80),
    Field("DeveloperName", "string", "Record Type Name", required=True, length=80),
    Field("SobjectType", "picklist", "SObject Type Name", required=True, length=40),
    Field("IsActive", "boolean", "Active", default=True),
    *_system(),
], createable=False, updateable=False, deletable=False))

_register(SObjectType("Case", "500", "Case", [
    _id(),
    Field("CaseNumber", "string", "Case Number", createable=False, updateable=False, length=30),
    _ref("AccountId", "Account", "Account ID"),
    _ref("RecordTypeId", "RecordType", "Record Type ID"),
    Field("Subject", "string", "Subject", length=255),
    Field("Description", "textarea", "Description", length=32000),
    Field("Status", "picklist", "Status", picklist=CASE_STATUSES, restricted=True, default="New", length=40),
    Field("IsClosed", "boolean", "Closed", createable=False, updateable=False, default=False),
    Field("ClosedDate", "datetime", "Closed Date", createable=False, updateable=False),
    Field("Priority", "picklist", "Priority", picklist=CASE_PRIORITIES, restricted=True, default="Medium",
          length=40),
    Field("Origin", "picklist", "Case Origin", picklist=CASE_ORIGINS, length=40),
    Field("SuppliedName", "string", "Web Name", length=80),
    Field("SuppliedEmail", "email", "Web Email", length=80),
    Field("Portal_Category__c", "picklist", "Portal Category", picklist=CASE_CATEGORIES, restricted=True,
          length=255),
    Field("Portal_Request_Id__c", "string", "Portal Request Id", unique=True, external_id=True, length=64),
    Field("WHMCS_Invoice_Id__c", "double", "WHMCS Invoice Id"),
    Field("WHMCS_Service_Id__c", "double", "WHMCS Service Id"),
    Field("Order__c", "reference", "Order", reference_to="Order", relationship_name="Order__r"),
    Field("SIM_ICCID__c", "string", "SIM ICCID", length=22),
    Field("Loss_Type__c", "picklist", "Loss Type", picklist=LOSS_TYPES, restricted=True, length=255),
    Field("Incident_Date__c", "date", "Incident Date"),
    Field("MNP_Holder_Name__c", "string", "MNP Holder Name", length=80),
    Field("MNP_Reservation_Number__c", "string", "MNP Reservation Number", length=20),
    Field("MNP_Reservation_Expiry__c", "date", "MNP Reservation Expiry"),
    Field("Replacement_Reason__c", "picklist", "Replacement Reason", picklist=REPLACEMENT_REASONS, restricted=True,
          length=255),
    Field("SIM_Size__c", "picklist", "SIM Size", picklist=SIM_SIZES, restricted=True, length=255),
    Field("Delivery_Postal_Code__c", "string", "Delivery Postal Code", length=8),
    Field("Delivery_Prefecture__c", "string", "Delivery Prefecture", length=40),
    Field("Delivery_City__c", "string", "Delivery City", length=80),
    Field("Delivery_Street__c", "string", "Delivery Street", length=120),
    Field("Delivery_Building__c", "string", "Delivery Building", length=120),
    *_system(),
], children=[ChildRelationship("CaseComments", "CaseComment", "ParentId", cascade_delete=True),
             ChildRelationship("ContentDocumentLinks", "ContentDocumentLink", "LinkedEntityId", cascade_delete=True)]))

_register(SObjectType("CaseComment", "00a", "Case Comment", [
    _id(),
    _ref("ParentId", "Case", "Parent Case ID", required=True, updateable=False),
    Field("CommentBody", "textarea", "Body", required=True, length=4000),
    Field("IsPublished", "boolean", "Published", default=False),
    _ref("CreatedById", "User", "Created By ID", createable=False, updateable=False),
    *_system(),
]))

_register(SObjectType("ContentDocument", "069", "Content Document", [
    _id(),
    Field("Title", "string", "Title", length=255),
    Field("FileExtension", "string", "File Extension", createable=False, updateable=False, length=40),
    Field("FileType", "string", "File Type", createable=False, updateable=False, length=20),
    Field("ContentSize", "double", "Size", createable=False, updateable=False),
    _ref("LatestPublishedVersionId", "ContentVersion", "Latest Published Version ID", createable=False,
         updateable=False),
    *_system(),
], createable=False, children=[
    ChildRelationship("ContentVersions", "ContentVersion", "ContentDocumentId", cascade_delete=True),
    ChildRelationship("ContentDocumentLinks", "ContentDocumentLink", "ContentDocumentId", cascade_delete=True),
]))

_register(SObjectType("ContentVersion", "068", "Content Version", [
    _id(),
    Field("Title", "string", "Title", required=True, length=255),
    Field("PathOnClient", "string", "Path On Client", required=True, length=500),
    Field("VersionData", "base64", "Version Data", required=True, updateable=False),
    Field("Description", "textarea", "Description", length=1000),
    Field("FirstPublishLocationId", "reference", "First Publish Location ID", reference_to="Case", also_to=("Account",),
          relationship_name="FirstPublishLocation", updateable=False),
    _ref("ContentDocumentId", "ContentDocument", "Content Document ID", createable=False, updateable=False),
    Field("FileExtension", "string", "File Extension", createable=False, updateable=False, length=40),
    Field("ContentSize", "double", "Size", createable=False, updateable=False),
    Field("IsLatest", "boolean", "Is Latest", createable=False, updateable=False, default=True),
    Field("Portal_Request_Id__c", "string", "Portal Request Id", length=64),
    *_system(),
], deletable=False))

_register(SObjectType("ContentDocumentLink", "06A", "Content Document Link", [
    _id(),
    _ref("ContentDocumentId", "ContentDocument", "Content Document ID", required=True, updateable=False),
    Field("LinkedEntityId", "reference", "Linked Entity ID", reference_to="Case", also_to=("Account",),
          relationship_name="LinkedEntity", required=True, updateable=False),
    Field("ShareType", "picklist", "Share Type", picklist=("V", "C", "I"), restricted=True, default="V", length=40),
    Field("Visibility", "picklist", "Visibility", picklist=("AllUsers", "InternalUsers", "SharedUsers"),
          restricted=True, default="AllUsers", length=40),
    Field("IsDeleted", "boolean", "Deleted", createable=False, updateable=False, default=False),
]))

# -- the MVNO's SIM inventory (docs/salesforce-model.md; seeded by sim_inventory.py) -------------------
SIM_INVENTORY_STATUSES = ("Available", "Assigned", "Activated", "Retired")

_register(SObjectType("SIM_Inventory__c", "a0S", "SIM Inventory", [
    _id(),
    Field("Name", "string", "SIM Inventory Name", length=80),
    Field("Phone_Number__c", "string", "Phone Number", required=True, unique=True, length=14),
    Field("ICCID__c", "string", "ICCID", required=True, unique=True, length=20),
    Field("SIM_Type__c", "picklist", "SIM Type", picklist=SIM_TYPES, restricted=True, required=True, length=255),
    Field("Product_Number__c", "string", "Product Number", unique=True, length=15),
    Field("EID__c", "string", "EID", unique=True, length=32),
    Field("Data_Only__c", "boolean", "Data Only", default=False),
    Field("Status__c", "picklist", "Status", picklist=SIM_INVENTORY_STATUSES, restricted=True, default="Available",
          length=255),
    Field("Assigned_Account__c", "reference", "Assigned Account", reference_to="Account",
          relationship_name="Assigned_Account__r"),
    Field("Assigned_Order__c", "reference", "Assigned Order", reference_to="Order",
          relationship_name="Assigned_Order__r"),
    Field("Assignment_Key__c", "string", "Assignment Key", unique=True, external_id=True, length=255),
    *_system(),
]))

PREFIXES = {sobject.prefix: sobject for sobject in OBJECTS.values()}


def sobject(name: str) -> SObjectType | None:
    return OBJECTS.get(name.lower())


def sobject_for_id(record_id: str) -> SObjectType | None:
    return PREFIXES.get(record_id[:3])
