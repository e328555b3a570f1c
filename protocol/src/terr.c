/*
 * terr — error codes and messages of libtetrad-protocol.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tetrad/terr.h"

struct terr_entry {
	int code;
	const char *name;
	const char *text;
};

static const struct terr_entry terr_table[] = {
	{ TERR_OK, "TERR_OK", "успешно" },
	{ TERR_INTERNAL, "TERR_INTERNAL", "внутренняя ошибка программы" },
	{ TERR_NOMEM, "TERR_NOMEM", "недостаточно памяти" },
	{ TERR_ARG, "TERR_ARG", "недопустимый аргумент" },
	{ TERR_TOO_LARGE, "TERR_TOO_LARGE", "превышен допустимый размер" },
	{ TERR_TRUNCATED, "TERR_TRUNCATED", "данные обрезаны" },
	{ TERR_TRAILING, "TERR_TRAILING", "лишние данные в конце" },
	{ TERR_MAGIC, "TERR_MAGIC", "это не файл или пакет Tetrad" },
	{ TERR_VERSION, "TERR_VERSION", "неподдерживаемая версия формата" },
	{ TERR_HEADER, "TERR_HEADER", "повреждён заголовок" },
	{ TERR_HUB_KEY, "TERR_HUB_KEY", "пакет зашифрован для другого хаба" },
	{ TERR_DEVICE_KEY, "TERR_DEVICE_KEY", "ключ устройства не совпадает" },
	{ TERR_SIGNATURE, "TERR_SIGNATURE", "подпись неверна" },
	{ TERR_DECRYPT, "TERR_DECRYPT", "не удалось расшифровать: данные изменены или ключ неверен" },
	{ TERR_DECOMPRESS, "TERR_DECOMPRESS", "повреждены сжатые данные" },
	{ TERR_PARSE, "TERR_PARSE", "ошибка разбора данных" },
	{ TERR_DEPTH, "TERR_DEPTH", "слишком глубокая вложенность" },
	{ TERR_UTF8, "TERR_UTF8", "текст не в кодировке UTF-8" },
	{ TERR_SCHEMA, "TERR_SCHEMA", "нарушена структура данных" },
	{ TERR_MISMATCH, "TERR_MISMATCH", "заголовок и содержимое не совпадают" },
	{ TERR_COUNT, "TERR_COUNT", "недопустимое число операций" },
	{ TERR_CLOCK, "TERR_CLOCK", "недопустимая метка времени" },
	{ TERR_KEYFILE, "TERR_KEYFILE", "файл ключа повреждён или недоступен" },
	{ TERR_PASSPHRASE, "TERR_PASSPHRASE", "неверная или отсутствующая парольная фраза" },
	{ TERR_IO, "TERR_IO", "ошибка чтения или записи файла" },
	{ TERR_CRYPTO, "TERR_CRYPTO", "ошибка криптографической библиотеки" },
	{ TERR_FORM, "TERR_FORM", "ошибка в описании формы" },
	{ TERR_INVALID, "TERR_INVALID", "данные не прошли проверку" },
	{ TERR_KIND, "TERR_KIND", "сообщение неожиданного типа" },
	{ TERR_FULL, "TERR_FULL", "нет места на диске" },
	{ TERR_BUSY, "TERR_BUSY", "хранилище занято, повторите позже" },
	{ TERR_NOTFOUND, "TERR_NOTFOUND", "не найдено" },
	{ TERR_REPLAY, "TERR_REPLAY", "повтор старого сообщения" },
	{ TERR_ORDER, "TERR_ORDER", "сообщения пришли не по порядку" },
};

static const struct terr_entry *
terr_find(int code)
{
	for (size_t i = 0; i < sizeof(terr_table) / sizeof(terr_table[0]); i++)
		if (terr_table[i].code == code)
			return &terr_table[i];
	return NULL;
}

const char *
terr_str(int code)
{
	const struct terr_entry *t = terr_find(code);

	return t ? t->text : "неизвестная ошибка";
}

const char *
terr_name(int code)
{
	const struct terr_entry *t = terr_find(code);

	return t ? t->name : "TERR_UNKNOWN";
}

int
terr_set(struct terr *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	if (fmt == NULL) {
		snprintf(e->msg, sizeof(e->msg), "%s", terr_str(code));
		return code;
	}
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	terr_utf8_trim(e->msg);
	return code;
}

void
terr_clear(struct terr *e)
{
	if (e == NULL)
		return;
	e->code = TERR_OK;
	e->msg[0] = '\0';
}

void
terr_utf8_trim(char *s)
{
	size_t n = strlen(s), i, need;
	unsigned char c;

	if (n == 0)
		return;
	/* walk back over continuation bytes to the last lead byte */
	i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (i == 0) {
		s[0] = '\0';
		return;
	}
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

const char *
terr_strerror(int errnum)
{
	switch (errnum) {
	case ENOENT: return "нет такого файла или папки";
	case ENOTDIR: return "в пути есть файл там, где должна быть папка";
	case EISDIR: return "это папка, а не файл";
	case EACCES: case EPERM: return "нет прав доступа";
	case EROFS: return "диск доступен только для чтения";
	case ENOSPC: return "на диске нет места";
#ifdef EDQUOT
	case EDQUOT: return "превышена квота на диске";
#endif
	case EEXIST: return "файл уже существует";
	case ENAMETOOLONG: return "слишком длинный путь";
	case ELOOP: return "слишком много символических ссылок в пути";
	case EMFILE: case ENFILE: return "открыто слишком много файлов";
	case EBUSY: return "файл занят";
	case EIO: return "ошибка чтения или записи диска";
	case ENOMEM: return "недостаточно памяти";
	case EFBIG: return "файл слишком большой";
	case EXDEV: return "файл нельзя перенести на другой диск";
	case EINVAL: return "недопустимый параметр";
	case EINTR: return "прервано сигналом";
	default: return "системная ошибка";
	}
}
