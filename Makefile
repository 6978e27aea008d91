# Thin wrappers over scripts/, CMake and CTest. On a fresh Debian 12 machine, as root:
#   make demo    install what is missing, build, generate the sample media, check the example
#   make test    install what is missing, build, run every test
BUILD ?= build
JOBS ?= $(shell nproc)
CONFIG ?= config/onair.yaml
# CI builds with WERROR=ON: a warning fails the build.
WERROR ?= OFF
# e.g. SANITIZE=address,undefined: the unit tests under sanitizers (make sanitize)
UNIT_TESTS = onair_core_tests onair_schedule_tests onair_planner_tests onair_asrun_tests onair_control_unit_tests onair_service_tests
LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache,)

.PHONY: all deps configure build media test demo deb bench clean format hygiene sanitize

all: build

deps:
	scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONAIR_WERROR=$(WERROR) $(LAUNCHER)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

media: deps
	scripts/make-sample-media

# The Debian package: $(BUILD)/onair_VERSION_ARCH.deb (dpkg-buildpackage; docs/install.md).
deb: deps
	scripts/make-deb $(BUILD)

test: build media deb
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build media
	$(BUILD)/onair check --config config/demo.yaml
	ONAIR=$(BUILD)/onair scripts/demo

BENCH_SECONDS ?= 60

bench: build
	$(BUILD)/bench/bench_plan
	$(BUILD)/bench/bench_start_error --seconds 120 --kind tv --onair $(BUILD)/onair
	$(BUILD)/bench/bench_start_error --seconds 60 --kind radio --onair $(BUILD)/onair
	$(BUILD)/bench/bench_cpu --seconds $(BENCH_SECONDS)
	$(BUILD)/bench/bench_memory
	$(BUILD)/bench/bench_report

# Source hygiene: clang-format drift and functions over 80 lines without a written reason.
hygiene: deps
	scripts/check-format
	scripts/long-functions

format: deps
	git ls-files -z -- '*.cpp' '*.hpp' | xargs -0 clang-format -i

# The unit tests built and run with address and undefined-behaviour sanitizers.
sanitize: deps
	cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DONAIR_SANITIZE=address,undefined -DONAIR_BUILD_BENCH=OFF $(LAUNCHER)
	cmake --build build-sanitize -j $(JOBS) --target $(UNIT_TESTS)
	set -e; for t in $(UNIT_TESTS); do \
	    bin=$$(find build-sanitize/tests/unit -name $$t -type f -executable); \
	    test -n "$$bin" || { echo "sanitize: $$t not built" >&2; exit 1; }; \
	    echo "sanitize: $$t"; "$$bin" --gtest_brief=1; done

clean:
	rm -rf $(BUILD)
