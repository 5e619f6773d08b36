"""Wire-level emulators of Salesforce, WHMCS and Freebit for the demo, the tests and benchmarks.

Standard library and small web libraries only; never imports ``portal`` (docs/decisions.md §1, §9).
"""
