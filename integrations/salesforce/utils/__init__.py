"""Salesforce query builders: the only place SOQL is written (docs/decisions.md §4).

Every value is validated first (ids: 15/18 characters, checksum, key prefix; categories against
the known ones; request ids against their pattern) and then quoted with `format_soql`. A refused
value raises a ValueError subclass (InvalidQueryArgumentError) before any SOQL exists.
"""
