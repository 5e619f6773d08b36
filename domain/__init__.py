"""Pure domain code: types, raw provider schemas and mappers. No Django, no I/O (DECISIONS §1, §2)."""
