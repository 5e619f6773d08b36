"""Pure domain code: types, raw provider schemas and mappers. No Django, no I/O (docs/decisions.md §1, §2)."""
