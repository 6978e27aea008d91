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
	$(BUILD)/onair check --config $(CONFIG)
	$(BUILD)/onair plan --config $(CONFIG) --channel police-tv --date $$(TZ=Asia/Vientiane date +%F)
	mkdir -p var/out
	$(BUILD)/onair render --config $(CONFIG) --channel police-tv \
	  --from $$(TZ=Asia/Vientiane date +%F)T06:57:50 --to $$(TZ=Asia/Vientiane date +%F)T07:00:00 \
	  --output var/out/police-tv-preview.ts
	$(BUILD)/onair render --config $(CONFIG) --channel police-radio \
	  --from $$(TZ=Asia/Vientiane date +%F)T06:27:50 --to $$(TZ=Asia/Vientiane date +%F)T06:29:30 \
	  --output var/out/police-radio-preview.ogg
	@echo
	@echo "The example checks clean and plans. Previews of today's first spot breaks:"
	@echo "  ffplay var/out/police-tv-preview.ts      (or: vlc var/out/police-tv-preview.ts)"
	@echo "  ffplay var/out/police-radio-preview.ogg"
	@echo "Live airing (onair run) comes with the next part of the playout engine."

bench: build
	$(BUILD)/bench/bench_plan
	$(BUILD)/bench/bench_report

clean:
	rm -rf $(BUILD)
