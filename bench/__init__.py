"""The benchmark (GitHub issue 8): ``make bench`` or ``.venv/bin/python -m bench.run``.

Not part of the test suite. It starts the portal under gunicorn on PostgreSQL and Redis, with the
three provider emulators as separate processes adding a fixed latency to every call, drives it over
HTTP like browsers and WHMCS do, and prints one table (and writes JSON). See docs/performance.md.

``bench.cluster`` (``make cluster-drill``) is the multi-process drill on the same stack: the portal as
on several machines, some of it killed midway (docs/operations.md, "The multi-process drill").
"""
