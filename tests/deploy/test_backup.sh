#!/bin/sh
# shellcheck disable=SC2016 # the sh -c scripts expand their own "$1"
# The operator's path, for real: the two database roles, migrations as
# the owner, pald as the least-privilege runtime role, a backup, the
# database dropped and recreated, the restore, and pald serving the same
# data again; then two pald behind nginx with deploy/nginx.conf.example.
#
#	sh tests/deploy/test_backup.sh BUILD_DIR
#
# It starts a throwaway PostgreSQL 15 (tests/support/pg.sh: a private
# cluster on a Unix socket in a temporary directory, fsync off), runs
# deploy/pald-db-role.sql, deploy/backup.sh and deploy/restore.sh as an
# operator would, and checks everything through the real `pal` (a mesa,
# two actors, a material and its SHA-256). No mail is sent
# (mail_threads = 0), so no mail catcher is needed. The nginx part is
# skipped, and said, when nginx is not installed (it is not one of
# deploy/install-deps.sh's packages).
#
# If pald cannot run as the runtime role, that check fails and the rest
# runs with the owner role, so one fault does not hide the others.
# Every server it starts listens on 127.0.0.1 or a Unix socket and is
# stopped on exit. PALD_TEST_KEEP=1 keeps the temporary directory.
# Ends with "N passed, N failed" (tests/deploy/lib.sh).
set -u

# shellcheck source=tests/deploy/lib.sh
. "$(dirname "$0")/lib.sh"
setup "$@"
# shellcheck source=tests/support/pg.sh
. "$src/tests/support/pg.sh"

PYTHON=/usr/bin/python3

# Stops the test, counted as one more failure.
die() {
	echo "test_backup.sh: $*" >&2
	fail "$*"
	finish
	exit 1
}

pald=$build/pald
pal=$build/pal
{ [ -x "$pald" ] && [ -x "$pal" ]; } || die "faltan $pald o $pal (make all)"
[ -x "$PGBIN/initdb" ] || die "falta PostgreSQL 15 en $PGBIN"

# A sanitizer build: this test is about deployment, not leaks, and a
# leak report would change the exit status of pald --migrate.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

tmp=$(mktemp -d /tmp/pald-deploy.XXXXXX) || die "mktemp falló"
pids=
nginx_conf=

cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	if [ -n "$nginx_conf" ] && [ -f "$tmp/nginx/nginx.pid" ]; then
		kill -QUIT "$(cat "$tmp/nginx/nginx.pid")" 2>/dev/null
	fi
	pg_cleanup
	if [ "${PALD_TEST_KEEP:-0}" = 1 ]; then
		echo "test_backup.sh: se conserva $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- PostgreSQL ----------------------------------------------------------

pg_init "$tmp" || die "initdb falló"
pg_start || die "PostgreSQL no arrancó"

# psql as ROLE on DB: psql_as ROLE DB ARGS...
psql_as() {
	r=$1
	d=$2
	shift 2
	psql -X -q -v ON_ERROR_STOP=1 -h "$tmp" -U "$r" -d "$d" "$@"
}

owner_db="host=$tmp dbname=pald user=pald_owner"
runtime_db="host=$tmp dbname=pald user=pald"
cat >"$tmp/owner.conf" <<EOF
database = $owner_db
EOF
# conf NAME DATABASE: a pald.conf for one daemon.
conf() {
	cat >"$tmp/$1.conf" <<EOF
listen_address = 127.0.0.1
listen_port = 0
port_file = $tmp/$1.port
database = $2
mail_threads = 0
db_workers = 2
EOF
}

# start_pald NAME: starts pald with $tmp/NAME.conf, waits for its port
# file; the port in $port, the pid in $last_pid. False if it died.
start_pald() {
	rm -f "$tmp/$1.port"
	"$pald" -c "$tmp/$1.conf" >>"$tmp/$1.log" 2>&1 &
	last_pid=$!
	pids="$pids $last_pid"
	n=0
	while [ ! -s "$tmp/$1.port" ] && [ "$n" -lt 100 ]; do
		kill -0 "$last_pid" 2>/dev/null || return 1
		sleep 0.05
		n=$((n + 1))
	done
	[ -s "$tmp/$1.port" ] || return 1
	port=$(cat "$tmp/$1.port")
}

# stop_pald PID: SIGTERM and wait; true if it exited 0.
stop_pald() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	rc=$?
	pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
	return "$rc"
}

