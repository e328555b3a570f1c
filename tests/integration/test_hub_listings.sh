#!/bin/bash
# test_hub_listings — every listing of tetrad-hub (token, device, keys,
# schools, conflicts, quarantine, programmes, forms) in both forms, on a
# hub folder with rows of every kind: the table's header line is the
# documented Russian one (docs/hub.md), one line per row, none as «…:
# пусто»; --json is one array on stdout that python3's json reads, each
# value of the documented type (a watermark the number 11, not "11"; a
# bool true/false; none null; lists arrays), the same rows as the table.
# Text from outside is escaped in both; a full quarantine's warning goes
# to stderr beside --json, to stdout beside a table.
set -u
: "${TETRAD_BIN:?}"
H="$TETRAD_BIN/tetrad-hub"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$T/hub"
mkdir -p "$T/forms"
echo '{"format":1,"id":"test","version":1,"title":"Тест","fields":[{"id":"n","label":"Число","type":"integer"}]}' >"$T/forms/test.json"
export TETRAD_FORMS_DIR="$T/forms"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$H" --data "$D" init >/dev/null 2>&1 || fail "init"

# an empty hub: each store listing says it is empty, or gives []
python3 - "$H" "$D" <<'PY' || fail "empty listings"
import json, subprocess, sys
# runs: tetrad-hub (by path, from TETRAD_BIN)
H, D = sys.argv[1:]
titles = {"token": "Коды регистрации", "device": "Устройства", "schools": "Школы",
          "conflicts": "Конфликты", "quarantine": "Карантин",
          "programmes": "Программы школ", "forms": "Опубликованные формы"}
for cmd, title in titles.items():
    t = subprocess.run([H, "--data", D, cmd, "list"], capture_output=True, text=True)
    j = subprocess.run([H, "--data", D, cmd, "list", "--json"], capture_output=True, text=True)
    assert t.returncode == 0 and j.returncode == 0, (cmd, t.stderr, j.stderr)
    assert t.stdout.startswith(title + ": пусто"), (cmd, t.stdout)
    assert json.loads(j.stdout) == [], (cmd, j.stdout)
print("ok: empty listings")
PY

# rows of every kind: through the commands where one exists, through the
# store where only a device's traffic makes them (the listing is tested
# here, not ingest)
"$H" --data "$D" token create --school 170103 --name "Школа № 3" >/dev/null 2>&1 || fail "token school"
"$H" --data "$D" token create --curator "Иванова" --schools 170103,170104 >/dev/null 2>&1 || fail "token curator"
"$H" --data "$D" schools add 170103 --name "МБОУ СОШ № 3" >/dev/null || fail "schools add"
"$H" --data "$D" programmes set 170103 2026 "500+" >/dev/null || fail "programmes set"
"$H" --data "$D" programmes set 170103 2026 ШНОР >/dev/null || fail "programmes set"
"$H" --data "$D" programmes set 170104 2025 ШАНС >/dev/null || fail "programmes set"
sed -e 's/"version":1/"version":2/' "$T/forms/test.json" >"$T/test-v2.json"
"$H" --data "$D" forms publish "$T/test-v2.json" >/dev/null 2>&1 || fail "forms publish"
"$H" --data "$D" keys rotate >/dev/null 2>&1 || fail "keys rotate"
sqlite3 "$D/hub.db" "
INSERT INTO devices(id, pk, kind, label, schools, enrolled_at, watermark, last_hash, last_seen_at,
  box_pk, pull_acked, pull_at)
  VALUES('00000000000000aa', x'0a', 'school', 'Школа № 3', '170103', '2026-01-10T08:00:00Z', 11, x'00',
  '2026-01-11T08:00:00Z', x'01', 0, NULL);
INSERT INTO devices(id, pk, kind, label, schools, enrolled_at, revoked_at, watermark, last_hash)
  VALUES('00000000000000bb', x'0b', 'curator', 'Иванова', '170103,170104', '2026-01-12T08:00:00Z',
  '2026-01-13T08:00:00Z', 0, x'00');
INSERT INTO quarantine(device_id, first_seq, last_seq, kind, reason, received_at)
  VALUES('00000000000000aa', 12, 14, 'fork', 'форма «evil' || char(27) || '[2J»', '2026-01-11T09:00:00Z');
