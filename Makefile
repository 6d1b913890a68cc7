# The README's commands. Every target installs what it needs first (idempotent).
#   make run    build, then compile the bundled digits CNN ahead of time and run it
#               from a C program (scripts/run-example.sh; BATCH=32 for another batch)
#   make test   build, then run the whole ctest suite
#   make build  configure and build into build/ (tools in build/bin/)
#   make bench  build, then benchmark against ONNX Runtime and PyTorch and write
#               benchmarks/RESULTS.md (benchmarks/run.sh; BENCH_ARGS=--quick for a short
#               run). Not part of `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CTEST_ARGS ?=
BATCH ?= 1
BENCH_ARGS ?=

.PHONY: all deps configure build run test bench clean format

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@scripts/run-example.sh $(BUILD_DIR) $(BATCH)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

bench: build
	BUILD_DIR=$(BUILD_DIR) benchmarks/run.sh $(BENCH_ARGS)

format:
	git ls-files '*.cpp' '*.h' '*.hpp' '*.c' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