# json FILE EXPR: evaluates a Python expression over the JSON in FILE
# (as j) and prints it.
json() {
	"$PYTHON" -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# --- The roles ----------------------------------------------------------

check "pald-db-role.sql crea la base y los dos roles" \
    psql_as postgres postgres -f "$src/deploy/pald-db-role.sql"
check "pald-db-role.sql se puede repetir" \
    psql_as postgres postgres -f "$src/deploy/pald-db-role.sql"
check "pald --migrate como propietario (pald_owner)" \
    "$pald" -c "$tmp/owner.conf" --migrate

check "el rol de ejecución no puede crear tablas" \
    sh -c '! psql -X -q -h "$1" -U pald -d pald \
    -c "CREATE TABLE intrusa (i int)" 2>/dev/null' sh "$tmp"
check "el rol de ejecución no puede borrar ni vaciar tablas" \
    sh -c '! psql -X -q -h "$1" -U pald -d pald -c "DROP TABLE mesas" \
    2>/dev/null && ! psql -X -q -h "$1" -U pald -d pald \
    -c "TRUNCATE eventos" 2>/dev/null' sh "$tmp"
check "otros roles no pueden conectarse" \
    sh -c 'psql -X -q -h "$1" -U postgres -d postgres \
    -c "CREATE ROLE intruso LOGIN" &&
    ! psql -X -q -h "$1" -U intruso -d pald -c "SELECT 1" 2>/dev/null' \
    sh "$tmp"

# --- pald as the runtime role ----------------------------------------------

conf a "$runtime_db"
serve_db=$runtime_db
if start_pald a; then
	pass "pald arranca con el rol de ejecución (pald) sobre una base migrada"
else
	fail "pald no arranca con el rol de ejecución (pald); su bitácora:"
	sed 's/^/      /' "$tmp/a.log"
	echo "      (se sigue con el rol propietario para probar lo demás)"
	serve_db=$owner_db
	conf a "$serve_db"
	start_pald a || { cat "$tmp/a.log" >&2; die "pald no arranca"; }
fi
pald_a=$last_pid

if token=$("$pald" -c "$tmp/a.conf" --create-admin Operación \
    admin@localhost 2>>"$tmp/a.log") && [ -n "$token" ]; then
	pass "pald --create-admin con la configuración del servicio"
else
	fail "pald --create-admin falló:"
	tail -n 3 "$tmp/a.log" | sed 's/^/      /'
	die "sin token no se puede seguir"
fi

mkdir -p "$tmp/home"
export HOME="$tmp/home"
export PAL_URL="http://127.0.0.1:$port"
export PAL_TOKEN="$token"

head -c 300000 /dev/urandom >"$tmp/diagnostico.bin"
sha=$(sha256sum "$tmp/diagnostico.bin" | cut -d' ' -f1)
titulo="Transparencia en obra pública"
check "pal mesa crear" "$pal" mesa crear --titulo "$titulo" \
    --entidad Oaxaca
check "pal actor agregar (2)" sh -c '"$1" actor agregar 1 --nombre "Ana Ruiz" \
    --email ana@osc.mx --sector sociedad_civil &&
    "$1" actor agregar 1 --nombre "Luis Pérez" --email luis@mun.gob.mx \
    --sector institucion_publica' sh "$pal"
check "pal material agregar" "$pal" material agregar 1 --actor 1 \
    --tipo problematicas --titulo Diagnóstico "$tmp/diagnostico.bin"
"$pal" --json material listar 1 >"$tmp/materiales-antes.json" 2>&1
check "el material guardado tiene el SHA-256 del archivo" \
    test "$(json "$tmp/materiales-antes.json" \
    'j["materiales"][0]["sha256"]' 2>&1)" = "$sha"

# --- Backup -------------------------------------------------------------------

mkdir -p "$tmp/respaldos"
# Two older backups that -k 1 must delete, and a file it must not touch.
touch "$tmp/respaldos/pald-20000101T000000Z.dump" \
    "$tmp/respaldos/pald-20000102T000000Z.dump" "$tmp/respaldos/otro.dump"
if file=$(sh "$src/deploy/backup.sh" -d "$tmp/respaldos" -k 1 \
    "$owner_db" 2>"$tmp/backup.err") && [ -s "$file" ]; then
	pass "backup.sh escribe $(basename "$file")"
else
	fail "backup.sh falló:"
	sed 's/^/      /' "$tmp/backup.err"
	die "sin respaldo no se puede seguir"
fi
case $(basename "$file") in
pald-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.dump)
	pass "el nombre del respaldo lleva la fecha y hora UTC" ;;
*)	fail "nombre de respaldo inesperado: $file" ;;
esac
check "el respaldo tiene permisos 0600" \
    test "$(stat -c %a "$file")" = 600
