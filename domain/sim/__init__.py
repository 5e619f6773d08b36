"""SIMs: details, data usage, top-ups and plan changes of the customer's mobile lines (Freebit)."""
