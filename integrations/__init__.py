"""Provider integrations: connection, entity clients, query builders, orchestrators.

Imports ``domain`` and transport libraries only; Django settings arrive as values passed in.
"""
