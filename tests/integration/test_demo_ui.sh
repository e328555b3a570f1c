#!/bin/bash
# test_demo_ui — the README's first command on a terminal: after the
# demonstration, the hub and a `tetrad ui` for each device keep running on
# the demo's data, their addresses are printed, and Enter stops them all.
# A test has no terminal, so TETRAD_DEMO_UI=1 asks for that ending with
# stdin a pipe (test_demo.sh runs the same script without it: it must exit
# at once). Here: the printed addresses answer (the curator's start page
# and records, the school's passphrase page — its store is locked), the hub
# answers, the coordinator's dashboard takes the printed login and shows the
# demo's visits, and after Enter the script exits 0 with nothing left
# listening.
set -u
: "${TETRAD_BIN:?TETRAD_BIN must point at the built programs}"
: "${TETRAD_SOURCE_DIR:?TETRAD_SOURCE_DIR must point at the source tree}"

W=$(mktemp -d)
out="$W/out"
demo=""
FAILS=0
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
finish() {
	# a failure half way: the demo's own trap stops the hub and the UIs
	if [ -n "$demo" ] && kill -0 "$demo" 2>/dev/null; then
		kill -TERM "$demo" 2>/dev/null
		wait "$demo" 2>/dev/null
	fi
	touch "$W/enter" # the pipe's loop ends too
	sleep 0.2
	rm -rf "$W"
}
trap finish EXIT

# stdin a pipe that gives the demo its Enter once $W/enter exists
TETRAD_DEMO_UI=1 bash "$TETRAD_SOURCE_DIR/scripts/demo-run.sh" "$TETRAD_BIN" \
	< <(until [ -e "$W/enter" ]; do sleep 0.1; done; echo) >"$out" 2>&1 &
demo=$!

for _ in $(seq 1 1200); do
	grep -q "Нажмите Enter" "$out" 2>/dev/null && break
	kill -0 "$demo" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "Нажмите Enter" "$out"; then
	tail -40 "$out" >&2
	echo "FAIL: the demo did not come to its waiting step" >&2
	exit 1
fi

after() { grep -A1 -F -- "$1" "$out" | tail -n 1 | tr -d ' '; }
curator=$(after "Ноутбук куратора")
school=$(after "Компьютер школы 170103")
hub=$(grep -A1 -F "Хаб муниципалитета" "$out" | tail -n 1 | awk '{print $1}')
ca=$(sed -n 's/^Демонстрация Tetrad. Рабочий каталог: \(.*\) (далее.*/\1/p' "$out")/hub/tls/ca.pem
case "$curator" in http://*) ;; *) bad "no curator's address printed: «$curator»" ;; esac
case "$school" in http://*) ;; *) bad "no school's address printed: «$school»" ;; esac

page() { # name url -> the start page in $W/name, its status in $W/name.code
	# /launch trades the key for the cookie and moves on with a Refresh
	# header (a browser's step, not curl's): the start page is the next GET
	local base
	base=$(printf '%s' "$2" | sed -E 's#^(http://[^/]+).*#\1#')
	curl -s --max-time 10 -c "$W/$1.jar" -o /dev/null "$2" 2>/dev/null
	curl -s -L --max-time 10 -b "$W/$1.jar" -o "$W/$1" -w '%{http_code}' \
		"$base/" >"$W/$1.code" 2>/dev/null
}
page curator "$curator"
[ "$(cat "$W/curator.code")" = 200 ] || bad "curator's address answered $(cat "$W/curator.code")"
grep -q "Новая запись" "$W/curator" || bad "curator's start page has no «Новая запись»"
grep -q "170103" "$W/curator" || bad "curator's start page does not name the schools"
base=$(printf '%s' "$curator" | sed -E 's#^(http://[^/]+).*#\1#')
curl -s -L --max-time 10 -b "$W/curator.jar" -o "$W/records" "$base/records?form=risk_visit"
grep -q "170104" "$W/records" || bad "the curator's records page does not list the visits"

page school "$school"
[ "$(cat "$W/school.code")" = 200 ] || bad "school's address answered $(cat "$W/school.code")"
grep -qi "пароль" "$W/school" || bad "the school's locked store does not ask for the passphrase"

curl -s --max-time 5 --cacert "$ca" "$hub/v1/health" | grep -q '"ok"' ||
	bad "the hub at $hub does not answer"

# the coordinator's dashboard: the printed address, login and password log in
dash=$(grep -A1 -F "Панель координатора на хабе" "$out" | tail -n 1)
dash_url=$(printf '%s' "$dash" | awk '{print $1}')
dash_pass=$(printf '%s' "$dash" | sed -n 's/.*пароль: \([0-9a-f]*\).*/\1/p')
case "$dash_url" in https://127.0.0.1:*/) ;; *) bad "no dashboard address printed: «$dash»" ;; esac
[ -n "$dash_pass" ] || bad "no dashboard password printed: «$dash»"
jar="$W/dash.jar"
tok=$(curl -s --max-time 10 --cacert "$ca" -c "$jar" "${dash_url}login" |
	sed -n 's/.*name="_login" value="\([0-9a-f]*\)".*/\1/p')
code=$(curl -s --max-time 10 --cacert "$ca" -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
	--data-urlencode "_login=$tok" --data-urlencode "next=/" --data-urlencode "login=coordinator" \
	--data-urlencode "password=$dash_pass" "${dash_url}login")
[ "$code" = 303 ] || bad "the printed login did not log in to the dashboard ($code)"
curl -s --max-time 10 --cacert "$ca" -b "$jar" -o "$W/dash" "${dash_url}report/verification"
grep -q "170103" "$W/dash" || bad "the dashboard's verification page does not show the demo's visits"

touch "$W/enter"
for _ in $(seq 1 300); do
	kill -0 "$demo" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$demo" 2>/dev/null; then
	bad "the demo still runs 30 s after Enter"
else
	wait "$demo"
	rc=$?
	[ "$rc" = 0 ] || { tail -20 "$out" >&2; bad "the demo exited $rc after Enter"; }
fi
demo=""
grep -qF "Интерфейс остановлен." "$out" || bad "no «Интерфейс остановлен.»"
grep -qF "Хаб остановлен (SIGTERM" "$out" || bad "the hub was not stopped"
if curl -s --max-time 2 -o /dev/null "$base/"; then bad "the curator's UI still answers"; fi
if curl -s --max-time 2 -o /dev/null --cacert "$ca" "$hub/v1/health"; then
	bad "the hub still answers"
fi
[ "$FAILS" -eq 0 ] || exit 1
echo PASS
