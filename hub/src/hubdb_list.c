/*
 * hubdb_list — the store's listings (hubdb.h): one query per listing and,
 * beside it, what each of its columns is — JSON key, Russian header, type.
 * The type is declared here, not read from SQLite's value, because SQLite
 * types values, not columns: a column of times can hold NULL, a count
 * computed by coalesce() is an integer only by our word.
 */
#include <string.h>

#include "hubdb_impl.h"

#define HUBDB_LIST_COLS_MAX 16

/* What a listing's column is; its position is the query's column. */
struct hubdb_col_def {
	const char *key, *header;
	enum hubdb_col_type type;
};

struct hubdb_listing_def {
	const char *sql;
	struct hubdb_col_def cols[HUBDB_LIST_COLS_MAX];
	const char *sql_pg;           /* PostgreSQL's, where its functions differ */
};

/* Times stored as seconds are shown as the stored ISO texts are (hubdb_now_iso). */
#define HUBDB_ISO(x) "strftime('%Y-%m-%dT%H:%M:%SZ', " x ", 'unixepoch')"
#define HUBDB_ISO_PG(x) "to_char(to_timestamp(" x ") AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const struct hubdb_listing_def hubdb_listings[] = {
	[HUBDB_LIST_DEVICES] = {
		"SELECT id, kind, label, schools, enrolled_at, "
		"CASE WHEN revoked_at IS NULL THEN 'active' ELSE 'revoked' END, "
		"revoked_at, watermark, last_seen_at, coalesce((SELECT dropped FROM "
		"quarantine_dropped q WHERE q.device_id = devices.id), 0), "
		/* what the device has pulled: its cursor, how far the feed went
		 * past it (positions, all schools'), when it last acknowledged */
		"pull_acked, coalesce((SELECT pos FROM feed_head), 0) - pull_acked, "
		"pull_at, box_pk IS NOT NULL FROM devices ORDER BY enrolled_at, id",
		{ { "id", "Устройство", HUBDB_COL_TEXT },
		  { "kind", "Вид", HUBDB_COL_TEXT },
		  { "label", "Название", HUBDB_COL_TEXT },
		  { "schools", "Школы", HUBDB_COL_LIST },
		  { "enrolled_at", "Подключено", HUBDB_COL_TEXT },
		  { "status", "Состояние", HUBDB_COL_TEXT },
		  { "revoked_at", "Отозвано", HUBDB_COL_TEXT },
		  { "watermark", "Последний набор", HUBDB_COL_INT },
		  { "last_seen_at", "Последний обмен", HUBDB_COL_TEXT },
		  { "quarantine_dropped", "Отброшено в карантине", HUBDB_COL_INT },
		  { "pull_acked", "Получены изменения до", HUBDB_COL_INT },
		  { "pull_lag", "Отстаёт на", HUBDB_COL_INT },
		  { "pull_at", "Получало изменения", HUBDB_COL_TEXT },
		  { "box_key", "Ключ для изменений", HUBDB_COL_BOOL } },
		NULL,
	},
	[HUBDB_LIST_CONFLICTS] = {
		"SELECT id, lower(hex(record_id)), form_id, school, field, loser_value, "
		"loser_hlc, loser_device, winner_value, winner_hlc, winner_device, logged_at, "
		"coalesce(d.choice, 'open'), d.login, d.decided_at FROM conflicts "
		"LEFT JOIN conflict_decisions d ON d.conflict_id = conflicts.id ORDER BY id",
		/* the values are the fields' JSON texts as the devices sent them */
		{ { "id", "№", HUBDB_COL_INT },
		  { "record_id", "Запись", HUBDB_COL_TEXT },
		  { "form_id", "Форма", HUBDB_COL_TEXT },
		  { "school", "Школа", HUBDB_COL_TEXT },
		  { "field", "Поле", HUBDB_COL_TEXT },
		  { "loser_value", "Отклонённое значение", HUBDB_COL_TEXT },
		  { "loser_hlc", "Время отклонённого", HUBDB_COL_TEXT },
		  { "loser_device", "Устройство отклонённого", HUBDB_COL_TEXT },
		  { "winner_value", "Принятое значение", HUBDB_COL_TEXT },
		  { "winner_hlc", "Время принятого", HUBDB_COL_TEXT },
		  { "winner_device", "Устройство принятого", HUBDB_COL_TEXT },
		  { "logged_at", "Записан", HUBDB_COL_TEXT },
		  { "decision", "Решение", HUBDB_COL_TEXT },
		  { "decided_by", "Кто решил", HUBDB_COL_TEXT },
		  { "decided_at", "Когда решено", HUBDB_COL_TEXT } },
		"SELECT id, encode(record_id, 'hex'), form_id, school, field, loser_value, "
		"loser_hlc, loser_device, winner_value, winner_hlc, winner_device, logged_at, "
		"coalesce(d.choice, 'open'), d.login, d.decided_at FROM conflicts "
		"LEFT JOIN conflict_decisions d ON d.conflict_id = conflicts.id ORDER BY id",
	},
	[HUBDB_LIST_QUARANTINE] = {
		"SELECT id, device_id, first_seq, last_seq, kind, reason, received_at "
		"FROM quarantine ORDER BY id",
		{ { "id", "№", HUBDB_COL_INT },
		  { "device_id", "Устройство", HUBDB_COL_TEXT },
		  { "first_seq", "Первый номер", HUBDB_COL_INT },
		  { "last_seq", "Последний номер", HUBDB_COL_INT },
		  { "kind", "Вид", HUBDB_COL_TEXT },
		  { "reason", "Причина", HUBDB_COL_TEXT },
		  { "received_at", "Получен", HUBDB_COL_TEXT } },
		NULL,
	},
	[HUBDB_LIST_FORMS] = {
		"SELECT id, version, sha256, published_at FROM hub_forms ORDER BY id, version",
		{ { "id", "Форма", HUBDB_COL_TEXT },
		  { "version", "Версия", HUBDB_COL_INT },
		  { "sha256", "SHA-256", HUBDB_COL_TEXT },
		  { "published_at", "Опубликована", HUBDB_COL_TEXT } },
		NULL,
	},
	[HUBDB_LIST_TOKENS] = {
		/* the hash's first bytes tell tokens apart; the token itself is not kept */
		"SELECT lower(hex(substr(hash, 1, 4))), kind, name, schools, created_at, "
		HUBDB_ISO("expires_at") ", used_by, used_at FROM tokens ORDER BY created_at",
		{ { "hash", "Код (начало хеша)", HUBDB_COL_TEXT },
		  { "kind", "Вид", HUBDB_COL_TEXT },
		  { "name", "Для кого", HUBDB_COL_TEXT },
		  { "schools", "Школы", HUBDB_COL_LIST },
		  { "created_at", "Создан", HUBDB_COL_TEXT },
		  { "expires_at", "Действует до", HUBDB_COL_TEXT },
		  { "used_by", "Использован устройством", HUBDB_COL_TEXT },
		  { "used_at", "Использован", HUBDB_COL_TEXT } },
		"SELECT encode(substring(hash from 1 for 4), 'hex'), kind, name, schools, "
		"created_at, " HUBDB_ISO_PG("expires_at") ", used_by, used_at FROM tokens "
		"ORDER BY created_at",
	},
	[HUBDB_LIST_QUARANTINE_FULL] = {
		"SELECT device_id, dropped, last_at FROM quarantine_dropped WHERE dropped > 0 "
		"ORDER BY device_id",
		{ { "device_id", "Устройство", HUBDB_COL_TEXT },
		  { "dropped", "Отброшено наборов", HUBDB_COL_INT },
		  { "last_at", "Последний отброшен", HUBDB_COL_TEXT } },
		NULL,
	},
	[HUBDB_LIST_SCHOOLS] = {
		/* a device's schools are a stored comma list without spaces
		 * (tetrad/school.h); one pass over the records, not one per school */
		"SELECT s.code, nullif(s.name, ''), (SELECT count(*) FROM devices d "
		"WHERE d.revoked_at IS NULL AND "
		"instr(',' || d.schools || ',', ',' || s.code || ',') > 0), coalesce(r.n, 0) "
		"FROM schools s LEFT JOIN (SELECT school, count(*) AS n FROM hub_records "
		"WHERE deleted = 0 GROUP BY school) r ON r.school = s.code ORDER BY s.code",
		{ { "code", "Код ОО", HUBDB_COL_TEXT },
		  { "name", "Наименование", HUBDB_COL_TEXT },
		  { "devices", "Устройств", HUBDB_COL_INT },
		  { "records", "Записей", HUBDB_COL_INT } },
		"SELECT s.code, nullif(s.name, ''), (SELECT count(*) FROM devices d "
		"WHERE d.revoked_at IS NULL AND "
		"strpos(',' || d.schools || ',', ',' || s.code || ',') > 0), coalesce(r.n, 0) "
		"FROM schools s LEFT JOIN (SELECT school, count(*) AS n FROM hub_records "
		"WHERE deleted = 0 GROUP BY school) r ON r.school = s.code ORDER BY s.code",
	},
	[HUBDB_LIST_PROGRAMMES] = {
		/* the order within a school's year is programmes.c's to give */
		"SELECT school, year, group_concat(programme, ',') FROM programmes "
		"GROUP BY school, year ORDER BY school, year",
		{ { "school", "Код ОО", HUBDB_COL_TEXT },
		  { "year", "Год", HUBDB_COL_INT },
		  { "programmes", "Программы", HUBDB_COL_LIST } },
		"SELECT school, year, string_agg(programme, ',') FROM programmes "
		"GROUP BY school, year ORDER BY school, year",
	},
	[HUBDB_LIST_USERS] = {
		/* never the hash; a lock is shown while it lasts */
		"SELECT login, role, school, CASE WHEN disabled_at IS NOT NULL THEN 'disabled' "
		"WHEN locked_until > CAST(strftime('%s', 'now') AS INTEGER) THEN 'locked' "
		"ELSE 'active' END, fail_n, created_at, changed_at, (SELECT count(*) FROM "
		"web_sessions s WHERE s.login = web_users.login) FROM web_users ORDER BY login",
		{ { "login", "Логин", HUBDB_COL_TEXT },
		  { "role", "Роль", HUBDB_COL_TEXT },
		  { "school", "Школа", HUBDB_COL_TEXT },
		  { "status", "Состояние", HUBDB_COL_TEXT },
		  { "failed_logins", "Неудачных входов подряд", HUBDB_COL_INT },
		  { "created_at", "Создана", HUBDB_COL_TEXT },
		  { "password_changed_at", "Пароль задан", HUBDB_COL_TEXT },
		  { "sessions", "Открытых сеансов", HUBDB_COL_INT } },
		"SELECT login, role, school, CASE WHEN disabled_at IS NOT NULL THEN 'disabled' "
		"WHEN locked_until > CAST(extract(epoch FROM now()) AS BIGINT) THEN 'locked' "
		"ELSE 'active' END, fail_n, created_at, changed_at, (SELECT count(*) FROM "
		"web_sessions s WHERE s.login = web_users.login) FROM web_users ORDER BY login",
	},
	[HUBDB_LIST_AUDIT] = {
		"SELECT id, at, login, addr, action, object, outcome FROM web_audit "
		"ORDER BY id DESC",
		{ { "id", "№", HUBDB_COL_INT },
		  { "at", "Когда", HUBDB_COL_TEXT },
		  { "login", "Кто", HUBDB_COL_TEXT },
		  { "addr", "Откуда", HUBDB_COL_TEXT },
		  { "action", "Действие", HUBDB_COL_TEXT },
		  { "object", "Объект", HUBDB_COL_TEXT },
		  { "outcome", "Итог", HUBDB_COL_TEXT } },
		NULL,
	},
};

