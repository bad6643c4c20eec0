/*
 * The integration-test harness (see harness.h): a database per test on
 * the run's PostgreSQL cluster, the Python mail catcher, pald daemons
 * with generated configurations, the real `pal` client and raw HTTP, all
 * as children of the Criterion worker that runs the test, plus a report
 * hook that prints the daemons' logs of a test that failed.
 *
 * It deliberately does not start PostgreSQL (tests/run.sh does, once per
 * run), does not parse mail (smtpd.py does, with Python's email package)
 * and does not retry a test: a flaky server is a failure to look at.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "xmalloc.h"

#define PYTHON		"/usr/bin/python3"
#define MAX_CHILDREN	64
#define LOG_TAIL_LINES	200
#define SMTP_TAIL_LINES	50

extern char **environ;

static bool	 harness_ready;
static void	**arena;		/* test-lived allocations */
static size_t	 arena_len, arena_cap;
static pid_t	 children[MAX_CHILDREN];	/* long-lived: pald, smtpd */
static char	 test_dir[H_PATH_MAX];
static int	 pald_instances, smtp_instances, db_counter;

/*
 * Process-wide state. A Criterion worker runs one test and exits, so
 * "test-lived" and "process-lived" are the same thing here.
 */

static void
harness_atexit(void)
{
	size_t i;
	int status;

	/* A test that forgot to stop a server must not leave it running. */
	for (i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], &status, 0);
			children[i] = 0;
		}
	}
	for (i = 0; i < arena_len; i++)
		free(arena[i]);
	free(arena);
	arena = NULL;
	arena_len = arena_cap = 0;
	curl_global_cleanup();
}

static void
harness_init(void)
{
	if (harness_ready)
		return;
	harness_ready = true;
	/* Writes to a child's stdin that exited must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	atexit(harness_atexit);
}

/*
 * The buffer's text, owned by the caller; b is left released. buf_steal
 * alone leaves b holding a fresh allocation, which a caller that drops
 * b would leak.
 */
static char *
harness_buf_take(struct buf *b)
{
	char *p = buf_steal(b);

	buf_cleanup(b);
	return p;
}

static void *
harness_keep(void *p)
{
	harness_init();
	if (arena_len == arena_cap) {
		arena_cap = arena_cap ? arena_cap * 2 : 64;
		arena = xrealloc(arena, arena_cap * sizeof(*arena));
	}
	arena[arena_len++] = p;
	return p;
}

static const char *
harness_keep_str(const char *s, size_t len)
{
	return harness_keep(xstrndup(s, len));
}

static void
harness_child_add(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_CHILDREN; i++) {
		if (children[i] == 0) {
			children[i] = pid;
			return;
		}
	}
	kill(pid, SIGKILL);
	cr_assert_fail("harness: more than %d servers in one test",
	    MAX_CHILDREN);
}

static void
harness_child_remove(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

static const char *
harness_env(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v != NULL && v[0] != '\0',
	    "%s is not set: run the tests through tests/run.sh", name);
	return v;
}

/* Keeps [A-Za-z0-9_-] of s and turns the rest into '_'. */
static void
harness_sanitize(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (isalnum(c) || c == '_' || c == '-') ? (char)c : '_';
	}
	out[i] = '\0';
}

/* The directory of a test, as both the worker and the report hook see
 * it; false if it does not fit. */
static bool
harness_test_dir_of(char *out, size_t size, const char *tmp,
    const char *suite, const char *name)
{
	char s[128], n[192];
	int len;

	harness_sanitize(s, sizeof(s), suite);
	harness_sanitize(n, sizeof(n), name);
	len = snprintf(out, size, "%s/%s.%s", tmp, s, n);
	return len > 0 && (size_t)len < size;
}

static void
harness_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	cr_assert(len < size, "harness: path too long: %s", src);
	memcpy(dst, src, len + 1);
}

static void
harness_mkdir(const char *path)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		cr_assert_fail("harness: could not create %s: %s", path,
		    strerror(errno));
}

/*
 * Files and time.
 */

const char *
h_test_dir(void)
{
	harness_init();
	if (test_dir[0] == '\0') {
		cr_assert(criterion_current_test != NULL,
		    "h_test_dir: not inside a test");
		cr_assert(harness_test_dir_of(test_dir, sizeof(test_dir),
		    harness_env("PALD_TEST_TMP"),
		    criterion_current_test->category,
		    criterion_current_test->name),
		    "harness: test directory name too long");
		harness_mkdir(test_dir);
	}
	return test_dir;
}

const char *
h_path(const char *name)
{
	return h_strf("%s/%s", h_test_dir(), name);
}

const char *
h_strf(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return harness_keep(harness_buf_take(&b));
}

