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
                "date": "date", "datetime": "dateTime"}[self.category]


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

_register(SObjectType("Account", "001", "Account", [
    _id(),
    Field("Name", "string", "Account Name", required=True, length=255),
    Field("Email__c", "email", "Email", length=80),
    Field("WHMCS_Client_Id__c", "double", "WHMCS Client Id"),
    *_system(),
], children=[ChildRelationship("Orders", "Order", "AccountId")]))

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

_register(SObjectType("OrderItem", "802", "Order Product", [
    _id(),
    _ref("OrderId", "Order", "Order ID", required=True, updateable=False),
    _ref("Product2Id", "Product2", "Product ID", updateable=False),
    _ref("PricebookEntryId", "PricebookEntry", "Price Book Entry ID", required=True, updateable=False),
    Field("Quantity", "double", "Quantity", required=True),
    Field("UnitPrice", "currency", "Unit Price", required=True),
    Field("TotalPrice", "currency", "Total Price", createable=False, updateable=False),
    Field("Description", "string", "Line Description", length=255),
    *_system(),
]))

PREFIXES = {sobject.prefix: sobject for sobject in OBJECTS.values()}


def sobject(name: str) -> SObjectType | None:
    return OBJECTS.get(name.lower())


def sobject_for_id(record_id: str) -> SObjectType | None:
    return PREFIXES.get(record_id[:3])