/*
 * Stored codes in a table for people are words (JSON keeps the codes:
 * scripts compare them; the command line and the dashboard show the words). By column key, since a key means one thing in
 * every listing; a code not here is shown as it is, escaped.
 */
static const struct {
	const char *key, *code, *word;
} hubdb_list_words[] = {
	{ "kind", "school", "школа" },
	{ "kind", "curator", "куратор" },
	{ "kind", "fork", "развилка" },
	{ "kind", "refused", "отклонён" },
	{ "kind", "malformed", "повреждён" },
	{ "kind", "future_hlc", "время из будущего" },
	{ "status", "active", "действует" },
	{ "status", "revoked", "отозвано" },
	{ "status", "disabled", "заблокирована" },
	{ "status", "locked", "вход отложен" },
	{ "role", "admin", "администратор" },
	{ "role", "coordinator", "координатор" },
	{ "role", "school", "школа" },
	{ "outcome", "ok", "успешно" },
	{ "outcome", "refused", "отказано" },
	{ "outcome", "failed", "ошибка" },
	{ "action", "login", "вход" },
	{ "action", "login_failed", "неудачный вход" },
	{ "action", "login_locked", "вход при блокировке" },
	{ "action", "login_throttled", "вход с адреса под ограничением" },
	{ "action", "logout", "выход" },
	{ "action", "password_change", "смена своего пароля" },
	{ "action", "csrf_refused", "форма без верного токена" },
	{ "action", "forbidden", "попытка открыть чужое" },
	{ "action", "view", "просмотр" },
	{ "action", "download", "выгрузка" },
	{ "action", "token_create", "выдан код регистрации" },
	{ "action", "enroll_file", "скачан файл подключения" },
	{ "action", "device_revoke", "устройство отозвано" },
	{ "decision", "open", "не решён" },
	{ "decision", "kept", "оставлено принятое" },
	{ "decision", "taken", "взято отклонённое" },
	{ "action", "conflict_keep", "решение по конфликту: оставить принятое" },
	{ "action", "conflict_take", "решение по конфликту: взять отклонённое" },
	{ "programmes", "shnor", "ШНОР" },
	{ "programmes", "shnsu", "ШНСУ" },
	{ "programmes", "p500", "500+" },
	{ "programmes", "shans", "ШАНС" },
	{ "programmes", "partner", "школа-партнёр" },
	{ "action", "user_add", "создание учётной записи" },
	{ "action", "user_passwd", "новый пароль учётной записи" },
	{ "action", "user_disable", "блокировка учётной записи" },
	{ "action", "user_enable", "разблокировка учётной записи" },
	{ "action", "school_add", "запись школы в реестр" },
	{ "action", "programme_set", "включение школы в программу" },
	{ "action", "programme_unset", "снятие школы с программы" },
	{ "action", "form_publish", "публикация формы" },
	{ "state", "current", "текущий" },
	{ "state", "previous", "прежний (принимается)" },
};

