"""Catalog domain types: the products a customer can order, each with its portal price."""
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from domain.shared.model import DomainModel
from domain.shared.money import Money
from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, PricebookEntryId, ProductId, checked_id


class ProductCategory(StrEnum):
    """The catalog sections (Salesforce's `Product2.Family`)."""

    INTERNET = "Internet"
    MOBILE = "Mobile"
    VPN = "VPN"
    FEES = "Fees"


class ItemClass(StrEnum):
    """What an order line is: the service itself, its one-off activation, or an add-on to it."""

    SERVICE = "Service"
    ACTIVATION = "Activation"
    ADD_ON = "Add-on"


class BillingCycle(StrEnum):
    MONTHLY = "Monthly"
    ANNUALLY = "Annually"
    ONE_TIME = "One-time"


class Product(DomainModel):
    id: ProductId
    sku: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    product_code: str = ""
    category: ProductCategory
    item_class: ItemClass
    billing_cycle: BillingCycle
    price: Money
    """The unit price in the portal price book."""
    pricebook_entry_id: PricebookEntryId
    """The portal price book entry: what an order line for this product refers to."""
    whmcs_product_id: Annotated[int, Field(gt=0)] | None = None
    """The WHMCS product this one is provisioned as; None for lines WHMCS does not provision."""
    is_sim: bool = False
    """Ordering it needs a SIM."""
    sort_order: int | None = None


class Catalog(DomainModel):
    """The portal's products, in the order the catalog shows them (category, sort order, name).

    All prices are in one currency; product ids and SKUs are unique.
    """

    products: tuple[Product, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> "Catalog":
        if len({product.id for product in self.products}) != len(self.products):
            raise ValueError("a product is listed twice")
        if len({product.sku for product in self.products}) != len(self.products):
            raise ValueError("two products share a SKU")
        if len({product.price.currency for product in self.products}) > 1:
            raise ValueError("every price of a catalog must be in one currency")
        return self

    @property
    def categories(self) -> tuple[ProductCategory, ...]:
        """The categories that have products, in catalog order."""
        return tuple(dict.fromkeys(product.category for product in self.products))

    def by_category(self, category: ProductCategory | str) -> tuple[Product, ...]:
        return tuple(product for product in self.products if product.category == category)

    def grouped(self) -> tuple[tuple[ProductCategory, tuple[Product, ...]], ...]:
        """(category, products) pairs in catalog order, for a page with one section per category."""
        return tuple((category, self.by_category(category)) for category in self.categories)

    def find(self, product_id: str) -> Product | None:
        """The product with this id (15 or 18 characters), or None; a malformed id finds nothing."""
        try:
            wanted = checked_id(product_id, prefix=KeyPrefix.PRODUCT)
        except InvalidSalesforceId:
            return None
        return next((product for product in self.products if product.id == wanted), None)

    def find_by_sku(self, sku: str) -> Product | None:
        return next((product for product in self.products if product.sku == sku), None)
