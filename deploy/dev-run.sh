#!/bin/sh
# What `make run` runs once pald and pal are built:
#
#     sh deploy/dev-run.sh BUILD_DIR
#
# It starts a private PostgreSQL cluster, the test mail catcher and pald,
# configures pal with an administrator token, prints how to use pal and
# keeps pald in the foreground. Ctrl-C (or SIGTERM) stops all three; it
# leaves nothing running. Everything lives under ./var/ of the repository,
# so a second `make run` finds the same data:
#
#     var/pg/          the PostgreSQL cluster (data/, run/ socket, log)
#     var/mail/        every message pald sends, caught, never delivered
#     var/pald.conf    pald's configuration (written on the first run)
#     var/admin-token  the administrator's API token (mode 600)
#
# PostgreSQL refuses to run as root, so as root it runs as the postgres
# user. That user cannot enter a clone under /root (mode 700): then the
# cluster lives in /var/tmp/pald-dev-HASH/ (HASH of the repository path;
# Debian does not age /var/tmp) and var/pg is a symlink to it.
#
# It deliberately does not install packages or build (make does that), and
# never touches the system's own PostgreSQL clusters, port 5432 or
# /var/run/postgresql: the cluster listens only on its private socket.
#
# POSIX sh (dash). Messages for people are Spanish, as everywhere in pald.
set -eu

HTTP_PORT=8080
SMTP_PORT=2525
PYTHON=/usr/bin/python3		# Debian's, the one with python3-aiosmtpd

# What the trap must undo; empty (or 0) until started.
PALD_PID=
SMTPD_PID=
PG_STARTED=0

die() {
	printf 'dev-run: %s\n' "$*" >&2
	exit 1
}

# --- Arguments and paths ---------------------------------------------

