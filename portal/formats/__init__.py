"""Date and time formats by language (``FORMAT_MODULE_PATH``), read through portal/core/formats.py.

A language without a module here uses Django's own formats for it.
"""
