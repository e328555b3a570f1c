#!/usr/bin/env bash
# Runs every libFuzzer target of a TETRAD_FUZZ build for a bounded time.
#   scripts/fuzz.sh BUILD_DIR SECONDS
# SECONDS is shared between the targets (at least 10 s each), which run
# one per core at a time (TETRAD_FUZZ_JOBS to change). Each target
# runs on a scratch copy of its committed corpus tests/fuzz/corpus/<name>/
# (name = binary name without "fuzz_"), so the tree is never written to.
# Fails if any target crashes, leaks, times out or runs out of memory; the
# reproducer is copied to BUILD_DIR/fuzz-artifacts/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS}
total=${2:-60}

mapfile -t targets < <(find "$build/bin" "$build/tests/fuzz" -maxdepth 1 -type f -name 'fuzz_*' \
	-perm -u+x 2>/dev/null | sort -u)
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no fuzz_* programs in $build (configure with CC=clang -DTETRAD_FUZZ=ON)" >&2
	exit 1
fi
per=$(( total / ${#targets[@]} ))
[ "$per" -lt 10 ] && per=10

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/fuzz-artifacts"

# One target: runs it on its scratch corpus; its lines go to $work/NAME/out
# and its verdict to $work/NAME/rc, printed in target order at the end.
run_one() {
	local bin=$1 name corpus
	name=$(basename "$bin")
	corpus="$here/tests/fuzz/corpus/${name#fuzz_}"
	mkdir -p "$work/$name/corpus" "$work/$name/art"
	[ -d "$corpus" ] && cp -r "$corpus/." "$work/$name/corpus/"
	{
		echo "=== $name: ${per}s, $(ls "$work/$name/corpus" | wc -l) seed inputs"
		if "$bin" -max_total_time="$per" -rss_limit_mb=2048 -timeout=30 -max_len=65536 \
			-print_final_stats=1 -artifact_prefix="$work/$name/art/" \
			"$work/$name/corpus" >"$work/$name/log" 2>&1; then
			grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$name/log" || true
			echo "$name: ok"
			echo 0 >"$work/$name/rc"
		else
			echo "$name: FAILED"
			tail -n 60 "$work/$name/log"
			cp "$work/$name/art/"* "$build/fuzz-artifacts/" 2>/dev/null || true
			echo 1 >"$work/$name/rc"
		fi
	} >"$work/$name/out" 2>&1
}

# The targets are independent single-process runs: one per core at a time,
# so the fuzz step takes its share of the CI budget once, not once per core.
jobs=${TETRAD_FUZZ_JOBS:-$(nproc)}
running=0
for bin in "${targets[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_one "$bin" &
	running=$((running + 1))
done
wait || true

failed=0
for bin in "${targets[@]}"; do
	name=$(basename "$bin")
	if [ "$(cat "$work/$name/rc" 2>/dev/null)" = 0 ]; then
		cat "$work/$name/out"
	else
		failed=1
		cat "$work/$name/out" >&2
		[ -f "$work/$name/rc" ] || echo "$name: FAILED (no verdict)" >&2
	fi
done
exit $failed
