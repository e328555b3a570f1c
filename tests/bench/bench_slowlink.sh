#!/usr/bin/env bash
# bench_slowlink — 100 records from a school to the hub over a rural link:
# 64 kbit/s each way with 5% packet loss. Time to finish (target ≤ 30 s).
#
# The link: two network namespaces joined by a veth pair, each end shaped by
# the kernel (tc tbf, 64 kbit/s), so TCP and TLS run at the real rate. This
# kernel has no netem and no tc actions, so loss is emulated in the hub's
# namespace by a relay in front of the hub that holds back 5% of the
# 1,460-byte segments, in both directions, for 300 ms: what a lost segment
# costs a TCP connection that recovers it (SACK / fast retransmit, ≥ 200 ms
# minimum RTO on Linux). Printed with the figures. Needs root and `ip`;
# otherwise it says so and exits 77 (skipped).
#   BENCH_SLOW_RECORDS=N  (default 100)
set -u
. "$TETRAD_SOURCE_DIR/tests/integration/sync_lib.sh"
N=${BENCH_SLOW_RECORDS:-100}
A=ttslow-school B=ttslow-hub
HUB="$TETRAD_BIN/tetrad-hub"

if [ "$(id -u)" != 0 ] || ! ip netns add "$A" 2>/dev/null; then
	echo "SKIP: needs root and network namespaces (ip netns)"
	exit 77
fi
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$B"
ip link add ttva netns "$A" type veth peer name ttvb netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev ttva
ip -n "$B" addr add 10.77.0.2/24 dev ttvb
for ns in "$A" "$B"; do
	ip -n "$ns" link set lo up
done
ip -n "$A" link set ttva up
ip -n "$B" link set ttvb up
ip netns exec "$A" tc qdisc add dev ttva root tbf rate 64kbit burst 1600 latency 2000ms
ip netns exec "$B" tc qdisc add dev ttvb root tbf rate 64kbit burst 1600 latency 2000ms

export TETRAD_FORMS_DIR="$work/forms"
sync_forms "$TETRAD_FORMS_DIR"
mkdir -p "$work/hub"
"$HUB" --data "$work/hub" init --tls-self-signed 10.77.0.2 >/dev/null 2>&1 || sync_fail "hub init"
ip netns exec "$B" "$HUB" --data "$work/hub" serve --listen 127.0.0.1:8443 >"$work/hub.log" 2>&1 &
pids+=($!)
# The loss relay: 10.77.0.2:8443 → 127.0.0.1:8443 inside the hub's namespace.
ip netns exec "$B" python3 - "$work/relay.log" <<'PY' &
import asyncio, random, sys
rnd = random.Random(64)
held = 0
async def pipe(r, w):
    global held
    try:
        while True:
            b = await r.read(1460)
            if not b:
                break
            if rnd.random() < 0.05:
                held += 1
                await asyncio.sleep(0.3)
            w.write(b)
            await w.drain()
    except Exception:
        pass
    finally:
        w.close()
        open(sys.argv[1], "w").write("%d\n" % held)
async def conn(cr, cw):
    hr, hw = await asyncio.open_connection("127.0.0.1", 8443)
    await asyncio.gather(pipe(cr, hw), pipe(hr, cw))
async def main():
    srv = await asyncio.start_server(conn, "10.77.0.2", 8443)
    async with srv:
        await asyncio.sleep(600)
asyncio.run(main())
PY
pids+=($!)
url=https://10.77.0.2:8443
for _ in $(seq 1 100); do
	ip netns exec "$A" curl -s --max-time 5 --cacert "$work/hub/tls/ca.pem" "$url/v1/health" 2>/dev/null \
		| grep -q '"ok"' && break
	sleep 0.2
done

run() { # name batch
	local db="$work/$1.db" tok t0 ms bytes
	sync_mkdb "$db"
	tok=$("$HUB" --data "$work/hub" token create --school 170103 2>/dev/null | head -1)
	ip netns exec "$A" "$SYNCD" enroll --db "$db" --hub "$url" --token "$tok" \
		--ca "$work/hub/tls/ca.pem" >/dev/null 2>&1 || sync_fail "enroll over the slow link"
	sync_add "$db" "$N"
	t0=$(date +%s%N)
	ip netns exec "$A" "$SYNCD" --once --no-pull --db "$db" --batch "$2" >/dev/null 2>"$work/log" \
		|| { cat "$work/log" >&2; sync_fail "$1: sync failed"; }
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$(sync_outbox "$db" acked)" = "$N" ] || sync_fail "$1: not all acknowledged"
	bytes=$(grep -o ' bytes=[0-9]*' "$work/log" | tail -1 | cut -d= -f2)
	retries=$(grep -o ' retries=[0-9]*' "$work/log" | tail -1 | cut -d= -f2)
	awk -v n="$N" -v name="$1" -v ms="$ms" -v b="$bytes" -v r="$retries" 'BEGIN {
		printf "%-28s %d records  %6.1f s (target <= 30 s)  %6d bytes of change sets  retries %d\n",
		    name, n, ms / 1000, b, r }'
}
echo "link: 64 kbit/s each way (tc tbf, veth between namespaces), 5% of segments held 300 ms (loss)"
run "one set of $N records" 1000
run "sets of 10 records" 10
run "sets of 1 record" 1
echo "segments held back (emulated losses), all runs: $(cat "$work/relay.log" 2>/dev/null || echo 0)"
