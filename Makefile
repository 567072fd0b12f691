# AfriCagnotte backend. `make run` and `make test` work on a fresh machine:
# they install what they need (PostgreSQL server if missing, venv, npm) first.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ADMIN := $(BIN)/cagnotte-admin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help postgres-server deps run stop reset status test test-slow test-all lint advisors types clean bench privileges docs openapi messages

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(PY_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# `npm ci` refuses a lockfile without every platform's optional CLI binary, and
# the registry mirror here serves only linux-x64's; `npm install --no-save`
# installs exactly the locked versions without rewriting the lockfile.
$(NODE_STAMP): package.json package-lock.json
	npm install --no-save --no-audit --no-fund --loglevel=error
	@touch $@

# The PostgreSQL server, pg_cron (hosted Supabase schedules jobs with it),
# plpgsql_check (the tests check every function with it) and PgBouncer (the tests
# run the service through it, as Supavisor's transaction mode), from Debian's
# packages when missing.
postgres-server:
	@if [ -z "$$PG_BIN" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "PostgreSQL server not found: installing it from Debian's packages" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi
	@ver=$$(ls /usr/lib/postgresql | sort -n | tail -1); \
	missing=""; \
	[ -f /usr/lib/postgresql/$$ver/lib/pg_cron.so ] || missing="$$missing postgresql-$$ver-cron"; \
	[ -f /usr/lib/postgresql/$$ver/lib/plpgsql_check.so ] || missing="$$missing postgresql-$$ver-plpgsql-check"; \
	[ -x /usr/sbin/pgbouncer ] || missing="$$missing pgbouncer"; \
	if [ -z "$$PG_BIN" ] && [ -n "$$missing" ]; then \
	  echo "installing from Debian's packages:$$missing" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v gpg >/dev/null || { \
	  echo "gpg not found (payout accounts are opened with it): installing gnupg" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnupg >/dev/null; }

deps: $(PY_STAMP) $(NODE_STAMP) postgres-server ## Install what the project needs (idempotent)

run: deps ## The whole backend locally: PostgreSQL on :54322, service on :8000
	$(ADMIN) local run

stop: deps ## Stop the local PostgreSQL
	$(ADMIN) local stop

reset: deps ## Rebuild the local database from migrations and seed
	$(ADMIN) local reset --yes

status: deps ## Is the local PostgreSQL running?
	$(ADMIN) local status

lint: deps ## ruff and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint supabase/

test: lint ## Lint, then the test suite on a throwaway cluster (includes the advisors gate)
	$(BIN)/pytest

test-slow: deps ## The long property run: 3000 random payment sequences (CI runs it too)
	PROPERTY_PROFILE=thorough $(BIN)/pytest tests/test_payment_properties.py

test-all: test test-slow ## Everything CI runs

# The local stack's database (`make run`): its port follows AFRICAGNOTTE_DB_PORT,
# as localdev/stack.py does.
DB_PORT := $(or $(AFRICAGNOTTE_DB_PORT),54322)
LOCAL_DB_URL := postgresql://postgres:postgres@127.0.0.1:$(DB_PORT)/postgres

advisors: deps ## Supabase advisors against the local database
	PGSSLMODE=disable node_modules/.bin/supabase db advisors \
	  --remote=$(LOCAL_DB_URL) --type all --level info

# From a throwaway database built by the migrations, as tests/test_api_types.py
# checks it (the local one keeps a migration edited in place unapplied until
# `make reset`; `python -m localdev.typegen` alone reads it, on AFRICAGNOTTE_DB_PORT).
types: deps ## Write supabase/types/database.ts (the API's TypeScript types) from the migrations
	@$(BIN)/python -m localdev.typegen --fresh

.PHONY: notifications-doc
notifications-doc: deps ## Regenerate docs/notifications.md from public.notification_kinds (throwaway database)
	$(ADMIN) notifications kinds --fresh --markdown > docs/notifications.md.tmp
	mv docs/notifications.md.tmp docs/notifications.md

privileges: deps ## Regenerate supabase/privileges.json from a throwaway database built by the migrations
	$(ADMIN) doctor --write-manifest

docs: deps ## Regenerate docs/errors.md (every error token) from the migrations and the service
	PYTHONPATH=. $(BIN)/python -m tests.support.error_catalogue

messages: deps ## Update the console's translations (admin_scripts/locale) from the code, compile them
	PYTHONPATH=. $(BIN)/python -m tests.support.catalogue

openapi: deps ## Regenerate webhooks/openapi.json (the service's OpenAPI 3.1 description)
	PYTHONPATH=. $(BIN)/python -m webhooks.openapi

clean: ## Remove installed tooling (keeps .local data; `make stop` first)
	rm -rf $(VENV) node_modules

bench: deps ## Benchmarks (10k→100k campaigns…): prints figures, writes bench-report.md (ARGS=--quick: a 1-minute smoke; ARGS="--scale 1m": 10k→100k→1M campaigns, 10M donations, < 30 min)
	$(BIN)/python -m tests.bench $(ARGS)
