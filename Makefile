# paysync — build, test, demo, benchmark, install.
# The two commands a newcomer runs: `make demo` and `make test`.

SWIFT    ?= swift
PREFIX   ?= /usr/local
DESTDIR  ?=
BIN_DEBUG   := .build/debug/paysync
BIN_RELEASE := .build/release/paysync

.PHONY: all build release test chaos fuzz demo bench bench-ledger bench-peers install uninstall clean deps browser fixtures

all: build

# Installs what a fresh Debian machine lacks (the SQLite headers), or says which package to install.
deps:
	@if ! pkg-config --exists sqlite3 2>/dev/null; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing libsqlite3-dev (SQLite headers for the ledger)"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q libsqlite3-dev >/dev/null || \
				{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libsqlite3-dev >/dev/null; } || \
				{ echo "error: could not install libsqlite3-dev; install it with: sudo apt-get install libsqlite3-dev" >&2; exit 1; }; \
		else \
			echo "error: the SQLite headers are missing; install them with: sudo apt-get install libsqlite3-dev (Debian/Ubuntu)" >&2; exit 1; \
		fi; \
	fi
	@if ! pkg-config --exists libpq 2>/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing libpq-dev and postgresql (the PostgreSQL ledger, and the throwaway server its tests start)"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpq-dev postgresql >/dev/null || \
				{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpq-dev postgresql >/dev/null; } || \
				{ echo "error: could not install libpq-dev and postgresql; install them with: sudo apt-get install libpq-dev postgresql" >&2; exit 1; }; \
		else \
			echo "error: libpq or PostgreSQL is missing; install them with: sudo apt-get install libpq-dev postgresql (Debian/Ubuntu)" >&2; exit 1; \
		fi; \
	fi
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: swift not found; install Swift 6 from https://swift.org/install" >&2; exit 1; }

build: deps
	$(SWIFT) build --product paysync

release: deps
	$(SWIFT) build -c release --product paysync

# Headless Chromium, for the test that renders `paysync report --format html` in a browser
# (ReportCommandTests), from Debian's packages. Where it cannot be installed the test is skipped,
# saying so; nothing else needs it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium (headless, for the HTML report test)"; \
			{ DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || \
			  { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1; }; } || \
			echo "note: chromium could not be installed; the HTML report's browser test will be skipped"; \
		else \
			echo "note: chromium is not installed (sudo apt-get install chromium); the HTML report's browser test will be skipped"; \
		fi; }