const char *
hubdb_list_word(const char *key, const char *code)
{
	for (size_t i = 0; i < sizeof(hubdb_list_words) / sizeof(hubdb_list_words[0]); i++)
		if (strcmp(hubdb_list_words[i].key, key) == 0 &&
		    strcmp(hubdb_list_words[i].code, code) == 0)
			return hubdb_list_words[i].word;
	return code;
}

#define HUBDB_LISTINGS_N (sizeof(hubdb_listings) / sizeof(hubdb_listings[0]))

/* One value of a row as its column's type says; NULL stays none. */
static void
hubdb_list_value(struct hsql_stmt *st, int i, const struct hubdb_col_def *d, struct hubdb_col *c)
{
	c->key = d->key;
	c->header = d->header;
	c->i = 0;
	c->s = NULL;
	c->type = hsql_column_type(st, i) == HSQL_NULL ? HUBDB_COL_NULL : d->type;
	if (c->type == HUBDB_COL_INT || c->type == HUBDB_COL_BOOL)
		c->i = hsql_column_int64(st, i);
	else if (c->type != HUBDB_COL_NULL)
		c->s = (const char *)hsql_column_text(st, i);
	if (c->type == HUBDB_COL_BOOL)
		c->i = c->i != 0;
	/* text that is not there (out of memory in SQLite) is shown as none */
	if ((c->type == HUBDB_COL_TEXT || c->type == HUBDB_COL_LIST) && c->s == NULL)
		c->type = HUBDB_COL_NULL;
}

