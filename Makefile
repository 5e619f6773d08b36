# The two commands: `make run` (the demo) and `make test` (the whole suite). See README.md.
PORT ?= 8000
export PORT

.PHONY: run test lint clean

run:  ## Set up everything and start the portal with demo data at http://127.0.0.1:$(PORT)
	@bash scripts/run-demo.sh

test:  ## Run the whole test suite on PostgreSQL, Redis, a Celery worker and headless Chromium
	@bash scripts/test.sh

lint:  ## ruff and the import contract
	@bash scripts/bootstrap.sh dev && .venv/bin/ruff check . && .venv/bin/lint-imports

.PHONY: bench
bench:  ## The benchmark (not a test): gunicorn on PostgreSQL and Redis, emulators at L ms per call; one table (docs/performance.md)
	@bash scripts/bootstrap.sh dev && .venv/bin/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf .venv var staticfiles test-output node_modules
