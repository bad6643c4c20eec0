# shellcheck shell=sh
# shellcheck disable=SC2034 # the variables set here are read by the callers
# Shared setup of tests/faults/run.sh and tests/soak/run.sh; sourced, not
# run. It gives a script its own throwaway world, all on loopback or Unix
# sockets, and a trap that stops it:
#
#   - a private PostgreSQL 15 (tests/support/pg.sh: initdb into a
#     temporary directory, socket there, run as the postgres user when we
#     are root), with fsync off but synchronous_commit on: an acknowledged commit must survive an
#     immediate stop of the server, which is what the faults check;
#   - the mail catcher tests/support/smtpd.py on a port of 127.0.0.1;
#   - pald from BUILD_DIR with listen_port = 0 and a port_file, and an
#     administrator token made by `pald --create-admin`.
#
# The caller sets nothing before sourcing; it calls lib_args, then
# lib_setup, and lib_finish last. Functions (all return non-zero or exit
# on failure):
#
#   lib_args NAME ARGS...      [--short] BUILD_DIR: sets SHORT and
#                              LIB_BUILD_ARG
#   lib_setup NAME BUILD_DIR   tmp dir, paths, traps; results go to
#                              BUILD_DIR/NAME/test-counts
#   lib_pg_init, lib_pg_start, lib_pg_stop MODE (tests/support/pg.sh,
#   dying on failure), pg_createdb, pg_sql ARGS...
#   smtp_start [PORT], smtp_stop [SIGNAL], mail_count
#   pald_config [LINE...]      writes pald.conf: the base plus LINEs
#   pald_start, pald_stop, pald_kill9, pald_alive, pald_rss_kib
#   lib_admin                  sets ADMIN_TOKEN (needs a config)
#   lib_pass MSG, lib_fail MSG counts and prints one result line
#   lib_finish                 stops pald, counts a failure per pald log
#                              holding a sanitizer report, writes the
#                              counts, prints "N passed, N failed",
#                              exits non-zero on any failure
#
# It does not build anything (make does) and never touches the system's
# own clusters or port 5432. PALD_TEST_KEEP=1 keeps the temporary
# directory (logs, mail, data) and prints where it is. POSIX sh.

PYTHON=/usr/bin/python3

# Both callers are tests/NAME/run.sh.
# shellcheck source=tests/support/pg.sh
. "$(dirname "$0")/../support/pg.sh"

# What the trap must undo; empty (or 0) until started.
PALD_PID=
SMTPD_PID=
LIB_TMP=
LIB_PASSED=0
LIB_FAILED=0
LIB_NPALD=0

lib_die() {
	printf '%s: %s\n' "$LIB_NAME" "$*" >&2
	exit 1
}

lib_log() {
	printf '%s: %s\n' "$LIB_NAME" "$*"
}

# Seconds since the epoch with nanoseconds, for timing with lib_elapsed.
lib_now() {
	date +%s.%N
}

# lib_elapsed T0 [T1]: seconds from T0 to T1 (default now), 3 decimals.
lib_elapsed() {
	awk -v a="$1" -v b="${2:-$(lib_now)}" 'BEGIN { printf "%.3f", b - a }'
}