char *
h_read_file(const char *path, size_t *len)
{
	struct buf b;
	char chunk[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			buf_cleanup(&b);
			return NULL;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	if (len != NULL)
		*len = b.len;
	return harness_buf_take(&b);
}

void
h_write_file(const char *path, const void *data, size_t len)
{
	const char *tmp = h_strf("%s.tmp.%d", path, (int)getpid());
	FILE *f;

	f = fopen(tmp, "wb");
	cr_assert(f != NULL, "harness: could not create %s: %s", tmp,
	    strerror(errno));
	cr_assert(fwrite(data, 1, len, f) == len && fclose(f) == 0,
	    "harness: could not write %s", tmp);
	cr_assert(rename(tmp, path) == 0, "harness: could not rename %s: %s",
	    tmp, strerror(errno));
}

bool
h_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool
h_file_contains(const char *path, const char *needle)
{
	char *text = h_read_file(path, NULL);
	bool found = text != NULL && strstr(text, needle) != NULL;

	free(text);
	return found;
}

long long
h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
h_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

bool
h_wait_until(h_cond_fn fn, void *arg, int timeout_ms)
{
	long long deadline = h_now_ms() + timeout_ms;

	for (;;) {
		if (fn(arg))
			return true;
		if (h_now_ms() >= deadline)
			return false;
		h_sleep_ms(20);
	}
}

/*
 * Children. They are forked (not posix_spawn'd) so that each can ask
 * the kernel to kill it when the test's process dies: Criterion ends a
 * failed test without running atexit handlers.
 */

static bool
harness_env_name_eq(const char *entry, const char *name)
{
	size_t n = strcspn(name, "=");

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* environ with HOME set to the test's home, PAL_URL, PAL_TOKEN and
 * XDG_CONFIG_HOME removed, then overrides applied. Test-lived. */
static char **
harness_envp(const char *const *overrides)
{
	static const char *const removed[] = {
		"HOME", "PAL_URL", "PAL_TOKEN", "XDG_CONFIG_HOME", NULL
	};
	const char *home = h_path("home");
	size_t n = 0, i, j, k;
	char **envp;
	bool drop;

	harness_mkdir(home);
	while (environ[n] != NULL)
		n++;
	for (i = 0; overrides != NULL && overrides[i] != NULL; i++)
		n++;
	envp = harness_keep(xcalloc(n + 2, sizeof(*envp)));
	k = 0;
	for (i = 0; environ[i] != NULL; i++) {
		drop = false;
		for (j = 0; removed[j] != NULL; j++)
			drop |= harness_env_name_eq(environ[i], removed[j]);
		for (j = 0; overrides != NULL && overrides[j] != NULL; j++)
			drop |= harness_env_name_eq(environ[i], overrides[j]);
		if (!drop)
			envp[k++] = environ[i];
	}
	envp[k++] = (char *)h_strf("HOME=%s", home);
	for (i = 0; overrides != NULL && overrides[i] != NULL; i++)
		if (strchr(overrides[i], '=') != NULL)
			envp[k++] = (char *)overrides[i];
	envp[k] = NULL;
	return envp;
}

/*
 * Forks and execs argv[0] (searched in PATH) with envp and the given
 * descriptors as 0, 1 and 2 (-1: /dev/null). Returns the pid.
 */
static pid_t
harness_spawn(const char *const *argv, char **envp, int in, int out,
    int err)
{
	pid_t parent = getpid(), pid;
	int null_fd, fds[3], i;
	sigset_t none;

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	cr_assert(null_fd != -1, "harness: /dev/null: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	cr_assert(pid != -1, "harness: fork: %s", strerror(errno));
	if (pid == 0) {
		/* Only async-signal-safe calls from here to exec. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		fds[0] = in;
		fds[1] = out;
		fds[2] = err;
		for (i = 0; i < 3; i++)
			if (dup2(fds[i] == -1 ? null_fd : fds[i], i) == -1)
				_exit(127);
		close_range(3, ~0U, 0);
		execvpe(argv[0], (char *const *)argv, envp);
		(void)!write(2, "harness: exec failed: ", 22);
		(void)!write(2, argv[0], strlen(argv[0]));
		(void)!write(2, "\n", 1);
		_exit(127);
	}
	close(null_fd);
	return pid;
}

static int
harness_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -1;
}

/* Waits for pid up to timeout_ms; true with *status set if it exited. */
static bool
harness_wait(pid_t pid, int timeout_ms, int *status)
{
	long long deadline = h_now_ms() + timeout_ms;
	int wstatus, pause_ms = 1;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &wstatus, WNOHANG);
		if (r == pid) {
			*status = harness_status(wstatus);
			return true;
		}
		cr_assert(r != -1 || errno == EINTR, "harness: waitpid %d: %s",
		    (int)pid, strerror(errno));
		if (h_now_ms() >= deadline)
			return false;
		h_sleep_ms(pause_ms);
		if (pause_ms < 20)
			pause_ms *= 2;
	}
}

/*
 * Sanitizer builds run with log_path=$PALD_TEST_TMP/asan (and ubsan), so
 * a report of one of our children lands in asan.<pid>. Each report found
 * is printed, renamed so tests/run.sh does not count it a second time,
 * and fails the test. GCC's UBSan runtime ignores log_path when ASan is
 * linked in too and writes to stderr, so output (the child's stderr, may
 * be NULL) is searched for its reports as well.
 */
static bool
harness_sanitizer_found(pid_t pid, const char *what, const char *output)
{
	const char *report, *line;
	static const char *const prefixes[] = { "asan", "ubsan", NULL };
	const char *tmp = harness_env("PALD_TEST_TMP"), *path;
	bool found = false;
	char *text;
	int i;

	for (i = 0; prefixes[i] != NULL; i++) {
		path = h_strf("%s/%s.%d", tmp, prefixes[i], (int)pid);
		if ((text = h_read_file(path, NULL)) == NULL)
			continue;
		found = true;
		fprintf(stderr, "==== sanitizer report of %s (pid %d), %s "
		    "====\n%s\n==== end of report ====\n", what, (int)pid,
		    path, text);
		free(text);
		rename(path, h_strf("%s/reported.%s.%d", tmp, prefixes[i],
		    (int)pid));
	}
	if (output != NULL &&
	    (report = strstr(output, ": runtime error: ")) != NULL) {
		found = true;
		for (line = report; line > output && line[-1] != '\n'; line--)
			;
		fprintf(stderr, "==== UBSan report in the output of %s (pid "
		    "%d) ====\n%.4000s\n==== end of report ====\n", what,
		    (int)pid, line);
	}
	if (found) {
		/* Counted by tests/run.sh even if the test "passes". */
		FILE *f = fopen(h_strf("%s/sanitizer-found", tmp), "a");

		if (f != NULL) {
			fprintf(f, "%s (pid %d) in %s\n", what, (int)pid,
			    h_test_dir());
			fclose(f);
		}
	}
	return found;
}

/*
 * Fails the test if harness_sanitizer_found. Callers release what they
 * own first: a failed assertion ends the test at once, and LeakSanitizer
 * would report whatever was still held.
 */
static void
harness_sanitizer_assert(bool found, pid_t pid, const char *what)
{
	cr_assert(!found, "%s (pid %d) left a sanitizer report, printed "
	    "above", what, (int)pid);
}

struct harness_pipe {
	int	 fd;	/* ours; -1 once at EOF */
	struct buf buf;
};

struct h_run
h_run_argv(const char *const *argv, const char *const *env,
    const void *in, size_t in_len)
{
	struct h_run run = { 0 };
	struct harness_pipe pipes[2];
	struct pollfd pfd[3];
	char **envp = harness_envp(env);
	int out_p[2], err_p[2], in_p[2] = { -1, -1 }, i, n, status;
	long long deadline;
	size_t in_off = 0;
	char chunk[8192];
	ssize_t r;
	pid_t pid;

	cr_assert(argv != NULL && argv[0] != NULL, "h_run_argv: no command");
	cr_assert(pipe2(out_p, O_CLOEXEC) == 0 && pipe2(err_p, O_CLOEXEC) == 0,
	    "harness: pipe: %s", strerror(errno));
	if (in != NULL) {
		cr_assert(pipe2(in_p, O_CLOEXEC) == 0, "harness: pipe: %s",
		    strerror(errno));
		fcntl(in_p[1], F_SETFL, O_NONBLOCK);
	}
	pid = harness_spawn(argv, envp, in_p[0], out_p[1], err_p[1]);
	close(out_p[1]);
	close(err_p[1]);
	if (in_p[0] != -1)
		close(in_p[0]);
	pipes[0].fd = out_p[0];
	pipes[1].fd = err_p[0];
	buf_init(&pipes[0].buf);
	buf_init(&pipes[1].buf);
	if (in_p[1] != -1 && in_len == 0) {
		close(in_p[1]);
		in_p[1] = -1;
	}

	deadline = h_now_ms() + H_RUN_TIMEOUT_MS;
	while (pipes[0].fd != -1 || pipes[1].fd != -1) {
		long long left = deadline - h_now_ms();

		if (left <= 0) {
			const char *err = h_strf("%s", pipes[1].buf.data);

			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			for (i = 0; i < 2; i++) {
				if (pipes[i].fd != -1)
					close(pipes[i].fd);
				buf_cleanup(&pipes[i].buf);
			}
			cr_assert_fail("%s ran for more than %d ms; "
			    "stderr:\n%s", argv[0], H_RUN_TIMEOUT_MS, err);
		}
		n = 0;
		for (i = 0; i < 2; i++) {
			if (pipes[i].fd != -1) {
				pfd[n].fd = pipes[i].fd;
				pfd[n++].events = POLLIN;
			}
		}
		if (in_p[1] != -1) {
			pfd[n].fd = in_p[1];
			pfd[n++].events = POLLOUT;
		}
		if (poll(pfd, (nfds_t)n, (int)(left > 1000 ? 1000 : left))
		    == -1) {
			cr_assert(errno == EINTR, "harness: poll: %s",
			    strerror(errno));
			continue;
		}
		for (i = 0; i < n; i++) {
			struct harness_pipe *p = NULL;

			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == in_p[1]) {
				r = write(in_p[1], (const char *)in + in_off,
				    in_len - in_off);
				if (r > 0)
					in_off += (size_t)r;
				if ((r == -1 && errno != EAGAIN &&
				    errno != EINTR) || in_off == in_len) {
					close(in_p[1]);
					in_p[1] = -1;
				}
				continue;
			}
			p = pfd[i].fd == pipes[0].fd ? &pipes[0] : &pipes[1];
			r = read(p->fd, chunk, sizeof(chunk));
			if (r > 0) {
				buf_append(&p->buf, chunk, (size_t)r);
			} else if (r == 0 || errno != EINTR) {
				close(p->fd);
				p->fd = -1;
			}
		}
	}
	if (in_p[1] != -1)
		close(in_p[1]);
	if (!harness_wait(pid, (int)(deadline - h_now_ms()) + 1, &status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		buf_cleanup(&pipes[0].buf);
		buf_cleanup(&pipes[1].buf);
		cr_assert_fail("%s closed its output but did not exit within "
		    "%d ms", argv[0], H_RUN_TIMEOUT_MS);
	}
	run.status = status;
	run.out_len = pipes[0].buf.len;
	run.out = harness_buf_take(&pipes[0].buf);
	run.err_len = pipes[1].buf.len;
	run.err = harness_buf_take(&pipes[1].buf);
	if (harness_sanitizer_found(pid, argv[0], run.err)) {
		h_run_free(&run);
		harness_sanitizer_assert(true, pid, argv[0]);
	}
	return run;
}

void
h_run_free(struct h_run *run)
{
	free(run->out);
	free(run->err);
	memset(run, 0, sizeof(*run));
}

/* prefix followed by argv, NULL-terminated. Test-lived. */
static const char **
harness_argv_cat(const char *const *prefix, size_t nprefix,
    const char *const *argv)
{
	size_t n = 0, i;
	const char **all;

	while (argv != NULL && argv[n] != NULL)
		n++;
	all = harness_keep(xcalloc(nprefix + n + 1, sizeof(*all)));
	for (i = 0; i < nprefix; i++)
		all[i] = prefix[i];
	for (i = 0; i < n; i++)
		all[nprefix + i] = argv[i];
	return all;
}

struct h_run
h_pal_argv(const struct h_pald *pald, const char *token,
    const char *const *env, const void *in, size_t in_len,
    const char *const *argv)
{
	const char *prefix[5];
	size_t n = 0;

	prefix[n++] = h_strf("%s/pal", harness_env("PALD_TEST_BUILD"));
	if (pald != NULL) {
		prefix[n++] = "--url";
		prefix[n++] = pald->url;
	}
	if (token != NULL) {
		prefix[n++] = "--token";
		prefix[n++] = token;
	}
	return h_run_argv(harness_argv_cat(prefix, n, argv), env, in,
	    in_len);
}

/*
 * PostgreSQL.
 */

static PGconn *
harness_pg_connect(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);

	if (PQstatus(conn) != CONNECTION_OK) {
		const char *msg = h_strf("%s", PQerrorMessage(conn));

		PQfinish(conn);
		cr_assert_fail("harness: could not connect (%s): %s", conninfo,
		    msg);
	}
	return conn;
}

static PGconn *
harness_pg_admin(void)
{
	return harness_pg_connect(h_strf("host=%s dbname=postgres user=%s",
	    harness_env("PALD_TEST_PGHOST"),
	    harness_env("PALD_TEST_PGUSER")));
}

/* Runs one command on a fresh admin connection. */
static void
harness_pg_admin_exec(const char *sql, int nparams, const char *const *p)
{
	PGconn *conn = harness_pg_admin();
	PGresult *res;
	const char *msg;

	res = PQexecParams(conn, sql, nparams, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		msg = h_strf("%s", PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		cr_assert_fail("harness: %s: %s", sql, msg);
	}
	PQclear(res);
	PQfinish(conn);
}

void
h_db_create(struct h_db *db)
{
	unsigned int r = 0;

	harness_init();
	memset(db, 0, sizeof(*db));
	/*
	 * The pid makes the name unique among the tests running now, the
	 * counter within a test; the random part guards against a pid
	 * reused later in the run by a test whose database survived.
	 */
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned int)h_now_ms();
	snprintf(db->name, sizeof(db->name), "t_%d_%d_%08x", (int)getpid(),
	    ++db_counter, r);
	harness_pg_admin_exec(h_strf("CREATE DATABASE \"%s\"", db->name), 0,
	    NULL);
	harness_copy(db->conninfo, sizeof(db->conninfo),
	    h_strf("host=%s dbname=%s user=%s",
	    harness_env("PALD_TEST_PGHOST"), db->name,
	    harness_env("PALD_TEST_PGUSER")));
}

void
h_db_drop(struct h_db *db)
{
	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	if (db->name[0] == '\0')
		return;
	harness_pg_admin_exec(h_strf("DROP DATABASE IF EXISTS \"%s\" "
	    "WITH (FORCE)", db->name), 0, NULL);
	memset(db, 0, sizeof(*db));
}

/* Runs the query; NULL-free result either way. */
static PGresult *
harness_db_run(struct h_db *db, const char *const *sql_params)
{
	PGresult *res;
	int n = 0;

	cr_assert(db->name[0] != '\0', "harness: query on a database that "
	    "h_db_create did not make");
	while (sql_params[1 + n] != NULL)
		n++;
	if (db->conn == NULL)
		db->conn = harness_pg_connect(db->conninfo);
	else if (PQstatus(db->conn) != CONNECTION_OK)
		PQreset(db->conn);
	res = PQexecParams(db->conn, sql_params[0], n, NULL, sql_params + 1,
	    NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_FATAL_ERROR &&
	    PQstatus(db->conn) != CONNECTION_OK) {
		/* Killed under us (h_db_kill_connections): once more. */
		PQclear(res);
		PQreset(db->conn);
		res = PQexecParams(db->conn, sql_params[0], n, NULL,
		    sql_params + 1, NULL, NULL, 0);
	}
	return res;
}

static bool
harness_db_ok(const PGresult *res)
{
	return PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
}

PGresult *
h_db_query_v(struct h_db *db, const char *const *sql_params)
{
	PGresult *res = harness_db_run(db, sql_params);
	const char *msg;

	if (!harness_db_ok(res)) {
		msg = h_strf("%s", PQresultErrorMessage(res));
		PQclear(res);
		cr_assert_fail("query failed: %s\n%s", sql_params[0], msg);
	}
	return res;
}

void
h_db_exec_v(struct h_db *db, const char *const *sql_params)
{
	PQclear(h_db_query_v(db, sql_params));
}

/* The value of a one-by-one result; false with why set otherwise. */
static bool
harness_db_single(const PGresult *res, const char **value,
    const char **why)
{
	if (PQntuples(res) != 1 || PQnfields(res) != 1) {
		*why = h_strf("%d rows and %d columns instead of one value",
		    PQntuples(res), PQnfields(res));
		return false;
	}
	*value = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
	return true;
}

static bool
harness_parse_int(const char *s, long long *out)
{
	char *end;

	if (s == NULL)
		return false;
	if (strcmp(s, "t") == 0 || strcmp(s, "f") == 0) {
		*out = s[0] == 't';
		return true;
	}
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}

long long
h_db_query_int_v(struct h_db *db, const char *const *sql_params)
{
	PGresult *res = h_db_query_v(db, sql_params);
	const char *value, *why = NULL;
	long long n = 0;
	bool ok;

	ok = harness_db_single(res, &value, &why);
	if (ok && !harness_parse_int(value, &n)) {
		ok = false;
		why = h_strf("value %s is not an integer",
		    value ? value : "NULL");
	}
	PQclear(res);
	cr_assert(ok, "h_db_query_int: %s: %s", why, sql_params[0]);
	return n;
}

const char *
h_db_query_str_v(struct h_db *db, const char *const *sql_params)
{
	PGresult *res = h_db_query_v(db, sql_params);
	const char *value = NULL, *why = NULL;
	bool ok;

	ok = harness_db_single(res, &value, &why);
	if (ok && value != NULL)
		value = h_strf("%s", value);
	PQclear(res);
	cr_assert(ok, "h_db_query_str: %s: %s", why, sql_params[0]);
	return value;
}

const char *
h_db_sqlstate_v(struct h_db *db, const char *const *sql_params)
{
	PGresult *res = harness_db_run(db, sql_params);
	const char *state = NULL, *s;

	if (!harness_db_ok(res)) {
		s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		state = h_strf("%s", s ? s : "?????");
	}
	PQclear(res);
	return state;
}

long long
h_db_wait_int_v(struct h_db *db, int timeout_ms, long long want,
    const char *const *sql_params)
{
	long long deadline = h_now_ms() + timeout_ms, last = want - 1;
	const char *value, *why;
	PGresult *res;

	for (;;) {
		res = harness_db_run(db, sql_params);
		if (harness_db_ok(res) && harness_db_single(res, &value, &why))
			harness_parse_int(value, &last);
		PQclear(res);
		if (last == want || h_now_ms() >= deadline)
			return last;
		h_sleep_ms(20);
	}
}

void
h_db_kill_connections(struct h_db *db)
{
	const char *p[2];

	p[0] = db->name;
	p[1] = h_strf("%d", db->conn != NULL ? PQbackendPID(db->conn) : 0);
	harness_pg_admin_exec("SELECT pg_terminate_backend(pid) "
	    "FROM pg_stat_activity WHERE datname = $1 AND pid <> $2::int",
	    2, p);
}

void
h_db_allow_connections(struct h_db *db, bool allow)
{
	harness_pg_admin_exec(h_strf("ALTER DATABASE \"%s\" "
	    "ALLOW_CONNECTIONS %s", db->name, allow ? "true" : "false"), 0,
	    NULL);
}

/*
 * The mail catcher.
 */

/* Reads a port written by smtpd.py or pald; 0 if not there yet. */
static int
harness_read_port(const char *path)
{
	char *text = h_read_file(path, NULL);
	long port = 0;
	char *end;

	if (text != NULL) {
		port = strtol(text, &end, 10);
		if (end == text || port <= 0 || port > 65535)
			port = 0;
	}
	free(text);
	return (int)port;
}

static void
harness_smtp_launch(struct h_smtp *smtp, int port)
{
	const char *port_path = h_strf("%s/port", smtp->dir);
	const char *argv[] = {
		PYTHON, h_strf("%s/tests/support/smtpd.py",
		    harness_env("PALD_TEST_SRC")),
		"--port", h_strf("%d", port), "--dir", smtp->dir,
		"--port-file", port_path, NULL
	};
	long long deadline;
	int log_fd, status;

	unlink(port_path);
	log_fd = open(smtp->log_path, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0644);
	cr_assert(log_fd != -1, "harness: %s: %s", smtp->log_path,
	    strerror(errno));
	smtp->pid = harness_spawn(argv, harness_envp(NULL), -1, log_fd,
	    log_fd);
	close(log_fd);
	harness_child_add(smtp->pid);

	deadline = h_now_ms() + H_START_TIMEOUT_MS;
	for (;;) {
		if (harness_wait(smtp->pid, 0, &status)) {
			harness_child_remove(smtp->pid);
			smtp->pid = 0;
			cr_assert_fail("smtpd.py exited with status %d; see %s",
			    status, smtp->log_path);
		}
		/* smtpd.py writes the file once it listens; no probe
		 * connection, which would show in events.jsonl. */
		if ((smtp->port = harness_read_port(port_path)) != 0)
			break;
		cr_assert(h_now_ms() < deadline, "smtpd.py did not start "
		    "within %d ms; see %s", H_START_TIMEOUT_MS,
		    smtp->log_path);
		h_sleep_ms(10);
	}
	snprintf(smtp->url, sizeof(smtp->url), "smtp://127.0.0.1:%d",
	    smtp->port);
}

void
h_smtp_start(struct h_smtp *smtp)
{
	int n = ++smtp_instances;
	const char *suffix = n == 1 ? "" : h_strf("-%d", n);

	memset(smtp, 0, sizeof(*smtp));
	harness_copy(smtp->dir, sizeof(smtp->dir),
	    h_path(h_strf("smtp%s", suffix)));
	harness_copy(smtp->log_path, sizeof(smtp->log_path),
	    h_path(h_strf("smtpd%s.log", suffix)));
	harness_mkdir(smtp->dir);
	harness_smtp_launch(smtp, 0);
}

void
h_smtp_stop(struct h_smtp *smtp)
{
	pid_t pid = smtp->pid;
	int status = 0;
	bool exited;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	exited = harness_wait(pid, H_STOP_TIMEOUT_MS, &status);
	if (!exited) {
		kill(pid, SIGKILL);
		harness_wait(pid, H_STOP_TIMEOUT_MS, &status);
	}
	harness_child_remove(pid);
	smtp->pid = 0;
	cr_assert(exited && status == 0, "smtpd.py stopped badly (status "
	    "%d%s); see %s", status, exited ? "" : ", killed",
	    smtp->log_path);
}

void
h_smtp_restart(struct h_smtp *smtp)
{
	cr_assert(smtp->port != 0, "h_smtp_restart: never started");
	h_smtp_stop(smtp);
	harness_smtp_launch(smtp, smtp->port);
}

/* Changes rules.json under the lock smtpd.py takes too. */
static void
harness_smtp_set_rule(struct h_smtp *smtp, const char *rcpt, int code,
    int times, const char *at)
{
	const char *path = h_strf("%s/rules.json", smtp->dir);
	const char *lock_path = h_strf("%s/rules.lock", smtp->dir);
	char *key = (char *)h_strf("%s", rcpt), *text, *p;
	json_t *rules = NULL, *rule;
	int lock_fd;

	for (p = key; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	lock_fd = open(lock_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert(lock_fd != -1 && flock(lock_fd, LOCK_EX) == 0,
	    "harness: %s: %s", lock_path, strerror(errno));
	if (h_file_exists(path))
		rules = json_load_file(path, 0, NULL);
	if (!json_is_object(rules)) {
		json_decref(rules);
		rules = json_object();
	}
	if (code == 0 || times == 0) {
		json_object_del(rules, key);
	} else {
		rule = json_pack("{s:i, s:s}", "code", code, "at", at);
		if (times > 0)
			json_object_set_new(rule, "times", json_integer(times));
		json_object_set_new(rules, key, rule);
	}
	text = harness_keep(json_dumps(rules, JSON_INDENT(1) |
	    JSON_SORT_KEYS));
	json_decref(rules);
	h_write_file(path, text, strlen(text));
	close(lock_fd);	/* Releases the lock. */
}

void
h_smtp_rule(struct h_smtp *smtp, const char *rcpt, int code, int times)
{
	harness_smtp_set_rule(smtp, rcpt, code, times, "rcpt");
}

void
h_smtp_rule_data(struct h_smtp *smtp, const char *rcpt, int code,
    int times)
{
	harness_smtp_set_rule(smtp, rcpt, code, times, "data");
}

static bool
harness_is_message_json(const char *name)
{
	int i;

	for (i = 0; i < 6; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return strcmp(name + 6, ".json") == 0;
}

int
h_smtp_count(const struct h_smtp *smtp)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(smtp->dir);
	cr_assert(d != NULL, "harness: %s: %s", smtp->dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (harness_is_message_json(de->d_name))
			n++;
	closedir(d);
	return n;
}

int
h_smtp_wait(const struct h_smtp *smtp, int n, int timeout_ms)
{
	long long deadline = h_now_ms() + timeout_ms;
	int count;

	while ((count = h_smtp_count(smtp)) < n && h_now_ms() < deadline)
		h_sleep_ms(20);
	return count;
}

json_t *
h_smtp_message(const struct h_smtp *smtp, int i)
{
	const char *path = h_strf("%s/%06d.json", smtp->dir, i);
	json_error_t jerr;
	json_t *msg;

	msg = json_load_file(path, 0, &jerr);
	cr_assert(msg != NULL, "no message %d in %s (%s)", i, smtp->dir,
	    jerr.text);
	return msg;
}

char *
h_smtp_raw(const struct h_smtp *smtp, int i, size_t *len)
{
	const char *path = h_strf("%s/%06d.eml", smtp->dir, i);
	char *raw = h_read_file(path, len);

	cr_assert(raw != NULL, "no message %d in %s", i, smtp->dir);
	return raw;
}

int
h_smtp_find(const struct h_smtp *smtp, const char *rcpt, int from)
{
	int count = h_smtp_count(smtp), i, found = -1;
	json_t *msg, *r;
	size_t j;

	for (i = from < 0 ? 0 : from; i < count && found < 0; i++) {
		msg = h_smtp_message(smtp, i);
		json_array_foreach(json_object_get(msg, "rcpt_tos"), j, r) {
			if (json_is_string(r) &&
			    strcasecmp(json_string_value(r), rcpt) == 0)
				found = i;
		}
		json_decref(msg);
	}
	return found;
}

const char *
h_smtp_header(json_t *msg, const char *name)
{
	json_t *values;
	char lower[128];
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	values = json_object_get(json_object_get(msg, "headers"), lower);
	return json_string_value(json_array_get(values, 0));
}

json_t *
h_smtp_events(const struct h_smtp *smtp)
{
	char *text = h_read_file(h_strf("%s/events.jsonl", smtp->dir), NULL);
	json_t *events = json_array(), *ev;
	char *line, *next;

	/* A line being appended right now fails to parse and is skipped. */
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next == NULL)
			break;
		*next++ = '\0';
		if ((ev = json_loads(line, 0, NULL)) != NULL)
			json_array_append_new(events, ev);
	}
	free(text);
	return events;
}

static int
harness_smtp_count_events(const struct h_smtp *smtp, const char *event,
    const char *address)
{
	json_t *events = h_smtp_events(smtp), *ev;
	const char *a, *e;
	size_t i;
	int n = 0;

	json_array_foreach(events, i, ev) {
		e = json_string_value(json_object_get(ev, "event"));
		if (e == NULL || strcmp(e, event) != 0)
			continue;
		a = json_string_value(json_object_get(ev, "address"));
		if (address == NULL || (a != NULL && strcasecmp(a, address)
		    == 0))
			n++;
	}
	json_decref(events);
	return n;
}

int
h_smtp_rcpt_attempts(const struct h_smtp *smtp, const char *rcpt)
{
	return harness_smtp_count_events(smtp, "rcpt", rcpt);
}

int
h_smtp_connections(const struct h_smtp *smtp)
{
	return harness_smtp_count_events(smtp, "connect", NULL);
}

/*
 * HTTP.
 */

static size_t
harness_http_body_cb(char *data, size_t size, size_t n, void *arg)
{
	buf_append(arg, data, size * n);
	return size * n;
}

static size_t
harness_http_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	/* A new status line (after 100 Continue) starts a new block. */
	if (size * n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		buf_reset(b);
	buf_append(b, data, size * n);
	return size * n;
}

/*
 * One request, h_http_hdrs's body. It neither asserts nor touches the
 * test-lived arena, so h_http_parallel's threads may run it; false if
 * curl could not even start (resp.error says so).
 */
static bool
harness_http_perform(struct h_http *resp, const char *method,
    const char *url, const char *token, const char *content_type,
    const void *body, size_t len, const char *const *headers)
{
	struct curl_slist *list = NULL;
	struct buf b_body, b_head;
	CURLcode rc;
	CURL *curl;
	char *line;
	size_t i;

	memset(resp, 0, sizeof(*resp));
	curl = curl_easy_init();
	if (curl == NULL) {
		snprintf(resp->error, sizeof(resp->error),
		    "harness: curl_easy_init failed");
		resp->body = xstrdup("");
		resp->headers = xstrdup("");
		return false;
	}
	buf_init(&b_body);
	buf_init(&b_head);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, resp->error);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, harness_http_body_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b_body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION,
	    harness_http_header_cb);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &b_head);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		/* POSTFIELDS makes it a POST; keep the method asked for. */
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	}
	/* No "Expect: 100-continue" round trip on large bodies. */
	list = curl_slist_append(list, "Expect:");
	/* curl_slist_append copies each line. */
	if (content_type != NULL) {
		line = xasprintf("Content-Type: %s", content_type);
		list = curl_slist_append(list, line);
		free(line);
	} else if (body != NULL)
		list = curl_slist_append(list, "Content-Type:");
	if (token != NULL) {
		line = xasprintf("Authorization: Bearer %s", token);
		list = curl_slist_append(list, line);
		free(line);
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);

	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
	else if (resp->error[0] == '\0')
		snprintf(resp->error, sizeof(resp->error), "%s",
		    curl_easy_strerror(rc));
	curl_easy_cleanup(curl);
	curl_slist_free_all(list);
	resp->len = b_body.len;
	resp->body = harness_buf_take(&b_body);
	resp->headers = harness_buf_take(&b_head);
	return true;
}