[ $# -eq 1 ] || die "uso: sh deploy/dev-run.sh DIRECTORIO_DE_COMPILACION"
# BUILD_DIR is relative to the caller's directory: resolve it first.
BUILD=$(cd "$1" 2>/dev/null && pwd -P) ||
    die "no existe el directorio de compilación «$1» (ejecute «make»)"
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$ROOT"
VAR=$ROOT/var
PALD=$BUILD/pald
PAL=$BUILD/pal

[ -x "$PALD" ] || die "falta $PALD (ejecute «make»)"
[ -x "$PAL" ] || die "falta $PAL (ejecute «make»)"
[ -x "$PYTHON" ] || die "falta $PYTHON (instale python3-aiosmtpd)"
[ -f tests/support/smtpd.py ] || die "falta tests/support/smtpd.py"

# PostgreSQL's server binaries are not on Debian's PATH; prefer 15.
PGBIN=
for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
	if [ -x "$d/pg_ctl" ]; then
		PGBIN=$d
		break
	fi
done
if [ -z "$PGBIN" ] && command -v pg_ctl >/dev/null 2>&1; then
	PGBIN=$(dirname "$(command -v pg_ctl)")
fi
[ -n "$PGBIN" ] || die "no se encontró PostgreSQL (instale el paquete postgresql)"

# --- Helpers -----------------------------------------------------------

# Runs a PostgreSQL server command as the cluster's owner. As postgres it
# runs from /, since the repository may be a directory postgres cannot
# enter (every path given to it is absolute).
as_pg() {
	if [ "$PGOWNER" = postgres ] && [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# Runs psql on the private socket as the cluster's superuser.
pg_sql() {
	"$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$SOCKDIR" \
	    -U postgres "$@"
}

# True if nothing listens on 127.0.0.1:PORT: binds it the way pald and
# smtpd.py will (SO_REUSEADDR, so connections of a previous run lingering
# in TIME_WAIT do not count as "taken").
port_free() {
	"$PYTHON" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('127.0.0.1', int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# Refuses to go on when PORT is taken, naming the process if ss can.
need_port() {
	if ! port_free "$1"; then
		printf 'dev-run: el puerto %s de 127.0.0.1 ya está en uso (%s).\n' \
		    "$1" "$2" >&2
		if command -v ss >/dev/null 2>&1; then
			ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/    /' >&2 || true
		fi
		printf '¿Hay otro «make run» en marcha? Deténgalo o libere el puerto y vuelva a intentarlo.\n' >&2
		exit 1
	fi
}

# True while PID exists and is not a zombie (an exited child that the
# shell has not reaped yet still answers kill -0).
# shellcheck disable=SC2317 # called from the traps
alive() {
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || true
	[ -n "$state" ] && [ "$state" != Z ]
}

# Waits up to 15 s until PID accepts connections on 127.0.0.1:PORT; if PID
# dies first or time runs out, says so (NAME) and exits.
wait_port() {
	"$PYTHON" - "$1" "$2" <<'EOF' && return 0
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def alive():
    try:
        with open('/proc/%s/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return False
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    if not alive():
        sys.exit(2)
    try:
        socket.create_connection(('127.0.0.1', port), 0.5).close()
        sys.exit(0 if alive() else 2)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
	die "$3 no quedó escuchando en 127.0.0.1:$1${4:+ (vea $4)}"
}

# Sends SIGTERM to a child and waits for it (SIGKILL after 20 s).
# shellcheck disable=SC2317 # called from the traps
stop_child() {
	kill -TERM "$1" 2>/dev/null || true
	n=0
	while alive "$1" && [ "$n" -lt 100 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	if alive "$1"; then
		printf 'dev-run: %s no terminó a tiempo; se fuerza (SIGKILL)\n' \
		    "$2" >&2
		kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

# Stops whatever this script started, in reverse order. Runs from the
# traps; idempotent (each step clears its marker), and every command is
# guarded because set -e is still in force inside a trap.
# shellcheck disable=SC2317 # called from the traps
cleanup() {
	if [ -n "$PALD_PID" ]; then
		stop_child "$PALD_PID" pald
		PALD_PID=
	fi
	if [ -n "$SMTPD_PID" ]; then
		stop_child "$SMTPD_PID" "el receptor de correo"
		SMTPD_PID=
	fi
	if [ "$PG_STARTED" = 1 ]; then
		PG_STARTED=0
		if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
			as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 \
			    stop >/dev/null 2>&1 ||
			    printf 'dev-run: no se pudo detener PostgreSQL (%s)\n' \
			    "$PGDATA" >&2
		fi
		echo "dev-run: pald, el receptor de correo y PostgreSQL detenidos." >&2
	fi
}
trap cleanup EXIT
# On a signal: clean up, then exit with the conventional 128 + signal
# number (the EXIT trap then finds nothing left to do).
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# --- Ports, before starting anything ----------------------------------

need_port "$HTTP_PORT" "lo necesita pald"
need_port "$SMTP_PORT" "lo necesita el receptor de correo"

umask 022
mkdir -p "$VAR/mail"

# --- Where the cluster lives, and who runs it -------------------------

HASH=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
if [ "$(id -u)" -eq 0 ]; then
	PGOWNER=postgres
	id postgres >/dev/null 2>&1 ||
	    die "no existe el usuario postgres (instale el paquete postgresql)"
	if [ -L "$VAR/pg" ]; then
		# A previous run placed it outside the repository: reuse it.
		PGDIR=$(readlink "$VAR/pg")
	elif runuser -u postgres -- test -x "$VAR"; then
		PGDIR=$VAR/pg
	elif [ -d "$VAR/pg" ]; then
		die "$VAR/pg existe pero el usuario postgres no puede entrar en $ROOT; muévalo o dé permiso de paso (chmod o+x) a sus directorios"
	else
		PGDIR=/var/tmp/pald-dev-$HASH
		echo "dev-run: el usuario postgres no puede entrar en $ROOT;"
		echo "dev-run: el clúster vivirá en $PGDIR (enlazado desde ./var/pg)."
		mkdir -p "$PGDIR"
		ln -s "$PGDIR" "$VAR/pg"
	fi
	mkdir -p "$PGDIR"
	chown postgres:postgres "$PGDIR"
else
	PGOWNER=$(id -un)
	PGDIR=$VAR/pg
	mkdir -p "$PGDIR"
fi
chmod 700 "$PGDIR"
PGDATA=$PGDIR/data

# The socket goes next to the data, unless the path is too long for a
# Unix socket (107 bytes with "/.s.PGSQL.5432"): then in a private
# directory of /tmp, which must not have been planted by someone else.
SOCKDIR=$PGDIR/run
if [ "${#SOCKDIR}" -gt 90 ]; then
	SOCKDIR=/tmp/pald-dev-$(id -u)-$HASH
fi
mkdir -p "$SOCKDIR"
if [ "${SOCKDIR#/tmp/}" != "$SOCKDIR" ]; then
	# In /tmp: a real directory owned by us (or by postgres, which it is
	# after an earlier run of ours as root), never one planted there.
	owner=$(stat -c %u "$SOCKDIR")
	if [ -L "$SOCKDIR" ] || { [ "$owner" != "$(id -u)" ] &&
	    [ "$owner" != "$(id -u "$PGOWNER")" ]; }; then
		die "$SOCKDIR no es un directorio propio; bórrelo y vuelva a intentarlo"
	fi
fi
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$SOCKDIR"
chmod 700 "$SOCKDIR"

# --- PostgreSQL --------------------------------------------------------

FRESH=0
if [ ! -f "$PGDATA/PG_VERSION" ]; then
	echo "dev-run: creando el clúster de PostgreSQL en $PGDATA"
	# The superuser is "postgres" whoever runs it, so pald.conf is the
	# same as root and as a normal user.
	as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 \
	    --locale=C.UTF-8 --auth=trust >"$VAR/initdb.log" 2>&1 || {
		cat "$VAR/initdb.log" >&2
		die "initdb falló"
	}
	# Our settings live in a file of their own, rewritten every run.
	printf "\n# Added by deploy/dev-run.sh.\ninclude_if_exists = 'pald-dev.conf'\n" \
	    >>"$PGDATA/postgresql.conf"
	FRESH=1
fi
# No TCP at all: only the private Unix socket. Rewritten every run so a
# moved repository still gets a socket it can reach.
printf "listen_addresses = ''\nunix_socket_directories = '%s'\n" \
    "$(printf '%s' "$SOCKDIR" | sed "s/'/''/g")" >"$PGDATA/pald-dev.conf"
[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PGDATA/pald-dev.conf"

PG_STARTED=1
if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
	# Left over by an earlier run that was killed (kill -9): restart it
	# so it reads the settings above; it is stopped on exit like ours.
	echo "dev-run: PostgreSQL seguía en marcha de una ejecución anterior; se reinicia."
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDIR/postgresql.log" \
	    -m fast -w -t 60 restart >/dev/null ||
	    die "PostgreSQL no se pudo reiniciar (vea $PGDIR/postgresql.log)"
else
	as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDIR/postgresql.log" \
	    -w -t 60 start >/dev/null ||
	    die "PostgreSQL no arrancó (vea $PGDIR/postgresql.log)"
fi

if [ "$(pg_sql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'pald'")" != 1 ]; then
	pg_sql -d postgres -c 'CREATE DATABASE pald'
	FRESH=1
fi

# --- Mail catcher ------------------------------------------------------

# Its log goes to a file so the terminal shows pald's log only.
"$PYTHON" tests/support/smtpd.py --port "$SMTP_PORT" --dir ./var/mail \
    >>"$VAR/smtpd.log" 2>&1 &
SMTPD_PID=$!
wait_port "$SMTP_PORT" "$SMTPD_PID" "el receptor de correo" "$VAR/smtpd.log"

# --- pald's configuration ---------------------------------------------

# libpq conninfo: the value quoted, with ' and \ escaped.
CONNINFO="host='$(printf '%s' "$SOCKDIR" | sed "s/[\\\\']/\\\\&/g")' dbname=pald user=postgres"
if [ ! -f "$VAR/pald.conf" ]; then
	cat >"$VAR/pald.conf" <<EOF
# Written by deploy/dev-run.sh for \`make run\`; every key is documented in
# deploy/pald.conf.example. The database line is rewritten if the
# cluster's socket moves; the rest is yours to edit.
listen_address = 127.0.0.1
listen_port = $HTTP_PORT
database = $CONNINFO
smtp_url = smtp://127.0.0.1:$SMTP_PORT
mail_from = pald@localhost
public_url = http://127.0.0.1:$HTTP_PORT
EOF
elif ! grep -qxF "database = $CONNINFO" "$VAR/pald.conf"; then
	# Same file, the database line pointed at the current socket.
	awk -v line="database = $CONNINFO" \
	    '/^[ \t]*database[ \t]*=/ { print line; done = 1; next }
	     { print } END { if (!done) print line }' \
	    "$VAR/pald.conf" >"$VAR/pald.conf.tmp"
	mv "$VAR/pald.conf.tmp" "$VAR/pald.conf"
	echo "dev-run: ./var/pald.conf actualizado: $CONNINFO"
fi

# --- Administrator token ----------------------------------------------

# On a new database (or when the token file was lost) create an admin;
# --create-admin applies the migrations and prints only the token on
# stdout. If admin@localhost already exists (the file was deleted but
# the database kept), a second admin with a dated address is created.
# create_admin EMAIL: the token into var/admin-token.tmp, never readable
# by others.
create_admin() {
	(umask 077 && "$PALD" -c "$VAR/pald.conf" --create-admin \
	    "Administración" "$1" >"$VAR/admin-token.tmp")
}
if [ "$FRESH" = 1 ] || [ ! -s "$VAR/admin-token" ]; then
	rm -f "$VAR/admin-token.tmp"
	if create_admin admin@localhost; then
		:
	elif [ "$FRESH" = 0 ] &&
	    create_admin "admin-$(date +%Y%m%d%H%M%S)@localhost"; then
		:
	else
		die "no se pudo crear el administrador (vea el error de pald arriba)"
	fi
	[ -s "$VAR/admin-token.tmp" ] || die "pald no imprimió un token"
	mv "$VAR/admin-token.tmp" "$VAR/admin-token"
fi
chmod 600 "$VAR/admin-token"
TOKEN=$(cat "$VAR/admin-token")

# --- pald --------------------------------------------------------------

# In the background so the traps can act on signals sent to this script
# (a foreground child would delay them until it exits); its log still
# goes to the terminal and the script waits for it below.
"$PALD" -c "$VAR/pald.conf" &
PALD_PID=$!
wait_port "$HTTP_PORT" "$PALD_PID" pald

# pal login checks the token against the running pald, then writes
# ~/.config/pal/config (mode 600).
if ! "$PAL" login "http://127.0.0.1:$HTTP_PORT" "$TOKEN" >/dev/null; then
	echo "dev-run: «pal login» falló; si el token de ./var/admin-token ya no vale, bórrelo y repita «make run»." >&2
fi

cat <<EOF

==========================================================================
 pald funciona en http://127.0.0.1:$HTTP_PORT  (Ctrl-C detiene todo)

 pal ya tiene la sesión del administrador (~/.config/pal/config).
 Está en $PAL; para llamarlo solo «pal», en otra terminal:

     export PATH="$BUILD:\$PATH"

 Por ejemplo:

     pal estado
     pal usuario crear --nombre "Ana López" --email ana@ejemplo.mx --rol facilitador
     pal correo probar tu@ejemplo.mx

 Ningún correo sale de esta máquina: cada mensaje queda en ./var/mail/
 (NNNNNN.eml con el mensaje tal cual, NNNNNN.json con el sobre).
 Datos: ./var/pg (PostgreSQL), ./var/pald.conf, ./var/admin-token.
 Para empezar de cero: detenga esto y borre ./var (y su destino si
 ./var/pg es un enlace).
==========================================================================

EOF

# Wait for pald. A signal interrupts the wait and runs its trap; if pald
# stops by itself, its status becomes ours (cleanup runs on EXIT).
rc=0
wait "$PALD_PID" || rc=$?
PALD_PID=
[ "$rc" -eq 0 ] || echo "dev-run: pald terminó con estado $rc" >&2
exit "$rc"
