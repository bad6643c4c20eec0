/*
 * The integration-test harness: real servers for Criterion tests. Each
 * test gets a database of its own on the run's PostgreSQL cluster, a mail
 * catcher (tests/support/smtpd.py) if it asks for one, as many pald
 * daemons as it starts, and runs the real `pal` client and raw HTTP
 * requests against them. tests/run.sh starts the cluster and exports
 * PALD_TEST_PGHOST, PALD_TEST_PGUSER, PALD_TEST_BUILD, PALD_TEST_SRC and
 * PALD_TEST_TMP; without them every helper fails the test.
 *
 * Conventions, true of every function here:
 *   - A helper that cannot do its job (a server that will not start, a
 *     query that fails) fails the running test with cr_assert and a
 *     message; it never returns an error for the test to check, except
 *     where the comment says it returns false, NULL or a status.
 *   - Call them only from a test, its .init or its .fini (they use
 *     Criterion's assertions and the test's directory).
 *   - Each test has a directory, $PALD_TEST_TMP/<suite>.<test>, with its
 *     pald configurations and logs (pald.log, pald-2.log, ...), the mail
 *     catchers' folders (smtp/, smtp-2/, ...) and a HOME for `pal`. When a
 *     test fails or crashes, a Criterion report hook prints the last 200
 *     lines of every pald*.log (and the catchers' logs) in it.
 *   - Strings marked "test-lived" are owned by the harness and stay valid
 *     until the test's process exits; never free them.
 *   - Every child (pald, smtpd, pal) is killed if the test's process dies,
 *     so a failed test leaves nothing running.
 *   - Variadic helpers are macros that add the terminating NULL
 *     themselves; every variadic argument is a const char *.
 */
#ifndef PALD_TEST_HARNESS_H
#define PALD_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>
#include <libpq-fe.h>

#define H_PATH_MAX	512

/* Timeouts of the harness's own waits. */
#define H_START_TIMEOUT_MS	10000	/* pald and smtpd ready */
#define H_STOP_TIMEOUT_MS	10000	/* exit after SIGTERM */
#define H_RUN_TIMEOUT_MS	60000	/* a command run with h_run_argv */

/*
 * Test-lived strings and files.
 */

/* The test's directory, created on first use. Test-lived. */
const char	*h_test_dir(void);
/* h_test_dir()/name. Test-lived. */
const char	*h_path(const char *name);
/* printf into a test-lived string. */
const char	*h_strf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Whole file, NUL-terminated, length in *len (len may be NULL). Owned
 * (free()); NULL if the file cannot be read. */
char		*h_read_file(const char *path, size_t *len);
/* Writes data to path, replacing it (through a rename). */
void		 h_write_file(const char *path, const void *data, size_t len);
bool		 h_file_exists(const char *path);
/* True if the file at path contains needle. */
bool		 h_file_contains(const char *path, const char *needle);
/* A monotonic clock in milliseconds. */
long long	 h_now_ms(void);
void		 h_sleep_ms(int ms);
/* Calls fn(arg) every 20 ms until it returns true or timeout_ms passes;
 * returns its last answer. */
typedef bool	(*h_cond_fn)(void *arg);
bool		 h_wait_until(h_cond_fn fn, void *arg, int timeout_ms);

/*
 * PostgreSQL: a database per test on the run's cluster.
 */

struct h_db {
	char	 name[64];		/* unique in the run */
	char	 conninfo[H_PATH_MAX];	/* "host=... dbname=... user=..." */
	PGconn	*conn;			/* owned; opened by the first query,
					   closed by h_db_drop */
};

/* Creates an empty database with a unique name and fills db. */
void		 h_db_create(struct h_db *db);
/* Drops the database, ending any session still connected to it (a
 * daemon left running, for instance). Safe on a zeroed struct. */
void		 h_db_drop(struct h_db *db);

/*
 * The query helpers take the SQL text and then its parameters ($1, $2,
 * ...), all const char * and never NULL (the list ends at the first
 * NULL; write a NULL in the SQL instead). Their connection is opened as
 * the first query needs it and reopened once if it was lost:
 *	h_db_query_int(&db, "SELECT count(*) FROM x WHERE a = $1", "b")
 */
/* Runs a statement; fails the test unless it succeeds. */
#define h_db_exec(db, ...)						\
	h_db_exec_v((db), (const char *const[]){ __VA_ARGS__, NULL })
/* The result of a query. Owned: PQclear(). */
#define h_db_query(db, ...)						\
	h_db_query_v((db), (const char *const[]){ __VA_ARGS__, NULL })
/* The single value of a one-row, one-column query, not NULL: an integer,
 * or t/f read as 1/0. */
#define h_db_query_int(db, ...)						\
	h_db_query_int_v((db), (const char *const[]){ __VA_ARGS__, NULL })
