from django import template

from domain.shared.money import Money, format_money

register = template.Library()


@register.filter
def money(value: Money | None, currencies: dict | None = None) -> str:
    """``{{ invoice.total|money:currencies }}`` → "¥5,000"; with no currency table, "5,000 JPY"."""
    if value is None:
        return "—"
    currency = (currencies or {}).get(value.currency)
    return format_money(value, currency)


@register.filter
def call_is_overdue(invoice, today) -> bool:
    """``{{ invoice|call_is_overdue:today }}``: templates cannot call methods with arguments."""
    return invoice.is_overdue(today)