INSERT INTO quarantine_dropped(device_id, dropped, last_at) VALUES('00000000000000aa', 3, '2026-01-11T10:00:00Z');
INSERT INTO conflicts(record_id, form_id, school, field, loser_value, loser_hlc, loser_device,
  winner_value, winner_hlc, winner_device, logged_at)
  VALUES(x'019a3e6e30007000800000000000cafe', 'test', '170103', 'n', '20', 'h1', '00000000000000bb',
  '10', 'h2', '00000000000000aa', '2026-01-11T09:30:00Z');
" || fail "store rows"

python3 - "$H" "$D" <<'PY' || fail "listings"
import json, re, subprocess, sys
# runs: tetrad-hub (by path, from TETRAD_BIN)
H, D = sys.argv[1:]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
S, I, B, L, N = str, int, bool, list, type(None)
# (command, extra args): [(json key, table header, allowed types)], rows expected
spec = {
    ("token", ()): ([("hash", "Код (начало хеша)", {S}), ("kind", "Вид", {S}),
                     ("name", "Для кого", {S}), ("schools", "Школы", {L}),
                     ("created_at", "Создан", {S}), ("expires_at", "Действует до", {S}),
                     ("used_by", "Использован устройством", {S, N}),
                     ("used_at", "Использован", {S, N})], 2),
    ("device", ()): ([("id", "Устройство", {S}), ("kind", "Вид", {S}),
                      ("label", "Название", {S}), ("schools", "Школы", {L}),
                      ("enrolled_at", "Подключено", {S}), ("status", "Состояние", {S}),
                      ("revoked_at", "Отозвано", {S, N}),
                      ("watermark", "Последний набор", {I}),
                      ("last_seen_at", "Последний обмен", {S, N}),
                      ("quarantine_dropped", "Отброшено в карантине", {I}),
                      ("pull_acked", "Получены изменения до", {I}),
                      ("pull_lag", "Отстаёт на", {I}),
                      ("pull_at", "Получало изменения", {S, N}),
                      ("box_key", "Ключ для изменений", {B})], 2),
    ("keys", ()): ([("id", "Ключ шифрования", {S}), ("state", "Состояние", {S})], 2),
    ("schools", ()): ([("code", "Код ОО", {S}), ("name", "Наименование", {S, N}),
                       ("devices", "Устройств", {I}), ("records", "Записей", {I})], 2),
    ("conflicts", ()): ([("id", "№", {I}), ("record_id", "Запись", {S}), ("form_id", "Форма", {S, N}),
                         ("school", "Школа", {S, N}), ("field", "Поле", {S}),
                         ("loser_value", "Отклонённое значение", {S, N}),
                         ("loser_hlc", "Время отклонённого", {S, N}),
                         ("loser_device", "Устройство отклонённого", {S, N}),
                         ("winner_value", "Принятое значение", {S, N}),
                         ("winner_hlc", "Время принятого", {S, N}),
                         ("winner_device", "Устройство принятого", {S, N}),
                         ("logged_at", "Записан", {S}), ("decision", "Решение", {S}),
                         ("decided_by", "Кто решил", {S, N}),
                         ("decided_at", "Когда решено", {S, N})], 1),
    ("quarantine", ()): ([("id", "№", {I}), ("device_id", "Устройство", {S}),
                          ("first_seq", "Первый номер", {I}), ("last_seq", "Последний номер", {I}),
                          ("kind", "Вид", {S}), ("reason", "Причина", {S}),
                          ("received_at", "Получен", {S})], 1),
    ("programmes", ()): ([("school", "Код ОО", {S}), ("year", "Год", {I}),
                          ("programmes", "Программы", {L})], 2),
    ("programmes", ("--year", "2025")): ([("school", "Код ОО", {S}), ("year", "Год", {I}),
                                         ("programmes", "Программы", {L})], 1),
    ("forms", ()): ([("id", "Форма", {S}), ("version", "Версия", {I}),
                     ("sha256", "SHA-256", {S}), ("published_at", "Опубликована", {S})], 1),
}
out = {}
for (cmd, extra), (cols, nrows) in spec.items():
    args = [H, "--data", D, cmd, "list", *extra]
    t = subprocess.run(args, capture_output=True)
    j = subprocess.run(args + ["--json"], capture_output=True)
    assert t.returncode == 0 and j.returncode == 0, (cmd, t.stderr, j.stderr)
    for raw in (t.stdout, j.stdout):
        assert b"\x1b" not in raw, (cmd, "a raw escape byte", raw)
    table = t.stdout.decode().splitlines()
    rows = json.loads(j.stdout)
    # the table: the documented header line, then one line per row
    assert table[0].split("\t") == [c[1] for c in cols], (cmd, table[0])
    body = [l for l in table[1:] if not l.startswith("ВНИМАНИЕ")]
    assert len(body) == nrows == len(rows), (cmd, extra, body, rows)
    assert all(len(l.split("\t")) == len(cols) for l in body), (cmd, body)
    # JSON: the documented keys in order, each value of its type
    for r in rows:
        assert list(r) == [c[0] for c in cols], (cmd, list(r))
        for key, _, types in cols:
            assert type(r[key]) in types, (cmd, key, r[key], types)
            if key.endswith("_at") and r[key] is not None:
                assert ISO.match(r[key]), (cmd, key, r[key])
            if type(r[key]) is list:
                assert all(type(x) is str for x in r[key]), (cmd, key, r[key])
    out[(cmd, extra)] = (body, rows, t.stdout.decode(), j.stderr.decode())

