/*
 * passin — a secret from a file's first line or from the terminal with echo
 * off (tetrad/passin.h). The buffers are sodium_malloc'd and
 * wiped; the terminal is put back as it was whatever ends the read.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "tetrad/fileio.h"

#include "tetrad/passin.h"


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

/* A session on the controlling terminal: echo off and the signals caught
 * from passin_tty_open to passin_tty_close. */
static const int passin_sigs[] = { SIGINT, SIGHUP, SIGTERM, SIGQUIT };
#define PASSIN_NSIGS (sizeof(passin_sigs) / sizeof(passin_sigs[0]))

struct passin_tty {
	int fd;
	struct termios old, quiet;
	struct sigaction old_sa[PASSIN_NSIGS], old_tstp;
	bool reported;          /* a caught signal already ended a read/pause */
};

int
passin_tty_open(struct passin_tty **out, struct terr *e)
{
	struct passin_tty *t;
	struct sigaction sa;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	if ((t->fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		free(t);
		return terr_set(e, TERR_IO, "Нет терминала, чтобы спросить пароль: "
		    "укажите --passphrase-file.");
	}
	if (tcgetattr(t->fd, &t->old) != 0) {
		int r = terr_set(e, TERR_IO, "Терминал не настраивается (%s): укажите "
		    "--passphrase-file.", terr_strerror(errno));

		close(t->fd);
		free(t);
		return r;
	}
	/* the handlers first, then echo off: a Ctrl+C at any point from here
	 * comes back through passin_tty_close */
	passin_stop = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = passin_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	for (size_t i = 0; i < PASSIN_NSIGS; i++)
		(void)sigaction(passin_sigs[i], &sa, &t->old_sa[i]);
	/* Ctrl+Z would leave a stopped program's terminal without echo */
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGTSTP, &sa, &t->old_tstp);
	t->quiet = t->old;
	t->quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	t->quiet.c_lflag |= ICANON | ISIG;
	/* TCSAFLUSH: what was typed before is dropped, never taken as an answer */
	if (tcsetattr(t->fd, TCSAFLUSH, &t->quiet) != 0) {
		int r = terr_set(e, TERR_IO, "Терминал не настраивается (%s): укажите "
		    "--passphrase-file.", terr_strerror(errno));

		passin_tty_close(t);
		return r;
	}
	*out = t;
	return 0;
}

void
passin_tty_close(struct passin_tty *t)
{
	int sig;

	if (t == NULL)
		return;
	/* typed while echo was off (during a check): dropped, not left for the
	 * next question to read */
	(void)tcsetattr(t->fd, TCSAFLUSH, &t->old);
	for (size_t i = 0; i < PASSIN_NSIGS; i++)
		(void)sigaction(passin_sigs[i], &t->old_sa[i], NULL);
	(void)sigaction(SIGTSTP, &t->old_tstp, NULL);
	close(t->fd);
	sig = passin_stop;
	passin_stop = 0;
	/* a Ctrl+C while a passphrase was checked: the terminal is back, the
	 * signal does now what it would have done */
	if (sig != 0 && !t->reported) {
		free(t);
		(void)raise(sig);
		return;
	}
	free(t);
}

int
passin_tty_pause(struct passin_tty *t, unsigned ms, struct terr *e)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
	    .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (!passin_stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	if (passin_stop) {
		t->reported = true;
		return terr_set(e, TERR_PASSPHRASE, "Ввод пароля прерван.");
	}
	return 0;
}

int
passin_tty_read(struct passin_tty *t, const char *prompt, bool echo,
    char **out, size_t *len, struct terr *e)
{
	struct termios show;
	char *buf = NULL, c;
	size_t n = 0;
	bool over = false, ended = false;
	int r;

	*out = NULL;
	*len = 0;
	if ((buf = passin_alloc()) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	/* anything typed before the question (during a wait or a check) is
	 * not its answer */
	(void)tcflush(t->fd, TCIFLUSH);
	if (echo) {
		show = t->quiet;
		show.c_lflag |= ECHO | ECHOE | ECHOK;
		(void)tcsetattr(t->fd, TCSANOW, &show);
	}
	passin_write(t->fd, prompt);
	for (;;) {
		ssize_t k;

		if (passin_stop)
			break;
		k = read(t->fd, &c, 1);
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
	if (echo)
		(void)tcsetattr(t->fd, TCSANOW, &t->quiet);
	else
		passin_write(t->fd, "\n");   /* the Enter was not echoed */
	if (passin_stop || ended) {
		t->reported = true;
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
	passin_free(buf);
	return r;
}

int
passin_tty(const char *prompt, char **out, size_t *len, struct terr *e)
{
	struct passin_tty *t = NULL;
	int r;

	*out = NULL;
	*len = 0;
	if ((r = passin_tty_open(&t, e)) != 0)
		return r;
	r = passin_tty_read(t, prompt, false, out, len, e);
	passin_tty_close(t);
	return r;
}