struct h_http
h_http_hdrs(const char *method, const char *url, const char *token,
    const char *content_type, const void *body, size_t len,
    const char *const *headers)
{
	struct h_http resp;
	bool started;

	harness_init();
	started = harness_http_perform(&resp, method, url, token,
	    content_type, body, len, headers);
	cr_assert(started, "%s", resp.error);
	return resp;
}

static void *
harness_parallel_cb(void *arg)
{
	struct h_http_req *q = arg;

	harness_http_perform(&q->resp, q->method, q->url, q->token,
	    q->json != NULL ? "application/json" : NULL, q->json,
	    q->json != NULL ? strlen(q->json) : 0, NULL);
	return NULL;
}

void
h_http_parallel(struct h_http_req *reqs, int n)
{
	pthread_t *t;
	int i, err;

	harness_init();
	t = xmalloc((size_t)n * sizeof(*t));
	for (i = 0; i < n; i++) {
		err = pthread_create(&t[i], NULL, harness_parallel_cb,
		    &reqs[i]);
		cr_assert_eq(err, 0, "harness: pthread_create: %s",
		    strerror(err));
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
}

struct h_http
h_http(const char *method, const char *url, const char *token,
    const char *content_type, const void *body, size_t len)
{
	return h_http_hdrs(method, url, token, content_type, body, len, NULL);
}

struct h_http
h_api(const struct h_pald *pald, const char *method, const char *path,
    const char *token, const char *json)
{
	return h_http(method, h_strf("%s%s", pald->url, path), token,
	    json != NULL ? "application/json" : NULL, json,
	    json != NULL ? strlen(json) : 0);
}

const char *
h_http_header(const struct h_http *resp, const char *name)
{
	size_t name_len = strlen(name), vlen;
	const char *line, *end, *v;

	for (line = resp->headers; line != NULL && *line != '\0';
	    line = end + (*end != '\0')) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if ((size_t)(end - line) <= name_len ||
		    strncasecmp(line, name, name_len) != 0 ||
		    line[name_len] != ':')
			continue;
		v = line + name_len + 1;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		vlen = (size_t)(end - v);
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
			vlen--;
		return harness_keep_str(v, vlen);
	}
	return NULL;
}

