/*
 * passin — a secret from a file's first line or from the terminal with echo
 * off (client/include/client/passin.h). The buffers are sodium_malloc'd and
 * wiped; the terminal is put back as it was whatever ends the read.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "tetrad/fileio.h"

#include "client/passin.h"

_Static_assert(PASSIN_MAX == FILEIO_PASSPHRASE_MAX,
    "a passphrase file's line is the vault's passphrase");

/*
 * Set by the handler of SIGINT, SIGHUP and SIGTERM while the terminal's echo
 * is off: the read returns (no SA_RESTART), the settings are restored by the
 * normal path. A signal handler can safely write nothing but such a flag.
 */
static volatile sig_atomic_t passin_stop;

static void
passin_on_signal(int sig)
{
	passin_stop = sig;
}

/* A buffer for a secret and its NUL: PASSIN_MAX + 2 bytes (one more to see
 * a line that is too long). */
static char *
passin_alloc(void)
{
	char *p;

	if (sodium_init() < 0)
		return NULL;
	if ((p = sodium_malloc(PASSIN_MAX + 2)) != NULL)
		sodium_memzero(p, PASSIN_MAX + 2);
	return p;
}

void
passin_free(char *secret)
{
	if (secret != NULL)
		sodium_free(secret);   /* wipes before it frees */
}

int
passin_file(const char *path, char **out, size_t *len, struct terr *e)
{
	char *buf = NULL;
	int r;

	*out = NULL;
	*len = 0;
	if ((buf = passin_alloc()) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	/* the same reader (and the same refusal of a file others may read) as
	 * tetrad-syncd's and the hub's passphrase files */
	if ((r = fileio_read_passphrase(path, buf, PASSIN_MAX + 1, e)) != 0) {
		passin_free(buf);
		return r;
	}
	*out = buf;
	*len = strlen(buf);
	return 0;
}

bool
passin_tty_available(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void
passin_write(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t k = write(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

int
passin_tty(const char *prompt, char **out, size_t *len, struct terr *e)
{
	static const int sigs[] = { SIGINT, SIGHUP, SIGTERM, SIGQUIT };
	struct sigaction sa, old_sa[sizeof(sigs) / sizeof(sigs[0])], old_tstp;
	struct termios old, quiet;
	char *buf = NULL, c;
	size_t n = 0;
	bool over = false, restore = false, ended = false;
	int fd, r;

	*out = NULL;
	*len = 0;
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return terr_set(e, TERR_IO, "Нет терминала, чтобы спросить пароль: "
		    "укажите --passphrase-file.");
	if ((buf = passin_alloc()) == NULL) {
		close(fd);
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	}
	if (tcgetattr(fd, &old) != 0) {
		r = terr_set(e, TERR_IO, "Терминал не настраивается (%s): укажите "
		    "--passphrase-file.", terr_strerror(errno));
		goto out;
	}
	/* the handlers first, then echo off: a Ctrl+C at any point from here
	 * comes back through the restore below */
	passin_stop = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = passin_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, &old_sa[i]);
	/* Ctrl+Z would leave a stopped program's terminal without echo */
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGTSTP, &sa, &old_tstp);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	quiet.c_lflag |= ICANON | ISIG;
	restore = true;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		r = terr_set(e, TERR_IO, "Терминал не настраивается (%s): укажите "
		    "--passphrase-file.", terr_strerror(errno));
		goto out;
	}
	passin_write(fd, prompt);
	for (;;) {
		ssize_t k;

		if (passin_stop)
			break;
		k = read(fd, &c, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			ended = true;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (n < PASSIN_MAX)
			buf[n++] = c;
		else
			over = true;
	}
	c = 0;
	buf[n] = '\0';
	if (passin_stop || ended) {
		r = terr_set(e, TERR_PASSPHRASE, "Ввод пароля прерван.");
		goto out;
	}
	if (over) {
		r = terr_set(e, TERR_ARG, "Пароль длиннее %d байт.", PASSIN_MAX);
		goto out;
	}
	*out = buf;
	*len = n;
	buf = NULL;
	r = 0;
 out:
	if (restore) {
		(void)tcsetattr(fd, TCSADRAIN, &old);
		/* the Enter was not echoed: end the prompt's line */
		passin_write(fd, "\n");
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			(void)sigaction(sigs[i], &old_sa[i], NULL);
		(void)sigaction(SIGTSTP, &old_tstp, NULL);
	}
	passin_free(buf);
	close(fd);
	return r;
}