/* The single value of a one-row, one-column query. Test-lived; NULL for
 * SQL NULL. */
#define h_db_query_str(db, ...)						\
	h_db_query_str_v((db), (const char *const[]){ __VA_ARGS__, NULL })
/* Runs a statement expected to fail: its SQLSTATE (test-lived), or NULL
 * if it succeeded. */
#define h_db_sqlstate(db, ...)						\
	h_db_sqlstate_v((db), (const char *const[]){ __VA_ARGS__, NULL })
/* Repeats h_db_query_int until it returns want or timeout_ms passes;
 * returns the last value read (a query error counts as "not yet"). */
#define h_db_wait_int(db, timeout_ms, want, ...)			\
	h_db_wait_int_v((db), (timeout_ms), (want),			\
	    (const char *const[]){ __VA_ARGS__, NULL })

void		 h_db_exec_v(struct h_db *db, const char *const *sql_params);
PGresult	*h_db_query_v(struct h_db *db, const char *const *sql_params);
long long	 h_db_query_int_v(struct h_db *db,
		    const char *const *sql_params);
const char	*h_db_query_str_v(struct h_db *db,
		    const char *const *sql_params);
const char	*h_db_sqlstate_v(struct h_db *db,
		    const char *const *sql_params);
long long	 h_db_wait_int_v(struct h_db *db, int timeout_ms,
		    long long want, const char *const *sql_params);

/* Ends every session on the database but the harness's own: what a
 * daemon sees when PostgreSQL restarts. */
void		 h_db_kill_connections(struct h_db *db);
/* Refuses (false) or allows again (true) new connections to the
 * database, the harness's included: "PostgreSQL is down" for one test
 * without touching the shared cluster. */
void		 h_db_allow_connections(struct h_db *db, bool allow);

/*
 * The mail catcher, tests/support/smtpd.py.
 */

struct h_smtp {
	pid_t	 pid;			/* 0 while stopped */
	int	 port;
	char	 url[64];		/* "smtp://127.0.0.1:PORT" */
	char	 dir[H_PATH_MAX];	/* NNNNNN.eml/.json, rules.json,
					   events.jsonl */
	char	 log_path[H_PATH_MAX];	/* smtpd's output */
};

/* Starts a catcher on a free port with a new folder in the test's
 * directory and waits until it accepts connections. */
void		 h_smtp_start(struct h_smtp *smtp);
/* SIGTERM and wait; the stored messages stay. No-op if stopped. */
void		 h_smtp_stop(struct h_smtp *smtp);
/* Stops the catcher if it runs, then starts it again on the same port
 * and folder (numbering continues): "mail server down, then back". */
void		 h_smtp_restart(struct h_smtp *smtp);
/*
 * Makes the catcher answer code to RCPT TO:<rcpt> for the next `times`
 * attempts (times < 0: for ever), then accept. rcpt "*" matches any
 * recipient. code 0 removes the rule. Takes effect at the next RCPT.
 */
void		 h_smtp_rule(struct h_smtp *smtp, const char *rcpt, int code,
		    int times);
/* The same, refusing at the end of DATA instead of at RCPT. */
void		 h_smtp_rule_data(struct h_smtp *smtp, const char *rcpt,
		    int code, int times);
/* Number of messages stored so far. */
int		 h_smtp_count(const struct h_smtp *smtp);
/* Waits until at least n messages are stored or timeout_ms passes;
 * returns the count (compare it with n). */
int		 h_smtp_wait(const struct h_smtp *smtp, int n, int timeout_ms);
/*
 * Message i (0 = the first stored) as smtpd.py's parse: mail_from,
 * rcpt_tos, subject, from, to, cc, message_id, date, headers (lowercased
 * name -> array of decoded values), text, html (LF line ends),
 * attachments [{filename, content_type, disposition, size, sha256,
 * data_base64}], parts, defects, headers_raw_lines_ok, raw_7bit, size.
 * New reference (json_decref). Fails the test if there is no message i.
 */
json_t		*h_smtp_message(const struct h_smtp *smtp, int i);
/* The exact bytes of message i. Owned (free()), NUL-terminated. */
char		*h_smtp_raw(const struct h_smtp *smtp, int i, size_t *len);
/* Index of the first message whose envelope has rcpt (case-insensitive)
 * at or after message `from`, or -1. */
int		 h_smtp_find(const struct h_smtp *smtp, const char *rcpt,
		    int from);
/* First value of a header in a message from h_smtp_message, or NULL.
 * Borrowed from msg. */
const char	*h_smtp_header(json_t *msg, const char *name);
/* events.jsonl as an array of {event: connect|rcpt|data|disconnect,
 * peer, time, address, code, ...}. New reference. */
