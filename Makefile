# Thin wrappers over scripts/, CMake and CTest. On a fresh Debian 12 machine, as root:
#   make demo    install what is missing, build, generate the sample media, check the example
#   make test    install what is missing, build, run every test
BUILD ?= build
JOBS ?= $(shell nproc)
CONFIG ?= config/onair.yaml

.PHONY: all deps configure build media test demo bench clean

all: build

deps:
	scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: configure
	cmake --build $(BUILD) -j $(JOBS)

media: deps
	scripts/make-sample-media

test: build media
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

clean:
	rm -rf $(BUILD)