json_t *
h_http_json(const struct h_http *resp)
{
	if (resp->body == NULL)
		return NULL;
	return json_loadb(resp->body, resp->len, 0, NULL);
}

void
h_http_free(struct h_http *resp)
{
	free(resp->body);
	free(resp->headers);
	memset(resp, 0, sizeof(*resp));
}

/*
 * pald.
 */

static void
harness_pald_launch(struct h_pald *pald)
{
	const char *argv[] = {
		h_strf("%s/pald", harness_env("PALD_TEST_BUILD")),
		"-c", pald->conf_path, NULL
	};
	int log_fd;

	unlink(pald->port_path);
	pald->port = 0;
	pald->url[0] = '\0';
	pald->exit_status = 0;
	log_fd = open(pald->log_path, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0644);
	cr_assert(log_fd != -1, "harness: %s: %s", pald->log_path,
	    strerror(errno));
	pald->pid = harness_spawn(argv, harness_envp(NULL), -1, log_fd,
	    log_fd);
	close(log_fd);
	harness_child_add(pald->pid);
}

void
h_pald_spawn(struct h_pald *pald, const struct h_db *db,
    const struct h_smtp *smtp, const char *extra_config)
{
	int n = ++pald_instances;
	const char *suffix = n == 1 ? "" : h_strf("-%d", n);
	struct buf conf;
	char *text;
	size_t len;

	memset(pald, 0, sizeof(*pald));
	harness_copy(pald->dir, sizeof(pald->dir), h_test_dir());
	harness_copy(pald->conf_path, sizeof(pald->conf_path),
	    h_path(h_strf("pald%s.conf", suffix)));
	harness_copy(pald->port_path, sizeof(pald->port_path),
	    h_path(h_strf("pald%s.port", suffix)));
	harness_copy(pald->log_path, sizeof(pald->log_path),
	    h_path(h_strf("pald%s.log", suffix)));

	buf_init(&conf);
	buf_printf(&conf, "# Written by tests/support/harness.c for %s.\n"
	    "listen_address = 127.0.0.1\n"
	    "listen_port = 0\n"
	    "port_file = %s\n"
	    "database = %s\n"
	    "mail_from = pald@localhost\n"
	    "mail_poll_ms = 100\n"
	    "mail_retry_base_s = 1\n"
	    "log_level = debug\n"
	    "# The weekly digest waits for the week's last minute, so its\n"
	    "# emails reach only the tests that ask for them.\n"
	    "resumen_dia = domingo\n"
	    "resumen_hora = 23:59\n", h_test_dir(), pald->port_path,
	    db->conninfo);
	if (smtp != NULL)
		buf_printf(&conf, "smtp_url = %s\n", smtp->url);
	else
		buf_puts(&conf, "mail_threads = 0\n");
	if (extra_config != NULL) {
		buf_puts(&conf, "# The test's own settings.\n");
		buf_puts(&conf, extra_config);
		if (conf.data[conf.len - 1] != '\n')
			buf_putc(&conf, '\n');
	}
	len = conf.len;
	text = harness_keep(harness_buf_take(&conf));
	h_write_file(pald->conf_path, text, len);
	harness_pald_launch(pald);
}