json_t		*h_smtp_events(const struct h_smtp *smtp);
/* RCPT attempts for rcpt (any answer), and connections accepted. */
int		 h_smtp_rcpt_attempts(const struct h_smtp *smtp,
		    const char *rcpt);
int		 h_smtp_connections(const struct h_smtp *smtp);

/*
 * pald.
 */

struct h_pald {
	pid_t	 pid;			/* 0 once stopped or reaped */
	int	 port;			/* read from the port file */
	char	 url[64];		/* "http://127.0.0.1:PORT" */
	char	 dir[H_PATH_MAX];	/* the test's directory */
	char	 conf_path[H_PATH_MAX];	/* pald[-N].conf */
	char	 port_path[H_PATH_MAX];	/* pald[-N].port */
	char	 log_path[H_PATH_MAX];	/* pald[-N].log: stdout and stderr */
	int	 exit_status;		/* after a wait: code, or 128 +
					   signal */
};

/*
 * Writes the configuration and starts $PALD_TEST_BUILD/pald -c conf.
 * The file sets listen_address = 127.0.0.1, listen_port = 0, port_file,
 * database = db->conninfo, mail_from = pald@localhost, mail_poll_ms =
 * 100, mail_retry_base_s = 1, log_level = debug, and smtp_url =
 * smtp->url when smtp is not NULL (mail_threads = 0 otherwise, so
 * nothing is delivered); then extra_config ("key = value\n" lines, may
 * be NULL), whose keys win. public_url is not set: pald derives it from
 * the port it bound. h_pald_start waits (H_START_TIMEOUT_MS) for the
 * port file and for GET /healthz to answer, and fails the test, after
 * printing the log, if pald exits or does not get there.
 */
void		 h_pald_start(struct h_pald *pald, const struct h_db *db,
		    const struct h_smtp *smtp, const char *extra_config);
/* The two halves of h_pald_start, for tests of startup itself. */
void		 h_pald_spawn(struct h_pald *pald, const struct h_db *db,
		    const struct h_smtp *smtp, const char *extra_config);
/* True once ready; false if pald exited (exit_status set) or the time
 * ran out. */
bool		 h_pald_wait_ready(struct h_pald *pald, int timeout_ms);
/*
 * SIGTERM, then waits H_STOP_TIMEOUT_MS. Fails the test if pald had to
 * be killed, exited with a non-zero status, or left a sanitizer report
 * ($PALD_TEST_TMP/asan.<pid>, ubsan.<pid>, or a UBSan "runtime error:"
 * in its log, where GCC's UBSan writes when ASan is linked too); the
 * report is printed. No-op if not running.
 */
void		 h_pald_stop(struct h_pald *pald);
/* SIGKILL and reap, for fault tests; checks nothing. */
void		 h_pald_kill(struct h_pald *pald);
/* Stops it (as h_pald_stop) and starts it again with the same
 * configuration; the port changes. */
void		 h_pald_restart(struct h_pald *pald);
/* Sends sig (SIGHUP for a reload, say). */
void		 h_pald_signal(const struct h_pald *pald, int sig);
/* Waits for pald to exit by itself; returns exit_status, or -1 if it
 * still runs after timeout_ms. Fails the test on a sanitizer report. */
int		 h_pald_wait_exit(struct h_pald *pald, int timeout_ms);
/* pald's log so far. Owned (free()). */
char		*h_pald_log(const struct h_pald *pald);
/*
 * Runs `pald -c <conf> --create-admin "Admin Pruebas" admin@ejemplo.mx`
 * and copies the token it prints (64 hex characters) to out. Fails the
 * test if the command fails or prints no token.
 */
void		 h_pald_admin_token(const struct h_pald *pald, char *out,
		    size_t size);

/*
 * Commands: the real client and anything else (pdftotext, say).
 */

struct h_run {
	int	 status;	/* exit code, or 128 + signal */
	char	*out;		/* owned: stdout, NUL-terminated */
	size_t	 out_len;
	char	*err;		/* owned: stderr, NUL-terminated */
	size_t	 err_len;
};

/*
 * Runs argv (argv[0] searched in PATH) with HOME set to the test's
 * home/, PAL_URL, PAL_TOKEN and XDG_CONFIG_HOME unset, then env's
 * entries applied ("K=V" sets, "K" unsets; env may be NULL), feeding
 * in[0..in_len) to stdin (in NULL: /dev/null). Fails the test if it
 * runs longer than H_RUN_TIMEOUT_MS or leaves a sanitizer report (a
 * file, or a UBSan "runtime error:" on its stderr).
 */
struct h_run	 h_run_argv(const char *const *argv, const char *const *env,
		    const void *in, size_t in_len);
/* Frees out and err; the struct may be reused. */
void		 h_run_free(struct h_run *run);
/*
 * $PALD_TEST_BUILD/pal [--url pald->url] [--token token] argv...
 * (pald NULL: no --url; token NULL: no --token).
 */
