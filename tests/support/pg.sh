# shellcheck shell=sh
# shellcheck disable=SC2034 # PG_DATA and PG_HOST are read by the callers
# A throwaway PostgreSQL 15 for the scripts under tests/ (sourced, POSIX
# sh): a private cluster in a directory of the caller, on a Unix socket
# there only, run as the postgres user when we are root (PostgreSQL
# refuses root), with speed over durability (fsync off). The socket lives
# in that directory, so the default port number cannot clash with
# another cluster.
#
#   pg_init DIR [LINE...]  initdb into DIR/pg (DIR is created, and given
#                          to postgres when root), the settings below and
#                          then each LINE of postgresql.conf (a later one
#                          overrides); sets PG_DATA and PG_HOST (= DIR,
#                          the socket directory for -h and host=)
#   pg_start               starts it, waits until it accepts connections
#   pg_stop MODE           fast (a clean shutdown) or immediate (every
#                          process quits at once; recovery on next start)
#   pg_cleanup             for a trap: stops it (immediate) if it runs
#   pg_as CMD...           runs CMD as the cluster's owner, from /
#
# Each returns non-zero on failure, after copying the server's log (or
# initdb's) to stderr; the caller says so and stops. It never touches the
# system's own clusters or port 5432, and deletes nothing: DIR is the
# caller's to remove after pg_cleanup.

PGBIN=/usr/lib/postgresql/15/bin
PG_STARTED=0
PG_DATA=
PG_HOST=

# From /, since the caller's directory may be closed to postgres.
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

pg_init() {
	PG_HOST=$1
	PG_DATA=$1/pg
	shift
	mkdir -p "$PG_HOST" || return 1
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$PG_HOST" || return 1
	fi
	pg_as "$PGBIN/initdb" -D "$PG_DATA" --auth=trust -U postgres -E UTF8 \
	    --locale=C.UTF-8 --no-sync >"$PG_HOST/initdb.log" 2>&1 ||
	    { cat "$PG_HOST/initdb.log" >&2; return 1; }
	{
		cat <<EOF
# tests/support/pg.sh: a throwaway cluster, speed over durability.
listen_addresses = ''
unix_socket_directories = '$PG_HOST'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
log_min_messages = warning
EOF
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >>"$PG_DATA/postgresql.conf"
}

pg_start() {
	pg_as "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_HOST/postgresql.log" -w \
	    -t 60 start >/dev/null 2>&1 ||
	    { tail -n 20 "$PG_HOST/postgresql.log" >&2; return 1; }
	PG_STARTED=1
}

pg_stop() {
	pg_as "$PGBIN/pg_ctl" -D "$PG_DATA" -m "$1" -w -t 60 stop \
	    >/dev/null 2>&1 ||
	    { tail -n 20 "$PG_HOST/postgresql.log" >&2; return 1; }
	PG_STARTED=0
}

# Idempotent; never fails (a trap goes on to remove the directory).
pg_cleanup() {
	if [ "$PG_STARTED" = 1 ]; then
		PG_STARTED=0
		pg_as "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop \
		    >/dev/null 2>&1 || true
	fi
}