/* The sanitizer check for a pald that exited, its log included. */
static void
harness_pald_check(const struct h_pald *pald, pid_t pid)
{
	char *log = h_read_file(pald->log_path, NULL);
	bool found = harness_sanitizer_found(pid, "pald", log);

	free(log);
	harness_sanitizer_assert(found, pid, "pald");
}

/* True if pald exited; records it. */
static bool
harness_pald_reaped(struct h_pald *pald, int timeout_ms)
{
	int status;

	if (pald->pid <= 0)
		return true;
	if (!harness_wait(pald->pid, timeout_ms, &status))
		return false;
	pald->exit_status = status;
	harness_child_remove(pald->pid);
	return true;
}

bool
h_pald_wait_ready(struct h_pald *pald, int timeout_ms)
{
	long long deadline = h_now_ms() + timeout_ms;
	struct h_http resp;
	pid_t pid = pald->pid;
	int port;

	cr_assert(pid > 0, "h_pald_wait_ready: pald is not running");
	for (;;) {
		if (harness_pald_reaped(pald, 0)) {
			pald->pid = 0;
			harness_pald_check(pald, pid);
			return false;
		}
		if ((port = harness_read_port(pald->port_path)) != 0) {
			resp = h_http("GET",
			    h_strf("http://127.0.0.1:%d/healthz", port),
			    NULL, NULL, NULL, 0);
			if (resp.status != 0) {
				h_http_free(&resp);
				pald->port = port;
				snprintf(pald->url, sizeof(pald->url),
				    "http://127.0.0.1:%d", port);
				return true;
			}
			h_http_free(&resp);
		}
		if (h_now_ms() >= deadline)
			return false;
		h_sleep_ms(10);
	}
}

