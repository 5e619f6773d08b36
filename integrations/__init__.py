"""Provider integrations: connection, entity services, query builders, orchestrators.

Imports ``domain`` and transport libraries only; Django settings arrive as values passed in.
"""