# True while PID exists and is not a zombie (an exited child that the
# shell has not reaped yet still answers kill -0).
lib_alive() {
	[ -n "$1" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || true
	[ -n "$state" ] && [ "$state" != Z ]
}

# lib_wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds;
# false if SECONDS pass first.
lib_wait_for() {
	n=$(awk -v s="$1" 'BEGIN { printf "%d", s * 10 }')
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# Sends SIGTERM to a child and waits for it (SIGKILL after 20 s).
lib_stop_child() {
	kill -TERM "$1" 2>/dev/null || true
	n=0
	while lib_alive "$1" && [ "$n" -lt 200 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if lib_alive "$1"; then
		lib_log "$2 did not stop in 20 s; SIGKILL"
		kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

# Stops whatever was started, in reverse order; runs from the traps and is
# idempotent (each step clears its marker).
# shellcheck disable=SC2317 # called from the traps
lib_cleanup() {
	if [ -n "$PALD_PID" ]; then
		lib_stop_child "$PALD_PID" pald
		PALD_PID=
	fi
	if [ -n "$SMTPD_PID" ]; then
		lib_stop_child "$SMTPD_PID" smtpd.py
		SMTPD_PID=
	fi
	pg_cleanup
	if [ -n "$LIB_TMP" ] && [ -d "$LIB_TMP" ]; then
		if [ "${PALD_TEST_KEEP:-0}" = 1 ]; then
			lib_log "kept $LIB_TMP" >&2
		else
			rm -rf "$LIB_TMP"
		fi
		LIB_TMP=
	fi
}

# lib_args NAME ARGS...: the command line of tests/NAME/run.sh,
# "[--short] BUILD_DIR". Sets SHORT (1 with --short, else 0) and
# LIB_BUILD_ARG, or prints the usage and exits 2.
lib_args() {
	LIB_NAME=$1
	shift
	SHORT=0
	if [ "${1:-}" = --short ]; then
		SHORT=1
		shift
	fi
	[ $# -eq 1 ] || { echo "usage: sh tests/$LIB_NAME/run.sh [--short]" \
	    "BUILD_DIR" >&2; exit 2; }
	LIB_BUILD_ARG=$1
}

# lib_setup NAME BUILD_DIR
lib_setup() {
	LIB_NAME=$1
	# Both callers are tests/NAME/run.sh.
	LIB_SRC=$(cd "$(dirname "$0")/../.." && pwd) ||
	    lib_die "cannot find the source tree"
	[ -d "$2" ] || lib_die "no build directory $2 (run make first)"
	BUILD=$(cd "$2" && pwd) || lib_die "cannot enter $2"
	PALD=$BUILD/pald
	PAL=$BUILD/pal
	[ -x "$PALD" ] || lib_die "no $PALD (run make first)"
	[ -x "$PAL" ] || lib_die "no $PAL (run make first)"
	[ -x "$PYTHON" ] || lib_die "no $PYTHON (install python3-aiosmtpd)"
	[ -x "$PGBIN/initdb" ] || lib_die "no $PGBIN (install postgresql)"
	# A sanitizer build reports into pald's log (lib_finish looks), with
	# the suppressions and settings tests/run.sh uses.
	if nm "$PALD" 2>/dev/null | grep -q __asan_init; then
		export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
		export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
		export LSAN_OPTIONS="suppressions=$LIB_SRC/tests/support/lsan.supp:print_suppressions=0"
		export G_SLICE=always-malloc
	fi
	LIB_OUT=$BUILD/$LIB_NAME
	mkdir -p "$LIB_OUT" || lib_die "cannot create $LIB_OUT"
	rm -f "$LIB_OUT/test-counts"
	LIB_TMP=$(mktemp -d "/tmp/pald-$LIB_NAME.XXXXXX") ||
	    lib_die "mktemp failed"
	trap lib_cleanup EXIT
	trap 'lib_cleanup; exit 130' INT
	trap 'lib_cleanup; exit 143' TERM
	chmod 755 "$LIB_TMP"
	MAIL_DIR=$LIB_TMP/mail
	mkdir -p "$MAIL_DIR"
	PALD_CONF=$LIB_TMP/pald.conf
	PALD_PORT_FILE=$LIB_TMP/pald.port
}

# --- PostgreSQL --------------------------------------------------------

# The cluster of tests/support/pg.sh in LIB_TMP (socket there, data in
# LIB_TMP/pg), with synchronous_commit back on: fsync is off (the machine
# does not crash in these tests), but with synchronous_commit off an
# immediate stop may lose commits already acknowledged.
lib_pg_init() {
	pg_init "$LIB_TMP" "synchronous_commit = on" ||
	    lib_die "initdb failed"
}

lib_pg_start() {
	pg_start || lib_die "PostgreSQL did not start"
}

# lib_pg_stop MODE: fast or immediate (see pg_stop).
lib_pg_stop() {
	pg_stop "$1" || lib_die "PostgreSQL did not stop ($1)"
}

# pg_sql ARGS...: psql on database pald as the superuser, unaligned,
# tuples only, stopping at the first error.
pg_sql() {
	"$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$LIB_TMP" \
	    -U postgres -d pald "$@"
}

pg_createdb() {
	"$PGBIN/psql" -X -q -h "$LIB_TMP" -U postgres -d postgres \
	    -c 'CREATE DATABASE pald' || lib_die "CREATE DATABASE failed"
}

# --- The mail catcher --------------------------------------------------

# smtp_start [PORT]: the catcher on 127.0.0.1:PORT (a free one if absent
# or 0), storing into MAIL_DIR; sets SMTP_PORT. A restart on the same
# port keeps numbering after what MAIL_DIR holds.
smtp_start() {
	rm -f "$LIB_TMP/smtpd.port"
	"$PYTHON" "$LIB_SRC/tests/support/smtpd.py" --port "${1:-0}" \
	    --dir "$MAIL_DIR" --port-file "$LIB_TMP/smtpd.port" \
	    >>"$LIB_TMP/smtpd.log" 2>&1 &
	SMTPD_PID=$!
	lib_wait_for 15 test -s "$LIB_TMP/smtpd.port" ||
	    { tail -n 20 "$LIB_TMP/smtpd.log" >&2;
	    lib_die "smtpd.py did not start"; }
	SMTP_PORT=$(cat "$LIB_TMP/smtpd.port")
}

# smtp_stop [SIGNAL]: TERM by default; KILL drops it mid-transaction.
smtp_stop() {
	kill "-${1:-TERM}" "$SMTPD_PID" 2>/dev/null || true
	wait "$SMTPD_PID" 2>/dev/null || true
	SMTPD_PID=
}

# The number of complete messages the catcher stored (NNNNNN.json).
mail_count() {
	find "$MAIL_DIR" -maxdepth 1 -name '[0-9]*.json' | wc -l
}

# --- pald --------------------------------------------------------------

# pald_config [LINE...]: writes PALD_CONF with the base settings (this
# world's database, catcher and port file) and then each LINE, so a
# later line may override an earlier key.
pald_config() {
	{
		echo "# Written by tests/faults/lib.sh."
		echo "listen_address = 127.0.0.1"
		echo "listen_port = 0"
		echo "port_file = $PALD_PORT_FILE"
		echo "database = host=$LIB_TMP dbname=pald user=postgres"
		echo "smtp_url = smtp://127.0.0.1:$SMTP_PORT"
		echo "mail_from = pald@localhost"
		for line in "$@"; do
			echo "$line"
		done
	} >"$PALD_CONF"
}

# Starts pald in the background, its log in LIB_TMP/pald.N.log (one file
# per start); waits for the port file. Sets PALD_PID, PALD_URL, PALD_LOG.
pald_start() {
	rm -f "$PALD_PORT_FILE"
	LIB_NPALD=$((LIB_NPALD + 1))
	PALD_LOG=$LIB_TMP/pald.$LIB_NPALD.log
	"$PALD" -c "$PALD_CONF" >"$PALD_LOG" 2>&1 &
	PALD_PID=$!
	lib_wait_for 15 pald_port_ready ||
	    { tail -n 30 "$PALD_LOG" >&2; lib_die "pald did not start"; }
	PALD_URL=http://127.0.0.1:$(cat "$PALD_PORT_FILE")
}

# shellcheck disable=SC2317 # called through lib_wait_for
pald_port_ready() {
	lib_alive "$PALD_PID" || return 2
	test -s "$PALD_PORT_FILE"
}

pald_stop() {
	lib_stop_child "$PALD_PID" pald
	PALD_PID=
}

pald_kill9() {
	kill -KILL "$PALD_PID" 2>/dev/null || true
	wait "$PALD_PID" 2>/dev/null || true
	PALD_PID=
}

pald_alive() {
	lib_alive "$PALD_PID"
}

# pald's resident set, in KiB.
pald_rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$PALD_PID/status"
}

# Creates an administrator and sets ADMIN_TOKEN (applies the migrations).
lib_admin() {
	ADMIN_TOKEN=$("$PALD" -c "$PALD_CONF" --create-admin "Administración" \
	    admin@localhost 2>"$LIB_TMP/create-admin.log") ||
	    { cat "$LIB_TMP/create-admin.log" >&2;
	    lib_die "pald --create-admin failed"; }
	[ -n "$ADMIN_TOKEN" ] || lib_die "pald --create-admin printed no token"
}

# The full world most checks want: cluster, database, catcher, a config
# with the given extra LINEs, the admin, pald running.
lib_world() {
	lib_pg_init
	lib_pg_start
	pg_createdb
	smtp_start 0
	pald_config "$@"
	lib_admin
	pald_start
}

# --- Results -----------------------------------------------------------

# One line, whatever the message's line breaks and indentation.
lib_oneline() {
	printf '%s\n' "$(printf '%s' "$*" | tr '\n\t' '  ' | tr -s ' ')"
}

lib_pass() {
	LIB_PASSED=$((LIB_PASSED + 1))
	lib_oneline "PASS $*"
}

# A failure also shows the last warnings and errors of pald's current
# log, where the cause usually is.
lib_fail() {
	LIB_FAILED=$((LIB_FAILED + 1))
	lib_oneline "FAIL $*"
	if [ -n "${PALD_LOG:-}" ] && [ -f "$PALD_LOG" ]; then
		echo "---- last warnings and errors of $PALD_LOG ----"
		grep -E ' (WARN|ERROR) ' "$PALD_LOG" | tail -n 10
		echo "----"
	fi
}

lib_finish() {
	# A sanitizer build reports at exit: stop pald first, then look at
	# every log it wrote (a SIGKILLed one reports nothing, by design).
	if [ -n "$PALD_PID" ]; then
		pald_stop
	fi
	for f in "$LIB_TMP"/pald.*.log; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"
		then
			PALD_LOG=
			lib_fail "sanitizer report in ${f##*/}:"
			grep -E -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
			    "$f" | head -n 40
		fi
	done
	echo "$LIB_PASSED $LIB_FAILED" >"$LIB_OUT/test-counts"
	echo "$LIB_PASSED passed, $LIB_FAILED failed"
	[ "$LIB_FAILED" -eq 0 ] || exit 1
	exit 0
}
