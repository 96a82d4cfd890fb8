# Gridwork — the two set-up commands of the README and their helpers.
#   make up     build everything, start the services with demo data, print where to look
#   make test   install dependencies, build, run the whole test suite (what CI runs)
#   make bench  release build, run every benchmark, write docs/benchmarks.md figures
.PHONY: up test test-sanitize bench build deps clean

JOBS ?= 2

deps:
	tools/install-deps.sh

build: deps
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Debug
	ninja -C build -j$(JOBS)

up:
	tools/up.sh

test:
	tools/test.sh

bench:
	tools/bench.sh

clean:
	rm -rf build build-release

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/).
test-sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGRIDWORK_SANITIZE=ON
	ninja -C build-asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j$(JOBS) --timeout 600

# libFuzzer (clang-16, ASan + UBSan, build-fuzz/): each fuzzer for FUZZ_SECONDS (default 60)
# from its seed corpus in tests/fuzz/corpus/ (docs/fuzzing.md).
.PHONY: fuzz
FUZZ_SECONDS ?= 60
fuzz:
	tools/install-deps.sh --with-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) tests/fuzz/run.sh
