"""The demo's own wiring, apart from production code: what only ``make run`` and the tests that
start the demo use."""
