#!/usr/bin/env bash
# Runs the benchmarks (not tests) on an optimised build and prints figures.
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh NAME...    only bench_NAME (e.g. envelope); reports_pg:
#                               bench_reports at region scale on PostgreSQL;
#                               dash_pg: bench_dash at region scale on it
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
	names+=(reports_pg dash_pg)  # bench_reports and bench_dash again, on PostgreSQL
fi
skipped=()
# bench_hub_pg and bench_reports' PostgreSQL run need a server: one of their
# own (tests/tools/pgcluster.sh, a unix socket in /tmp), with the memory a
# region's hub would be given, stopped at the end. Without PostgreSQL 15
# they say so and the rest runs.
pg_dir=""
bench_pg() {
	if [ -z "$pg_dir" ]; then
		pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/tetrad-bench-pg.XXXXXX")
		trap 'bash "$here/tests/tools/pgcluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true' EXIT
		TETRAD_BENCH_PG=$(TETRAD_PG_CONF=$'shared_buffers = 4GB\nwork_mem = 64MB\nmaintenance_work_mem = 1GB\nmax_wal_size = 16GB\ncheckpoint_timeout = 30min\neffective_cache_size = 16GB' \
			bash "$here/tests/tools/pgcluster.sh" start "$pg_dir" 2>/dev/null) || TETRAD_BENCH_PG=""
	fi
	[ -n "$TETRAD_BENCH_PG" ]
}
for n in "${names[@]}"; do
	echo "=== bench_$n"
	if [ "$n" = hub_pg ] || [ "$n" = reports_pg ] || [ "$n" = dash_pg ]; then
		if ! bench_pg; then
			echo "bench_$n: SKIP: PostgreSQL 15 не запустился (scripts/install-deps.sh)"
			skipped+=("bench_$n")
		elif [ "$n" = hub_pg ]; then
			TETRAD_BENCH_PG=$TETRAD_BENCH_PG "$build/bin/bench_hub_pg"
		elif [ "$n" = dash_pg ]; then
			TETRAD_BENCH_PG=$TETRAD_BENCH_PG TETRAD_BIN="$build/bin" \
				bash "$here/tests/bench/bench_dash.sh" region
		else
			# the region's store copied into the server first: minutes, once a run
			TETRAD_BENCH_PG=$TETRAD_BENCH_PG "$build/bin/bench_reports" region
		fi
		continue
	fi
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
