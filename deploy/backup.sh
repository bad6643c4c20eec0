#!/bin/sh
# Backs up pald's database: one pg_dump in its custom format (-Fc,
# compressed, restorable table by table) into a file named after the
# moment it was taken:
#
#	sh deploy/backup.sh [-d DIRECTORIO] [-k N] BASE
#
# BASE is a database name or a libpq connection string, as in pald.conf
# ("host=/run/postgresql dbname=pald user=pald_owner"). The file is
# DIRECTORIO/pald-AAAAMMDDTHHMMSSZ.dump (UTC; DIRECTORIO defaults to the
# current one), mode 0600, and its path is printed on stdout. It is
# written under a temporary name and renamed only once pg_dump succeeded
# and pg_restore could read its table of contents back, so a file with
# the final name is always a whole backup. -k N then deletes all but the
# newest N backups of DIRECTORIO.
#
# pg_dump reads one consistent snapshot: the pald daemons keep running.
# It needs SELECT on every table: run it as the owner role (or a
# superuser). Restore with deploy/restore.sh.
#
# It does not schedule itself (use a systemd timer or cron) and does
# not copy the file elsewhere: a backup on the database's own disk is
# not a backup yet.
#
# Exits 0 with the backup written, 1 when it failed (nothing is left
# behind), 2 on a usage error. POSIX sh. Messages for people are Spanish, as everywhere in pald.
set -eu

prog=backup.sh

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

usage() {
	cat >&2 <<'EOF'
uso: backup.sh [-d DIRECTORIO] [-k N] BASE

Respalda la base de datos de pald con pg_dump (formato personalizado)
en DIRECTORIO/pald-AAAAMMDDTHHMMSSZ.dump e imprime la ruta del archivo.

  BASE            nombre de la base o cadena de conexión de libpq,
                  como «host=/run/postgresql dbname=pald user=pald_owner»
  -d DIRECTORIO   dónde dejar el respaldo (por omisión, el actual)
  -k N            después, conserva solo los N respaldos más recientes
EOF
	exit 2
}

dir=.
keep=
while getopts d:k:h opt; do
	case $opt in
	d) dir=$OPTARG ;;
	k) keep=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
base=$1
[ -n "$base" ] || usage
case $keep in
'') ;;
*[!0-9]* | 0*) die "-k espera un número entero positivo, no «$keep»" ;;
esac

command -v pg_dump >/dev/null 2>&1 ||
    die "no se encontró pg_dump (instale postgresql-client)"
[ -d "$dir" ] || die "no existe el directorio «$dir»"
[ -w "$dir" ] || die "no se puede escribir en «$dir»"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
file=$dir/pald-$stamp.dump
tmp=$dir/.pald-$stamp.dump.tmp
[ ! -e "$file" ] || die "ya existe $file; espere un segundo y repita"

# Whatever happens, no temporary file is left behind.
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

umask 077
if ! pg_dump -Fc --no-password -d "$base" -f "$tmp"; then
	die "pg_dump falló; no se escribió ningún respaldo"
fi
if ! pg_restore --list "$tmp" >/dev/null; then
	die "el respaldo escrito no se puede leer; no se conservó"
fi
mv "$tmp" "$file"
trap - EXIT
printf '%s\n' "$file"

if [ -n "$keep" ]; then
	# Names sort by date: all but the last N go. The glob matches only
	# this script's own files.
	n=0
	for f in "$dir"/pald-????????T??????Z.dump; do
		[ -e "$f" ] && n=$((n + 1))
	done
	for f in "$dir"/pald-????????T??????Z.dump; do
		[ "$n" -gt "$keep" ] || break
		rm -f "$f"
		printf '%s: borrado el respaldo antiguo %s\n' "$prog" "$f" >&2
		n=$((n - 1))
	done
fi
