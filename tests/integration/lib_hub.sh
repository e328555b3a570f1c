# lib_hub.sh — shared helper for integration tests: a real tetrad-hub over
# HTTPS on 127.0.0.1 with a fresh test CA. Source it, then:
#
#   hub_start DIR [serve options...]  init DIR (with --tls-self-signed
#                        127.0.0.1) if needed, pick a free port, start
#                        `serve` in the background, wait for /v1/health;
#                        exports HUB_URL, HUB_CA, HUB_PID, HUB_DIR, HUB_LOG
#   hub_stop             SIGTERM, wait (kill -9 after 10 s); safe to repeat
#   hub_token ARGS...    `token create ARGS` → prints the token
#   hub_cli ARGS...      tetrad-hub --data "$HUB_DIR" ARGS...
#   hub_curl ARGS...     curl with the test CA, -sS, bounded time
#   hub_free_port        prints a free TCP port on 127.0.0.1
#
# Needs TETRAD_BIN (dir of built programs). Callers should `trap hub_stop EXIT`
# (or call hub_stop from their own trap).

: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
HUB_BIN="$TETRAD_BIN/tetrad-hub"
HUB_PID=""

hub_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

hub_cli() {
	"$HUB_BIN" --data "$HUB_DIR" "$@"
}

hub_curl() {
	curl -sS --max-time 30 --cacert "$HUB_CA" "$@"
}

hub_start() {
	HUB_DIR="$1"
	shift
	export HUB_DIR
	if [ ! -f "$HUB_DIR/hub.enc.key" ]; then
		"$HUB_BIN" --data "$HUB_DIR" init --tls-self-signed 127.0.0.1 >/dev/null 2>"$HUB_DIR.init.log" || {
			cat "$HUB_DIR.init.log" >&2
			return 1
		}
	fi
	HUB_CA="$HUB_DIR/tls/ca.pem"
	HUB_LOG="$HUB_DIR/serve.log"
	export HUB_CA HUB_LOG
	local try port
	for try in 1 2 3 4 5; do
		port=$(hub_free_port)
		HUB_URL="https://127.0.0.1:$port"
		export HUB_URL
		"$HUB_BIN" --data "$HUB_DIR" serve --listen "127.0.0.1:$port" "$@" >>"$HUB_LOG" 2>&1 &
		HUB_PID=$!
		export HUB_PID
		local i
		for i in $(seq 1 100); do
			if curl -s --max-time 2 --cacert "$HUB_CA" "$HUB_URL/v1/health" 2>/dev/null | grep -q '"ok"'; then
				return 0
			fi
			if ! kill -0 "$HUB_PID" 2>/dev/null; then
				break
			fi
			sleep 0.1
		done
		kill -9 "$HUB_PID" 2>/dev/null
		wait "$HUB_PID" 2>/dev/null
		HUB_PID=""
	done
	echo "hub_start: the hub did not come up; log:" >&2
	tail -20 "$HUB_LOG" >&2
	return 1
}

hub_stop() {
	if [ -n "$HUB_PID" ] && kill -0 "$HUB_PID" 2>/dev/null; then
		kill -TERM "$HUB_PID" 2>/dev/null
		local i
		for i in $(seq 1 100); do
			kill -0 "$HUB_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$HUB_PID" 2>/dev/null; then
			kill -9 "$HUB_PID" 2>/dev/null
		fi
		wait "$HUB_PID" 2>/dev/null
	fi
	HUB_PID=""
	return 0
}

hub_token() {
	"$HUB_BIN" --data "$HUB_DIR" token create "$@" 2>/dev/null | head -1
}