check "backup.sh -k 1 borra solo los respaldos antiguos" \
    test "$(cd "$tmp/respaldos" && echo *)" = \
    "otro.dump $(basename "$file")"
check "backup.sh sin argumentos: uso y salida 2" \
    sh -c 'sh "$1" 2>&1 | grep -q "^uso: " &&
    { sh "$1" 2>/dev/null; test $? -eq 2; }' sh "$src/deploy/backup.sh"
mkdir -p "$tmp/vacio"
check "backup.sh de una base inexistente falla sin dejar archivos" \
    sh -c '! sh "$1" -d "$2" "host=$3 dbname=noexiste user=postgres" \
    >/dev/null 2>&1 && test "$(ls -A "$2" | wc -l)" -eq 0' \
    sh "$src/deploy/backup.sh" "$tmp/vacio" "$tmp"

# --- The database lost, then restored -----------------------------------------

# (Not through check: wait works only in the shell that started pald.)
if stop_pald "$pald_a"; then
	pass "pald se detiene con SIGTERM (salida 0)"
else
	fail "pald salió con $rc tras SIGTERM"
fi
check "la base se borra y se vuelve a crear vacía" sh -c '
    psql -X -q -v ON_ERROR_STOP=1 -h "$1" -U postgres -d postgres \
	-c "DROP DATABASE pald" &&
    psql -X -q -v ON_ERROR_STOP=1 -h "$1" -U postgres -d postgres \
	-f "$2" >/dev/null &&
    test "$(psql -X -At -h "$1" -U postgres -d pald \
	-c "SELECT to_regclass('\''mesas'\'') IS NULL")" = t' \
    sh "$tmp" "$src/deploy/pald-db-role.sql"
check "restore.sh sin terminal y sin -y se niega" \
    sh -c '! sh "$1" "$2" "$3" </dev/null 2>/dev/null' \
    sh "$src/deploy/restore.sh" "$file" "$owner_db"
check "restore.sh de un archivo que no es un respaldo se niega" \
    sh -c '! sh "$1" -y "$2" "$3" 2>/dev/null' \
    sh "$src/deploy/restore.sh" "$tmp/diagnostico.bin" "$owner_db"
check "restore.sh -y restaura como propietario" \
    sh "$src/deploy/restore.sh" -y "$file" "$owner_db"

if start_pald a; then
	pass "pald arranca otra vez sobre la base restaurada"
else
	fail "pald no arranca sobre la base restaurada:"
	tail -n 5 "$tmp/a.log" | sed 's/^/      /'
	die "no se puede seguir"
fi
pald_a=$last_pid
export PAL_URL="http://127.0.0.1:$port"

"$pal" --json mesa listar >"$tmp/mesas.json" 2>&1
check "pal mesa listar muestra la mesa restaurada" \
    test "$(json "$tmp/mesas.json" 'j["mesas"][0]["titulo"]' 2>&1)" = \
    "$titulo"
"$pal" --json actor listar 1 >"$tmp/actores.json" 2>&1
check "pal actor listar muestra los dos actores" \
    test "$(json "$tmp/actores.json" 'len(j["actores"])' 2>&1)" = 2
"$pal" --json material listar 1 >"$tmp/materiales.json" 2>&1
check "pal material listar: el mismo SHA-256 tras restaurar" \
    test "$(json "$tmp/materiales.json" \
    'j["materiales"][0]["sha256"]' 2>&1)" = "$sha"
rm -f "$tmp/descargado.bin"
check "pal material descargar: los mismos bytes tras restaurar" \
    sh -c '"$1" material descargar 1 1 -o "$2" >/dev/null &&
    cmp -s "$2" "$3"' sh "$pal" "$tmp/descargado.bin" "$tmp/diagnostico.bin"
check "el rol de ejecución conserva sus permisos tras restaurar" \
    sh -c 'test "$(psql -X -At -h "$1" -U pald -d pald \
    -c "SELECT count(*) FROM mesas")" = 1 &&
    ! psql -X -q -h "$1" -U pald -d pald -c "CREATE TABLE intrusa (i int)" \
    2>/dev/null' sh "$tmp"

# --- Two pald behind nginx ----------------------------------------------------

if ! command -v nginx >/dev/null 2>&1; then
	skip "nginx con deploy/nginx.conf.example (nginx no está instalado)"
	finish
	exit $?
fi

conf b "$serve_db"
if start_pald b; then
	pass "un segundo pald sobre la misma base"
else
	fail "el segundo pald no arranca"
fi
pald_b=$last_pid
port_a=$(cat "$tmp/a.port")
port_b=$port

# free_port: a TCP port nobody listens on now.
free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
https_port=$(free_port)
http_port=$(free_port)