struct h_run	 h_pal_argv(const struct h_pald *pald, const char *token,
		    const char *const *env, const void *in, size_t in_len,
		    const char *const *argv);
/* $PALD_TEST_BUILD/pald -c <pald's conf> argv..., stdout and stderr
 * captured. */
struct h_run	 h_pald_run_argv(const struct h_pald *pald,
		    const char *const *argv);

#define h_cmd(...)							\
	h_run_argv((const char *const[]){ __VA_ARGS__, NULL }, NULL, NULL, 0)
#define h_pal(pald, token, ...)						\
	h_pal_argv((pald), (token), NULL, NULL, 0,			\
	    (const char *const[]){ __VA_ARGS__, NULL })
#define h_pal_stdin(pald, token, in, in_len, ...)			\
	h_pal_argv((pald), (token), NULL, (in), (in_len),		\
	    (const char *const[]){ __VA_ARGS__, NULL })
#define h_pald_run(pald, ...)						\
	h_pald_run_argv((pald), (const char *const[]){ __VA_ARGS__, NULL })

/*
 * Raw HTTP with libcurl: no redirects followed, 30 s timeout.
 */

struct h_http {
	long	 status;	/* HTTP status; 0 if there was no answer */
	char	*body;		/* owned, NUL-terminated */
	size_t	 len;
	char	*headers;	/* owned: the final response's header lines */
	char	 error[256];	/* curl's message when status is 0 */
};

/* token may be NULL (no Authorization), content_type NULL (none), body
 * NULL (no body). */
struct h_http	 h_http(const char *method, const char *url,
		    const char *token, const char *content_type,
		    const void *body, size_t len);
/* The same plus request headers ("Name: value"; NULL-terminated array,
 * may be NULL). */
struct h_http	 h_http_hdrs(const char *method, const char *url,
		    const char *token, const char *content_type,
		    const void *body, size_t len,
		    const char *const *headers);
/* method on pald->url + path, with json (may be NULL) as an
 * application/json body. */
struct h_http	 h_api(const struct h_pald *pald, const char *method,
		    const char *path, const char *token, const char *json);
/* One request of h_http_parallel. */
struct h_http_req {
	const char	*method;
	const char	*url;
	const char	*token;		/* NULL: no Authorization */
	const char	*json;		/* application/json body; NULL: none */
	struct h_http	 resp;		/* the answer; owned, h_http_free() */
};
/*
 * Sends reqs[0..n) at once, each from a thread of its own (races between
 * requests, or between daemons), and returns when every one has its
 * answer in resp. A request that got none has resp.status 0 and
 * resp.error; checking the answers is the caller's (in the test's
 * thread, where Criterion's assertions work).
 */
void		 h_http_parallel(struct h_http_req *reqs, int n);
/* Value of a response header (case-insensitive name), NULL if absent.
 * Test-lived. */
const char	*h_http_header(const struct h_http *resp, const char *name);
/* The body parsed as JSON; new reference, NULL if it is not JSON. */
json_t		*h_http_json(const struct h_http *resp);
/* Frees body and headers; the struct may be reused. */
void		 h_http_free(struct h_http *resp);

/*
 * Raw HTTP over a plain TCP socket to 127.0.0.1, for what libcurl will
 * not send: malformed or oversized requests, several requests in one
 * write, bodies that stall or dribble, a half-closed connection.
 */

struct h_raw {
	long		 status;	/* first status line's code; 0: none */
	int		 responses;	/* status lines ("HTTP/1.x NNN") seen */
	char		*data;		/* owned: every byte received,
					   NUL-terminated */
	size_t		 len;
	const char	*body;		/* into data: what follows the first
					   response's head; "" if none */
	bool		 closed;	/* the server closed (EOF or reset) */
	long long	 elapsed_ms;	/* h_raw_read's own duration */
};

/* A connected socket to 127.0.0.1:port (close() it); fails the test if
 * the connection is refused. */
int		 h_raw_connect(int port);
/* Writes bytes[0..len); false if the server closed the connection
 * before all was written (never SIGPIPE). */
bool		 h_raw_send(int fd, const void *bytes, size_t len);
/*
 * Reads until the server closes the connection, `responses` complete
 * responses (head plus Content-Length bytes) have arrived (responses 0:
 * only the close counts), or timeout_ms passes.
 */
struct h_raw	 h_raw_read(int fd, int responses, int timeout_ms);
/* One exchange: connects, sends bytes, reads until the server closes or
 * timeout_ms passes, closes. */
struct h_raw	 h_http_raw(int port, const void *bytes, size_t len,
		    int timeout_ms);
/* Frees data; the struct may be reused. */
void		 h_raw_free(struct h_raw *r);

#endif