void
h_pald_start(struct h_pald *pald, const struct h_db *db,
    const struct h_smtp *smtp, const char *extra_config)
{
	h_pald_spawn(pald, db, smtp, extra_config);
	if (h_pald_wait_ready(pald, H_START_TIMEOUT_MS))
		return;
	if (pald->pid > 0)
		h_pald_kill(pald);
	cr_assert_fail("pald did not get ready within %d ms (exit status "
	    "%d); see %s", H_START_TIMEOUT_MS, pald->exit_status,
	    pald->log_path);
}

void
h_pald_stop(struct h_pald *pald)
{
	pid_t pid = pald->pid;
	bool exited;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	exited = harness_pald_reaped(pald, H_STOP_TIMEOUT_MS);
	if (!exited) {
		kill(pid, SIGKILL);
		harness_pald_reaped(pald, H_STOP_TIMEOUT_MS);
	}
	pald->pid = 0;
	harness_pald_check(pald, pid);
	cr_assert(exited, "pald did not exit within %d ms of SIGTERM; "
	    "see %s", H_STOP_TIMEOUT_MS, pald->log_path);
	cr_assert(pald->exit_status == 0, "pald exited with status %d after "
	    "SIGTERM; see %s", pald->exit_status, pald->log_path);
}

void
h_pald_kill(struct h_pald *pald)
{
	if (pald->pid <= 0)
		return;
	kill(pald->pid, SIGKILL);
	harness_pald_reaped(pald, H_STOP_TIMEOUT_MS);
	pald->pid = 0;
}

