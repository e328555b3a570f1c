#!/usr/bin/env bash
# Runs every test: the normal build (warnings are errors), the Debian
# packages built and checked, the same suite built with ASan+UBSan, and each
# libFuzzer target for a bounded time. Prints how long each phase took
# ("=== normal tests: 912 s") and the total at the end.
#   scripts/test.sh                 all three (what CI runs)
#   scripts/test.sh --quick         normal build and the Debian packages only
#   TETRAD_FUZZ_SECONDS=3600 scripts/test.sh   long fuzzing
#   TETRAD_LONG=1 scripts/test.sh   long fault-injection modes (many kills)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

quick=0
[ "${1:-}" = "--quick" ] && quick=1

# Phase times from bash's SECONDS: the CI budget is 40 minutes, and these
# lines say where it goes. The total is printed on failure too.
phase_t0=$SECONDS
phase_done() { # name
	echo "=== $1: $((SECONDS - phase_t0)) s"
	phase_t0=$SECONDS
}
trap 'rc=$?; echo "=== total: $SECONDS s$([ $rc -eq 0 ] || echo " (failed, exit $rc)")"' EXIT

bash scripts/install-deps.sh
phase_done deps
jobs=$(nproc)

run_suite() { # name, ctest options (one word, may be empty), cmake options...
	local name=$1 ctest_opts=$2; shift 2
	local dir="build/$name"
	echo "=== $name build"
	cmake -S . -B "$dir" -DTETRAD_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j "$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]' || true
	cmake --build "$dir" -j "$jobs" >/dev/null # fail the script on a build error
	phase_done "$name build"
	echo "=== $name tests"
	(cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 900 $ctest_opts)
	phase_done "$name tests"
}

run_suite normal "" -DCMAKE_BUILD_TYPE=RelWithDebInfo

# The Debian packages, built from a clean copy of the tree as a release
# would be (scripts/build-deb.sh), then their contents, lintian, and the
# units as the packages install them (scripts/check-debs.sh; docs/testing.md).
echo "=== packages"
TETRAD_JOBS=$jobs bash scripts/build-deb.sh build/deb
bash scripts/check-debs.sh build/deb
phase_done packages
[ $quick -eq 1 ] && exit 0

# The sanitizer suite runs the same tests; the flaky-network test sends 1,000
# change sets instead of 10,000 there (the code paths are the same). It
# leaves out the integration tests' PostgreSQL lane (label integration-pg,
# docs/development.md): those scripts run in its SQLite lane, the store's
# PostgreSQL code in its unit/hub-pg lane, and a second pass of the hub
# scripts under the sanitizers would add minutes for no new code. For the
# same reason the long repetitive tests run fewer rounds there
# (TETRAD_TEST_SHORT=1, docs/testing.md: the convergence test 300 changes,
# the kill tests about a third of their kills, the edit race 30 rounds): what the
# sanitizers add is each code path run under them, not the repetition, and
# their locked lane is this suite's wall time. It is built at -O1, as
# AddressSanitizer's documentation advises (at -O0 CPU-bound tests ran 7
# times slower than the normal build: a 1,500-row import 25 s against 3.7).
# The benchmarks are not built
# there (TETRAD_BUILD_BENCH=OFF): no test runs them, and the normal build
# compiles them with the same warnings as errors.
TETRAD_FLAKY_BATCH=10 TETRAD_TEST_SHORT=1 \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite sanitize "-LE integration-pg" -DCMAKE_BUILD_TYPE=Debug -DTETRAD_SANITIZE=ON \
	-DCMAKE_C_FLAGS_DEBUG="-g -O1" -DTETRAD_BUILD_BENCH=OFF

echo "=== fuzz"
if [ ! -f tests/fuzz/CMakeLists.txt ] || [ ! -f scripts/fuzz.sh ]; then
	echo "fuzz: no fuzz targets in this tree yet"
	exit 0
fi
# Only the fuzz targets and the libraries they link (target fuzz-targets,
# tests/fuzz/CMakeLists.txt): the programs, unit tests and benchmarks built
# with clang would serve nothing here.
CC=clang cmake -S . -B build/fuzz -DTETRAD_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/fuzz -j "$jobs" --target fuzz-targets >/dev/null
phase_done "fuzz build"
bash scripts/fuzz.sh build/fuzz "${TETRAD_FUZZ_SECONDS:-60}"
phase_done fuzz
