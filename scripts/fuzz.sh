#!/usr/bin/env bash
# Runs every libFuzzer target of a TETRAD_FUZZ build for a bounded time.
#   scripts/fuzz.sh BUILD_DIR SECONDS
# SECONDS is shared between the targets (at least 10 s each). Each target
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
failed=0
for bin in "${targets[@]}"; do
	name=$(basename "$bin")
	corpus="$here/tests/fuzz/corpus/${name#fuzz_}"
	mkdir -p "$work/$name/corpus" "$work/$name/art"
	[ -d "$corpus" ] && cp -r "$corpus/." "$work/$name/corpus/"
	echo "=== $name: ${per}s, $(ls "$work/$name/corpus" | wc -l) seed inputs"
	if "$bin" -max_total_time="$per" -rss_limit_mb=2048 -timeout=30 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$work/$name/art/" \
		"$work/$name/corpus" >"$work/$name/log" 2>&1; then
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$name/log" || true
		echo "$name: ok"
	else
		failed=1
		echo "$name: FAILED" >&2
		tail -n 60 "$work/$name/log" >&2
		cp "$work/$name/art/"* "$build/fuzz-artifacts/" 2>/dev/null || true
	fi
done
exit $failed