mkdir -p "$tmp/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -keyout "$tmp/nginx/key.pem" -out "$tmp/nginx/cert.pem" \
    -subj /CN=pal.example.mx -addext subjectAltName=DNS:pal.example.mx \
    >/dev/null 2>&1 || die "openssl no pudo crear el certificado"
# The example as shipped, but for the ports, the certificate, the log
# and the two daemons' ports (and no IPv6 listener, which a container
# may not have).
sed -e "s,listen 80;,listen 127.0.0.1:$http_port;," \
    -e "s,listen 443 ssl,listen 127.0.0.1:$https_port ssl," \
    -e '/listen \[::\]/d' \
    -e "s,/etc/letsencrypt/live/pal.example.mx/fullchain.pem,$tmp/nginx/cert.pem," \
    -e "s,/etc/letsencrypt/live/pal.example.mx/privkey.pem,$tmp/nginx/key.pem," \
    -e "s,/var/log/nginx/pald.access.log,$tmp/nginx/pald.access.log," \
    -e "s,server 127.0.0.1:8080 ,server 127.0.0.1:$port_a ," \
    -e "s,server 127.0.0.1:8081 ,server 127.0.0.1:$port_b ," \
    "$src/deploy/nginx.conf.example" >"$tmp/nginx/pald.conf"
nginx_user=
[ "$(id -u)" -ne 0 ] || nginx_user="user root;"
nginx_conf=$tmp/nginx/nginx.conf
cat >"$nginx_conf" <<EOF
$nginx_user
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	include $tmp/nginx/pald.conf;
}
EOF
check "nginx -t acepta deploy/nginx.conf.example" \
    nginx -t -q -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$nginx_conf"
check "nginx arranca" \
    nginx -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$nginx_conf"

base="https://pal.example.mx:$https_port"
# through ARGS...: curl through nginx, trusting our certificate.
through() {
	curl -sS --max-time 10 --resolve "pal.example.mx:$https_port:127.0.0.1" \
	    --cacert "$tmp/nginx/cert.pem" "$@"
}
n=0
while [ "$n" -lt 50 ] && ! through -o /dev/null "$base/healthz" 2>/dev/null; do
	sleep 0.1
	n=$((n + 1))
done

through -D "$tmp/h.txt" -o "$tmp/health.json" "$base/healthz" 2>&1
check "GET /healthz por HTTPS: 200 con HSTS" sh -c '
    head -n 1 "$1" | grep -q " 200" &&
    grep -qi "^strict-transport-security: max-age=31536000" "$1"' sh "$tmp/h.txt"
check "HTTP redirige a HTTPS (301)" sh -c '
    curl -sS -o /dev/null -w "%{http_code} %{redirect_url}" \
    -H "Host: pal.example.mx" "http://127.0.0.1:$1/v1/mesas" |
    grep -qx "301 https://pal.example.mx/v1/mesas"' sh "$http_port"
through -H "Authorization: Bearer $token" -o "$tmp/mesas-nginx.json" \
    "$base/v1/mesas" 2>&1
check "GET /v1/mesas por nginx con el token" \
    test "$(json "$tmp/mesas-nginx.json" 'j["mesas"][0]["titulo"]' 2>&1)" = \
    "$titulo"
i=0
while [ "$i" -lt 20 ]; do
	through -o /dev/null "$base/healthz"
	i=$((i + 1))
done
check "nginx reparte las peticiones entre los dos pald" sh -c '
    grep -q "GET /healthz 200" "$1" && grep -q "GET /healthz 200" "$2"' \
    sh "$tmp/a.log" "$tmp/b.log"
check "el registro de nginx lleva el X-Request-Id de pald" \
    grep -q 'request_id=[0-9]' "$tmp/nginx/pald.access.log"
head -c 22000000 /dev/zero >"$tmp/grande.bin"
code=$(through -o "$tmp/413.json" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" --data-binary "@$tmp/grande.bin" \
    "$base/v1/mesas/1/materiales?actor=1&tipo=otro&titulo=Grande" 2>&1)
check "un cuerpo mayor que client_max_body_size: 413 en JSON" sh -c '
    test "$1" = 413 &&
    test "$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"error\"][\"code\"])" "$2")" = cuerpo_demasiado_grande' \
    sh "$code" "$tmp/413.json"
stop_pald "$pald_a"
stop_pald "$pald_b"
code=$(through -o "$tmp/503.json" -w '%{http_code}' "$base/v1/mesas" 2>&1)
check "sin ningún pald: 503 en JSON" sh -c '
    test "$1" = 503 && grep -q servicio_no_disponible "$2"' \
    sh "$code" "$tmp/503.json"

finish
