# gatelog: set-up, run and test on a fresh Debian/Ubuntu machine.
# `make run`  installs missing system libraries, builds in release mode, runs the service.
# `make test` installs missing system libraries and runs the whole test suite.

SYSTEM_PACKAGES := libsqlite3-dev libzstd-dev libssl-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DATA ?= ./gatelog-data
SWIFT_BUILD_FLAGS ?=

.PHONY: deps build release run test bench clean

## deps: install the system libraries the build needs, when any is missing.
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release $(SWIFT_BUILD_FLAGS)

## run: the main job, the service on the embedded default data directory.
run: release
	.build/release/gatelog serve --data $(DATA)

## test: the whole test suite.
test: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	swift test --skip-build $(SWIFT_BUILD_FLAGS)

## bench: the benchmarks, release mode (see docs/PERFORMANCE.md).
bench: release
	.build/release/gatelog-bench all

clean:
	rm -rf .build