int
hubdb_list(struct hubdb *db, enum hubdb_listing what, hubdb_row_cb cb,
    void *ctx, struct terr *e)
{
	const struct hubdb_listing_def *def;
	struct hubdb_col cols[HUBDB_LIST_COLS_MAX];
	struct hsql_stmt *st = NULL;
	size_t n = 0;
	int rc, r = 0;

	if ((int)what < HUBDB_LIST_DEVICES || (size_t)what >= HUBDB_LISTINGS_N)
		return terr_set(e, TERR_ARG, "неизвестный список");
	def = &hubdb_listings[what];
	while (n < HUBDB_LIST_COLS_MAX && def->cols[n].key != NULL)
		n++;
	if (hsql_prepare(db->db, db->pg && def->sql_pg ? def->sql_pg : def->sql, 0, &st) !=
	    HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение списка");
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		/* a query and its column table that drifted apart is a bug, said
		 * plainly (PostgreSQL tells the columns once the query ran) */
		if ((size_t)hsql_column_count(st) != n) {
			r = terr_set(e, TERR_INTERNAL, "список %d: в запросе %d столбцов, описано %zu",
			    (int)what, hsql_column_count(st), n);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			hubdb_list_value(st, (int)i, &def->cols[i], &cols[i]);
		if ((r = cb(ctx, n, cols)) != 0)
			goto out;
	}
	if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение списка");
 out:
	hsql_finalize(st);
	return r;
}

size_t
hubdb_list_cols(enum hubdb_listing what, struct hubdb_col *cols, size_t cap)
{
	const struct hubdb_listing_def *def;
	size_t n = 0;

	if ((int)what < HUBDB_LIST_DEVICES || (size_t)what >= HUBDB_LISTINGS_N)
		return 0;
	def = &hubdb_listings[what];
	for (; n < cap && n < HUBDB_LIST_COLS_MAX && def->cols[n].key != NULL; n++) {
		memset(&cols[n], 0, sizeof(cols[n]));
		cols[n].key = def->cols[n].key;
		cols[n].header = def->cols[n].header;
		cols[n].type = def->cols[n].type;
	}
	return n;
}

const struct hubdb_col *
hubdb_col_find(size_t ncols, const struct hubdb_col *cols, const char *key)
{
	for (size_t i = 0; i < ncols; i++)
		if (strcmp(cols[i].key, key) == 0)
			return &cols[i];
	return NULL;
}