void
h_pald_restart(struct h_pald *pald)
{
	FILE *f;

	h_pald_stop(pald);
	if ((f = fopen(pald->log_path, "a")) != NULL) {
		fputs("==== harness: pald restarted ====\n", f);
		fclose(f);
	}
	harness_pald_launch(pald);
	if (!h_pald_wait_ready(pald, H_START_TIMEOUT_MS)) {
		if (pald->pid > 0)
			h_pald_kill(pald);
		cr_assert_fail("pald did not get ready again (exit status "
		    "%d); see %s", pald->exit_status, pald->log_path);
	}
}

void
h_pald_signal(const struct h_pald *pald, int sig)
{
	cr_assert(pald->pid > 0, "h_pald_signal: pald is not running");
	cr_assert(kill(pald->pid, sig) == 0, "kill: %s", strerror(errno));
}

int
h_pald_wait_exit(struct h_pald *pald, int timeout_ms)
{
	pid_t pid = pald->pid;

	if (pid <= 0)
		return pald->exit_status;
	if (!harness_pald_reaped(pald, timeout_ms))
		return -1;
	pald->pid = 0;
	harness_pald_check(pald, pid);
	return pald->exit_status;
}

char *
h_pald_log(const struct h_pald *pald)
{
	char *text = h_read_file(pald->log_path, NULL);

	return text != NULL ? text : xstrdup("");
}

struct h_run
h_pald_run_argv(const struct h_pald *pald, const char *const *argv)
{
	const char *prefix[] = {
		h_strf("%s/pald", harness_env("PALD_TEST_BUILD")),
		"-c", pald->conf_path
	};
	struct h_run run;
	FILE *f;
	size_t i;

	run = h_run_argv(harness_argv_cat(prefix, 3, argv), NULL, NULL, 0);
	/* Kept where the failure hook looks, with the command line. */
	if ((f = fopen(h_path("pald-run.log"), "a")) != NULL) {
		fputs("==== harness: pald -c ...", f);
		for (i = 0; argv != NULL && argv[i] != NULL; i++)
			fprintf(f, " %s", argv[i]);
		fprintf(f, " (exit %d) ====\n%s", run.status, run.err);
		fclose(f);
	}
	return run;
}