dev = {r["id"]: r for r in out[("device", ())][1]}
a, b = dev["00000000000000aa"], dev["00000000000000bb"]
assert (a["watermark"], a["box_key"], a["quarantine_dropped"], a["status"], a["schools"],
        a["revoked_at"]) == (11, True, 3, "active", ["170103"], None), a
assert (b["box_key"], b["status"], b["schools"], b["kind"]) == \
    (False, "revoked", ["170103", "170104"], "curator"), b
# a table for people says words, not codes; none is "-", a bool да/нет
dt = out[("device", ())][0]
assert any("\tкуратор\t" in l and "\tотозвано\t" in l and l.endswith("\tнет") for l in dt), dt
assert any("\tшкола\t" in l and "\tдействует\t-\t11\t" in l and l.endswith("\tда") for l in dt), dt
# the full quarantine's warning: beside the table on stdout, on stderr with --json
for cmd in ("device", "quarantine"):
    body, rows, text, err = out[(cmd, ())]
    assert "ВНИМАНИЕ: карантин устройства 00000000000000aa переполнен" in text, text
    assert "отброшено наборов 3" in err and "device revoke 00000000000000aa" in err, err
q = out[("quarantine", ())]
assert q[1][0]["first_seq"] == 12 and q[1][0]["kind"] == "fork", q[1]
# escaped as \u001b in the JSON text, so the reader gets the stored text back
assert q[1][0]["reason"] == "форма «evil\x1b[2J»", q[1]
assert "\\x1b[2J" in q[0][0] and "\tразвилка\t" in q[0][0], q[0]
c = out[("conflicts", ())][1][0]
assert (c["id"], c["loser_value"], c["winner_value"], c["decision"]) == (1, "20", "10", "open"), c
assert out[("conflicts", ())][0][0].split("\t")[-3:] == ["не решён", "-", "-"], out[("conflicts", ())][0]
tok = {r["kind"]: r for r in out[("token", ())][1]}
assert tok["curator"]["schools"] == ["170103", "170104"] and tok["school"]["used_by"] is None, tok
assert any(l.split("\t")[1] == "куратор" and "170103, 170104" in l for l in out[("token", ())][0])
keys = out[("keys", ())][1]
assert [k["state"] for k in keys] == ["current", "previous"] and keys[0]["id"] != keys[1]["id"], keys
assert out[("keys", ())][0][0].endswith("\tтекущий") and \
    out[("keys", ())][0][1].endswith("\tпрежний (принимается)"), out[("keys", ())][0]
sch = {r["code"]: r for r in out[("schools", ())][1]}
assert sch["170103"] == {"code": "170103", "name": "МБОУ СОШ № 3", "devices": 1, "records": 0}, sch
assert sch["170104"]["name"] is None, sch
assert out[("schools", ())][0][1] == "170104\t-\t0\t0", out[("schools", ())][0]
pr = out[("programmes", ())]
assert pr[1] == [{"school": "170103", "year": 2026, "programmes": ["shnor", "p500"]},
                 {"school": "170104", "year": 2025, "programmes": ["shans"]}], pr[1]
assert pr[0] == ["170103\t2026\tШНОР, 500+", "170104\t2025\tШАНС"], pr[0]
assert out[("programmes", ("--year", "2025"))][1][0]["school"] == "170104"
f = out[("forms", ())][1][0]
assert (f["id"], f["version"], len(f["sha256"])) == ("test", 2, 64), f
print("ok: %d listings, table and JSON, typed" % len(spec))
PY
echo PASS