# The whole test suite: unit, ledger, HTTP over loopback, end to end with the built binary.
test: deps browser
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The kill loop: `paysync reconcile` SIGKILLed at 100 seeded fault points per seed (fetch, page
# commit, token store, claim, send, settle) against changing fakes; the CRM must end with the
# provider's truth (Tests/PaySyncCLITests/ChaosTests.swift, docs/reliability.md); then one seed with
# the ledger in PostgreSQL. CI runs it too.
CHAOS_SEEDS ?= 2026 1 7
chaos: deps
	$(SWIFT) build --build-tests
	@for seed in $(CHAOS_SEEDS); do \
		echo "chaos: seed $$seed"; \
		PAYSYNC_CHAOS=1 PAYSYNC_CHAOS_SEED=$$seed $(SWIFT) test --skip-build --filter ChaosTests || exit 1; \
	done
	@echo "chaos: seed 2026, PostgreSQL ledger"
	@PAYSYNC_CHAOS=1 PAYSYNC_CHAOS_SEED=2026 PAYSYNC_CHAOS_LEDGER=postgres $(SWIFT) test --skip-build --filter ChaosTests

# libFuzzer over the fuzz entry points (JSON, money, dates, config, Xero pages), FUZZ_SECONDS
# each, seeded from fixtures/fuzz/<target>; a crash is saved there and fails the target.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := json money dates config xero-invoices xero-payments
fuzz: deps
	$(SWIFT) build --package-path Fuzz --sanitize=fuzzer --scratch-path .build-fuzz
	@for target in $(FUZZ_TARGETS); do \
		echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
		mkdir -p .build-fuzz/corpus/$$target; \
		PAYSYNC_FUZZ_TARGET=$$target .build-fuzz/debug/paysync-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
			-artifact_prefix=fixtures/fuzz/$$target/crash- .build-fuzz/corpus/$$target fixtures/fuzz/$$target 2>&1 | tail -2 || exit 1; \
	done

# Three runs of `paysync reconcile` on bundled Xero, QuickBooks and Stripe fixtures against a fresh ledger in .build-demo/.
demo: build
	@bash fixtures/demo/run-demo.sh $(BIN_DEBUG) .build-demo

# Regenerates fixtures/demo from the demo dataset by recording real runs against the fake Xero.
fixtures: deps
	$(SWIFT) run paysync-dev demo-fixtures fixtures/demo

# What a run costs as data grows: five scenarios against loopback fakes, then many tenants (1,000
# Xero organisations, 50 ms per call), release build.
# BENCH_N=1000000 for the large run; figures in docs/performance.md, results in bench/results.json.
bench: deps
	$(SWIFT) build -c release --product paysync
	$(SWIFT) build -c release --product paysync-bench
	.build/release/paysync-bench
	.build/release/paysync-bench tenants
	.build/release/paysync-bench processors
	.build/release/paysync-bench crms
	.build/release/paysync-bench http

# The ledger alone, then the same rows committed by bench/ledger-replay.c with exactly paysync's
# statements and no Swift, and variants that each change one thing (docs/performance.md).
CC ?= cc
bench-ledger: deps
	$(SWIFT) build -c release --product paysync
	$(SWIFT) build -c release --product paysync-bench
	@mkdir -p .build-bench
	$(CC) -O2 -Wall -o .build-bench/ledger-replay bench/ledger-replay.c -lsqlite3
	@for round in 1 2 3; do \
		BENCH_KEEP_LEDGER=.build-bench/ledger-only.db .build/release/paysync-bench ledger || exit 1; \
		for variant in base ascending-keys no-invoice-index no-foreign-keys synchronous-normal backfill-reads; do \
			.build-bench/ledger-replay .build-bench/ledger-only.db .build-bench/replay.db $$variant || exit 1; \
		done; \
	done
	@for claim in key-order queue-order; do for keys in random ascending; do python3 bench/outbox-replay.py $$claim $$keys || exit 1; done; done

# paysync beside the Singer taps for Xero and QuickBooks Online on the same fake servers and data.
# Each tap goes into its own throwaway virtualenv (their singer-python pins differ; tap-xero
# imports six without declaring it, hence the second package).
BENCH_VENV     := .build-bench/venv
BENCH_VENV_QBO := .build-bench/venv-quickbooks
TAP_XERO       := tap-xero==2.6.0 six==1.17.0
TAP_QUICKBOOKS := tap-quickbooks==2.5.0
bench-peers: deps
	@command -v python3 >/dev/null 2>&1 || { echo "error: python3 not found; install it with: sudo apt-get install python3 python3-venv" >&2; exit 1; }
	@for venv in $(BENCH_VENV) $(BENCH_VENV_QBO); do \
		test -x $$venv/bin/python || python3 -m venv $$venv || { echo "error: cannot create a virtualenv; install python3-venv" >&2; exit 1; }; \
	done
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check $(TAP_XERO)
	$(BENCH_VENV_QBO)/bin/pip install --quiet --disable-pip-version-check $(TAP_QUICKBOOKS)
	$(SWIFT) build -c release --product paysync
	$(SWIFT) build -c release --product paysync-bench
	TAP_XERO_PYTHON=$(BENCH_VENV)/bin/python TAP_QUICKBOOKS_PYTHON=$(BENCH_VENV_QBO)/bin/python .build/release/paysync-bench peers

# The binary, the manual page (docs/paysync.1) and completions for bash, zsh and fish.
install: release
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
		"$(DESTDIR)$(PREFIX)/share/zsh/site-functions" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	install -m 0755 $(BIN_RELEASE) "$(DESTDIR)$(PREFIX)/bin/paysync"
	install -m 0644 docs/paysync.1 "$(DESTDIR)$(PREFIX)/share/man/man1/paysync.1"
	$(BIN_RELEASE) completions bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/paysync"
	$(BIN_RELEASE) completions zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_paysync"
	$(BIN_RELEASE) completions fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/paysync.fish"
	install -d "$(DESTDIR)$(PREFIX)/share/doc/paysync/examples"
	install -m 0644 cron/README.md cron/paysync.crontab cron/paysync.service cron/paysync.timer "$(DESTDIR)$(PREFIX)/share/doc/paysync/examples/"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/paysync" "$(DESTDIR)$(PREFIX)/share/man/man1/paysync.1" \
		"$(DESTDIR)$(PREFIX)/share/bash-completion/completions/paysync" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_paysync" \
		"$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/paysync.fish"
	rm -rf "$(DESTDIR)$(PREFIX)/share/doc/paysync/examples"

clean:
	rm -rf .build .build-demo .build-bench .build-fuzz