/* The first run of exactly TOKEN_TEXT_LEN lowercase hex characters. */
static bool
harness_find_token(const char *s, char *out, size_t size)
{
	size_t n;

	while (*s != '\0') {
		for (n = 0; isxdigit((unsigned char)s[n]) &&
		    !isupper((unsigned char)s[n]); n++)
			;
		if (n == 64) {
			if (size < 65)
				return false;
			memcpy(out, s, 64);
			out[64] = '\0';
			return true;
		}
		s += n > 0 ? n : 1;
	}
	return false;
}

void
h_pald_admin_token(const struct h_pald *pald, char *out, size_t size)
{
	struct h_run run;
	bool found;

	run = h_pald_run(pald, "--create-admin", "Admin Pruebas",
	    "admin@ejemplo.mx");
	found = run.status == 0 && harness_find_token(run.out, out, size);
	if (!found)
		fprintf(stderr, "pald --create-admin exited %d\nstdout:\n%s\n"
		    "stderr:\n%s\n", run.status, run.out, run.err);
	h_run_free(&run);
	cr_assert(found, "pald --create-admin printed no token");
}

/*
 * The failure report. Report hooks run in Criterion's runner process,
 * not in the test's worker, so this part uses no assertion and no
 * test-lived memory.
 */

static void
harness_print_tail(const char *path, int lines)
{
	char *text = h_read_file(path, NULL);
	size_t len;
	const char *start;
	int seen = 0;

	if (text == NULL)
		return;
	len = strlen(text);
	start = text + len;
	/* Walk back over `lines` line ends, ignoring a final newline. */
	if (start > text && start[-1] == '\n')
		start--;
	while (start > text) {
		if (start[-1] == '\n' && ++seen == lines)
			break;
		start--;
	}
	fprintf(stderr, "==== last %d lines of %s ====\n%s%s==== end of %s "
	    "====\n", lines, path, start,
	    len > 0 && text[len - 1] != '\n' ? "\n" : "", path);
	free(text);
}

static int
harness_strcmp_cb(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
harness_report_logs(const struct criterion_test *test)
{
	const char *tmp = getenv("PALD_TEST_TMP");
	char dir[H_PATH_MAX], path[H_PATH_MAX * 2], *names[256];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	if (tmp == NULL || test == NULL ||
	    !harness_test_dir_of(dir, sizeof(dir), tmp, test->category,
	    test->name) || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < 256) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".log") == 0 &&
		    (strncmp(de->d_name, "pald", 4) == 0 ||
		    strncmp(de->d_name, "smtpd", 5) == 0))
			names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), harness_strcmp_cb);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		harness_print_tail(path, strncmp(names[i], "pald", 4) == 0 ?
		    LOG_TAIL_LINES : SMTP_TAIL_LINES);
		free(names[i]);
	}
}

ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	if (stats->test_status == CR_STATUS_FAILED)
		harness_report_logs(stats->test);
}

/* A crashed test gets no POST_TEST report, only this one. */
ReportHook(TEST_CRASH)(struct criterion_test_stats *stats)
{
	harness_report_logs(stats->test);
}

/*
 * Raw HTTP over a socket (see harness.h).
 */

int
h_raw_connect(int port)
{
	struct timeval tv = { 10, 0 };
	struct sockaddr_in sa;
	int fd, e;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0, "harness: socket: %s", strerror(errno));
	/* A server that stops reading must not hang the test in send(). */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		e = errno;
		close(fd);
		cr_assert_fail("harness: connect to 127.0.0.1:%d: %s", port,
		    strerror(e));
	}
	return fd;
}

bool
h_raw_send(int fd, const void *bytes, size_t len)
{
	const char *p = bytes;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * How many complete responses data[0..len) holds: a head up to its blank
 * line, then Content-Length bytes (none without the header). data is
 * NUL-terminated, so strtoll stops at the line's CR.
 */
static int
harness_raw_complete(const char *data, size_t len)
{
	size_t at = 0;
	int n = 0;

	for (;;) {
		const char *head = data + at, *end, *line, *eol;
		long long clen = 0;

		end = memmem(head, len - at, "\r\n\r\n", 4);
		if (end == NULL)
			return n;
		for (line = head; line < end; line = eol + 2) {
			eol = memmem(line, (size_t)(end - line), "\r\n", 2);
			if (eol == NULL)
				eol = end;
			if (eol - line > 15 &&
			    strncasecmp(line, "Content-Length:", 15) == 0)
				clen = strtoll(line + 15, NULL, 10);
		}
		at = (size_t)(end - data) + 4;
		if (clen < 0 || len - at < (size_t)clen)
			return n;
		at += (size_t)clen;
		n++;
	}
}

struct h_raw
h_raw_read(int fd, int responses, int timeout_ms)
{
	long long start = h_now_ms(), left;
	char chunk[16384];
	const char *p, *end;
	struct h_raw r;
	struct buf b;

	memset(&r, 0, sizeof(r));
	buf_init(&b);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (responses > 0 &&
		    harness_raw_complete(b.data, b.len) >= responses)
			break;
		left = timeout_ms - (h_now_ms() - start);
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents == 0)
			continue;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EOF, or a reset: either way the server hung up. */
			r.closed = true;
			break;
		}
		buf_append(&b, chunk, (size_t)n);
	}
	r.elapsed_ms = h_now_ms() - start;
	r.len = b.len;
	r.data = harness_buf_take(&b);
	r.body = "";
	if (r.len >= 12 && strncmp(r.data, "HTTP/1.", 7) == 0)
		r.status = strtol(r.data + 9, NULL, 10);
	for (p = r.data; (p = strstr(p, "HTTP/1.")) != NULL; p += 7)
		if ((p == r.data || p[-1] == '\n') && p[8] == ' ')
			r.responses++;
	if ((end = strstr(r.data, "\r\n\r\n")) != NULL)
		r.body = end + 4;
	return r;
}

struct h_raw
h_http_raw(int port, const void *bytes, size_t len, int timeout_ms)
{
	int fd = h_raw_connect(port);
	struct h_raw r;

	(void)h_raw_send(fd, bytes, len);
	r = h_raw_read(fd, 0, timeout_ms);
	close(fd);
	return r;
}

void
h_raw_free(struct h_raw *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}
