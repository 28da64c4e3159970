# Symbio — two commands do all set-up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STRIPE_PORT ?= 8420
STRIPE_CONNECT_PORT ?= $(shell echo $$(($(STRIPE_PORT) + 1)))
TEST_DEBS := postgresql postgresql-contrib redis-server chromium gettext fonts-noto-cjk \
             libharfbuzz-subset0 poppler-utils docker-compose

.PHONY: install run test lint bench messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Links in e-mails and the admin point at the address `make run` serves (unless SITE_URL is set).
run: export SITE_URL ?= http://$(HOST):$(PORT)

## make run: SQLite + demo data + localstripe on loopback + the recorded Stripe Connect stand-in
## (localstripe has no Connect; payouts go to billing/stripe_standin) + dev server
run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	@test -f var/.seeded || ($(PY) manage.py seed_demo && touch var/.seeded)
	@rm -f var/localstripe.ready var/stripe-connect.ready; \
	$(PY) scripts/localstripe_server.py --port $(STRIPE_PORT) --state var/localstripe.pickle \
	  --ready-file var/localstripe.ready > var/localstripe.log 2>&1 & echo $$! > var/localstripe.pid; \
	$(PY) -m billing.stripe_standin --port $(STRIPE_CONNECT_PORT) \
	  --ready-file var/stripe-connect.ready > var/stripe-connect.log 2>&1 & echo $$! > var/stripe-connect.pid; \
	trap 'kill $$(cat var/localstripe.pid) $$(cat var/stripe-connect.pid) 2>/dev/null; \
	  rm -f var/localstripe.pid var/localstripe.ready var/stripe-connect.pid var/stripe-connect.ready' EXIT INT TERM; \
	for i in $$(seq 80); do [ -f var/localstripe.ready ] && [ -f var/stripe-connect.ready ] && break; \
	  kill -0 $$(cat var/localstripe.pid) 2>/dev/null && kill -0 $$(cat var/stripe-connect.pid) 2>/dev/null || break; \
	  sleep 0.25; done; \
	connect_failed() { cat var/stripe-connect.log >&2; \
	  echo "make run: the Stripe Connect stand-in (payouts) did not start on 127.0.0.1:$(STRIPE_CONNECT_PORT);" \
	    "see var/stripe-connect.log." >&2; exit 1; }; \
	if [ ! -f var/stripe-connect.ready ] && ! kill -0 $$(cat var/stripe-connect.pid) 2>/dev/null; then connect_failed; fi; \
	if [ ! -f var/localstripe.ready ]; then cat var/localstripe.log >&2; \
	  echo "make run: localstripe (payments) did not start on 127.0.0.1:$(STRIPE_PORT); see var/localstripe.log." >&2; \
	  exit 1; fi; \
	if [ ! -f var/stripe-connect.ready ]; then connect_failed; fi; \
	export LOCALSTRIPE_URL=http://127.0.0.1:$(STRIPE_PORT) STRIPE_CONNECT_API_BASE=http://127.0.0.1:$(STRIPE_CONNECT_PORT); \
	$(PY) manage.py localstripe_webhook --url http://$(HOST):$(PORT)/billing/stripe/webhook/ || exit 1; \
	$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/; \
	echo "Payouts and Connect payments go to a recorded Stripe Connect stand-in on 127.0.0.1:$(STRIPE_CONNECT_PORT) (no money moves)."; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: throwaway PostgreSQL + Redis + localstripe on loopback, lint, whole suite
test: install
	@scripts/system-deps.sh $(TEST_DEBS)
	scripts/test.sh $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

bench: install
	@scripts/system-deps.sh $(TEST_DEBS)
	scripts/bench.sh

## Regenerate both message catalogues, fill English, compile (needs gettext). Chinese entries
## left to translate: `python scripts/catalogues.py todo todo.json` / `apply done.json`.
MSG_IGNORE := -i ".venv/*" -i "staticfiles/*" -i "var/*" -i "tests/*" -i "benchmarks/*" -i "scripts/*"
messages: install
	@scripts/system-deps.sh gettext
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete $(MSG_IGNORE)
	$(PY) manage.py makemessages -d djangojs -l zh_Hans -l en --no-obsolete $(MSG_IGNORE)
	$(PY) scripts/catalogues.py fill-en
	$(PY) manage.py compilemessages -l zh_Hans -l en -i ".venv"
	$(PY) scripts/catalogues.py stats

clean:
	rm -rf var staticfiles .pytest_cache
