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

.PHONY: cluster-drill
cluster-drill:  ## The multi-process drill (not a test): 2 web servers behind HAProxy, 2 workers, beat, 2 subscribers; kills some midway; with Redis, then RabbitMQ, as the broker (docs/operations.md)
	@bash scripts/bootstrap.sh dev && bash scripts/ensure-system-packages.sh && rc=0; \
	.venv/bin/python -m bench.cluster --broker redis $(CLUSTER_ARGS) || rc=1; \
	.venv/bin/python -m bench.cluster --broker rabbitmq $(CLUSTER_ARGS) || rc=1; exit $$rc

clean:
	rm -rf .venv var staticfiles test-output node_modules
