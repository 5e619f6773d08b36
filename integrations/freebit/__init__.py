"""Freebit: the MVNO SIM platform API (connection, typed errors, the SIM entity client)."""
