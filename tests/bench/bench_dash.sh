#!/usr/bin/env bash
# bench_dash — every page of the coordinator's dashboard at municipality
# scale (150 schools, ~210,000 records) and region scale (2,000 schools,
# ~2.8 M records): a real `tetrad-hub serve` on the stores bench_reports
# writes, one logged-in coordinator on one keep-alive HTTPS connection
# (python's http.client), each page asked ROUNDS times in turn after one
# round that reads the store cold (shown apart as «first»); the wall
# time of each answer (request sent to the last byte read), min / median /
# p99 / max, and whether median and p99 stay under 1 s (issue 23). The .xlsx
# of the largest report is timed too (a download, not a page).
#
#   TETRAD_BIN=build/bench/bin bash tests/bench/bench_dash.sh [municipality|region]...
#
# Stores: TETRAD_BENCH_STORES (default: beside bench_reports), made by
# bench_reports when missing (minutes at region scale). The hub's folder is
# a temporary one whose hub.db is a symbolic link to the store: the store
# gains the dashboard's tables and a few rows of sessions and audit, which
# the reports never read. TETRAD_BENCH_ROUNDS (default 10).
# TETRAD_BENCH_PG='host=... dbname=postgres' (issue 20): the hub's store is
# the copy of the same store that bench_reports keeps in that PostgreSQL
# server (`scripts/bench.sh dash_pg` starts one); the pages' reports then
# run on the server's pooled connections, as a coordinator's would.
set -euo pipefail
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
bin=$(cd "$TETRAD_BIN" && pwd)
stores=${TETRAD_BENCH_STORES:-$bin}
rounds=${TETRAD_BENCH_ROUNDS:-10}
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(municipality region)
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

work=$(mktemp -d /tmp/tetrad-bench-dash.XXXXXX)
hub_pid=""
cleanup() {
	if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then
		kill -TERM "$hub_pid"
		wait "$hub_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

for scale in "${scales[@]}"; do
	case "$scale" in
	municipality) n=150 ;;
	region) n=2000 ;;
	*) echo "bench_dash: municipality or region, not «$scale»" >&2; exit 1 ;;
	esac
	store="$stores/bench_reports-$n-v1.db"
	if [ ! -f "$store.ok" ]; then
		echo "bench_dash: no $scale store at $store: bench_reports writes it (and runs its reports)"
		TETRAD_BENCH_STORES="$stores" TETRAD_BENCH_ONLY=settings "$bin/bench_reports" "$scale" >/dev/null
	fi
	hub="$work/hub-$scale"
	"$bin/tetrad-hub" --data "$hub" init --tls-self-signed 127.0.0.1 >/dev/null 2>&1
	rm -f "$hub/hub.db"
	if [ -n "${TETRAD_BENCH_PG:-}" ]; then
		# the same store in PostgreSQL: the copy bench_reports keeps there
		# (database bench_reports_N_v1, made on its first run)
		TETRAD_BENCH_STORES="$stores" TETRAD_BENCH_ONLY=settings "$bin/bench_reports" "$scale" \
			>/dev/null
		printf 'store = %s dbname=bench_reports_%s_v1\n' "$TETRAD_BENCH_PG" "$n" >>"$hub/hub.conf"
	else
		ln -s "$store" "$hub/hub.db"
	fi
	(umask 077 && echo "bench-dash-password" >"$work/pw")
	"$bin/tetrad-hub" --data "$hub" user disable bench >/dev/null 2>&1 || true
	if ! "$bin/tetrad-hub" --data "$hub" user add bench --role coordinator \
		--password-file "$work/pw" >/dev/null 2>&1; then
		"$bin/tetrad-hub" --data "$hub" user passwd bench --password-file "$work/pw" >/dev/null
		"$bin/tetrad-hub" --data "$hub" user enable bench >/dev/null
	fi
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$bin/tetrad-hub" --data "$hub" serve --listen "127.0.0.1:$port" 2>"$work/serve-$scale.log" &
	hub_pid=$!
	echo "--- $scale: $n schools, $(du -hL "$store" | cut -f1) store$([ -n "${TETRAD_BENCH_PG:-}" ] && echo ", copied into PostgreSQL"), $rounds rounds"
	python3 - "$port" "$hub/tls/ca.pem" "$rounds" <<'EOF'
import http.client, re, ssl, statistics, sys, time, urllib.parse
port, ca, rounds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
for _ in range(100):
    try:
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=120)
        c.request("GET", "/v1/health"); c.getresponse().read()
        break
    except OSError:
        time.sleep(0.1)
cookie = ""
def req(method, path, body=None):
    global cookie
    h = {"Cookie": cookie} if cookie else {}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(body)
    t0 = time.perf_counter()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    dt = time.perf_counter() - t0
    for k, v in r.getheaders():
        if k.lower() == "set-cookie" and "Max-Age=0" not in v:
            name = v.split("=", 1)[0]
            jar[name] = v.split(";")[0]
            cookie = "; ".join(jar.values())
    return r.status, data, dt
jar = {}
st, body, _ = req("GET", "/login")
tok = re.search(rb'name="_login" value="([0-9a-f]+)"', body).group(1).decode()
st, body, _ = req("POST", "/login", {"_login": tok, "next": "/", "login": "bench",
                                     "password": "bench-dash-password"})
assert st == 303, st
pages = ["/", "/report/verification", "/report/mediation", "/report/passport",
         "/report/identification", "/report/surveys", "/review/conflicts",
         "/review/quarantine", "/report/verification?school=170001", "/school/170001"]
times = {p: [] for p in pages}
first = {}
size = {}
# the first round reads the store from disk (a hub just started, a cold page
# cache): shown apart, the rounds after it are what a working day sees
for rnd in range(rounds + 1):
    for p in pages:
        st, body, dt = req("GET", p)
        assert st == 200, (p, st, body[:300])
        if rnd == 0:
            first[p] = dt
        else:
            times[p].append(dt)
        size[p] = len(body)
st, body, xdt = req("GET", "/report/surveys.xlsx")
assert st == 200 and body[:2] == b"PK", st
worst = 0
print("%-40s %8s %8s %8s %8s %8s %9s" % ("page", "first s", "min", "median", "p99", "max",
                                         "bytes"))
for p in pages:
    t = sorted(times[p])
    p99 = t[min(len(t) - 1, int(round(0.99 * (len(t) - 1))))]
    med = statistics.median(t)
    worst = max(worst, med, p99)
    print("%-40s %8.3f %8.3f %8.3f %8.3f %8.3f %9d" % (p, first[p], t[0], med, p99, t[-1],
                                                     size[p]))
print("surveys.xlsx (a download): %.3f s, %d bytes" % (xdt, len(body)))
print("every page under 1 s (median and p99 after the first round): %s (slowest %.3f s); "
      "first round's slowest %.3f s" % ("yes" if worst < 1 else "NO", worst, max(first.values())))
EOF
	kill -TERM "$hub_pid"
	wait "$hub_pid" 2>/dev/null || true
	hub_pid=""
done
