#!/usr/bin/env bash
# Runs the benchmarks (not tests) on an optimised build and prints figures.
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh NAME...    only bench_NAME (e.g. envelope)
# Figures go to stdout; copy them into docs/performance.md with the machine
# and the date when they change.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${TETRAD_BENCH_BUILD:-$here/build/bench}
export TETRAD_FORMS_DIR=${TETRAD_FORMS_DIR:-$here/forms}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
echo "machine: $(uname -m), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%Y-%m-%d)"
if [ $# -gt 0 ]; then
	names=("$@")
else
	mapfile -t names < <(cd "$here/tests/bench" && ls bench_*.c bench_*.sh 2>/dev/null | sed -E 's/^bench_//; s/\.(c|sh)$//' | sort -u)
fi
skipped=()
for n in "${names[@]}"; do
	echo "=== bench_$n"
	if [ -x "$build/bin/bench_$n" ]; then
		"$build/bin/bench_$n"
	elif [ -f "$build/tests/bench/bench_$n" ]; then
		"$build/tests/bench/bench_$n"
	elif [ -f "$here/tests/bench/bench_$n.sh" ]; then
		rc=0
		TETRAD_BIN="$build/bin" TETRAD_SOURCE_DIR="$here" TETRAD_FORMS_DIR="$here/forms" \
			bash "$here/tests/bench/bench_$n.sh" || rc=$?
		if [ $rc -eq 77 ]; then
			skipped+=("bench_$n")
		elif [ $rc -ne 0 ]; then
			echo "bench_$n: failed (exit $rc)" >&2
			exit 1
		fi
	else
		echo "bench_$n: not built" >&2
		exit 1
	fi
done
if [ ${#skipped[@]} -gt 0 ]; then
	echo "not run here (see their SKIP lines): ${skipped[*]}"
fi
