# paysync — build, test, demo, benchmark, install.
# The two commands a newcomer runs: `make demo` and `make test`.

SWIFT    ?= swift
PREFIX   ?= /usr/local
DESTDIR  ?=
BIN_DEBUG   := .build/debug/paysync
BIN_RELEASE := .build/release/paysync

.PHONY: all build release test demo bench bench-peers install uninstall clean deps fixtures

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
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: swift not found; install Swift 6 from https://swift.org/install" >&2; exit 1; }

build: deps
	$(SWIFT) build --product paysync

release: deps
	$(SWIFT) build -c release --product paysync

# The whole test suite: unit, ledger, HTTP over loopback, end to end with the built binary.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Three runs of `paysync reconcile` on bundled Xero fixtures against a fresh ledger in .build-demo/.
demo: build
	@bash fixtures/demo/run-demo.sh $(BIN_DEBUG) .build-demo

# Regenerates fixtures/demo from the demo dataset by recording real runs against the fake Xero.
fixtures: deps
	$(SWIFT) run paysync-dev demo-fixtures fixtures/demo

bench: deps
	@echo "the benchmark arrives with issue #5"

bench-peers: deps
	@echo "the peer benchmark arrives with issue #5"

install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 $(BIN_RELEASE) "$(DESTDIR)$(PREFIX)/bin/paysync"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/paysync"

clean:
	rm -rf .build .build-demo .build-bench
