#!/bin/sh
# Restores a backup made by deploy/backup.sh into a database:
#
#	sh deploy/restore.sh [-y] ARCHIVO BASE
#
# BASE is a database name or a libpq connection string. pg_restore runs
# with --clean --if-exists (every object of the backup is dropped, if it
# exists, and created again) in one transaction that stops at the first
# error: a failed restore leaves BASE as it was.
#
# Stop every pald that uses BASE first. For an exact copy restore into an
# empty database, made with deploy/pald-db-role.sql (which also creates
# the roles the backup's grants name): objects that are in BASE but not
# in the backup are left alone. Run it as the owner role (pald_owner) or
# a superuser. If the backup is older than the pald binary, run
# `pald --migrate` with the owner's configuration before starting the
# daemons again.
#
# It asks for confirmation on a terminal; -y confirms beforehand (for
# scripts). Without a terminal and without -y it refuses.
# Exits 0 once restored, 1 when it failed or was not confirmed, 2 on a
# usage error. POSIX sh. Messages for people are Spanish.
set -eu

prog=restore.sh

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

usage() {
	cat >&2 <<'USAGE'
uso: restore.sh [-y] ARCHIVO BASE

Restaura en BASE un respaldo hecho con backup.sh: borra y vuelve a crear
cada objeto del respaldo, en una sola transacción (si falla, BASE queda
como estaba). Detenga antes todos los pald que usan BASE.

  ARCHIVO   un respaldo pald-AAAAMMDDTHHMMSSZ.dump
  BASE      nombre de la base o cadena de conexión de libpq
  -y        no pide confirmación
USAGE
	exit 2
}

yes=0
while getopts yh opt; do
	case $opt in
	y) yes=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || usage
file=$1
base=$2
[ -n "$base" ] || usage

command -v pg_restore >/dev/null 2>&1 ||
    die "no se encontró pg_restore (instale postgresql-client)"
[ -f "$file" ] || die "no existe el archivo «$file»"
[ -r "$file" ] || die "no se puede leer «$file»"
pg_restore --list "$file" >/dev/null 2>&1 ||
    die "«$file» no es un respaldo de pg_dump en formato personalizado"

if [ "$yes" -eq 0 ]; then
	[ -t 0 ] || die "sin terminal no se puede confirmar; use -y"
	printf 'Se reemplazará el contenido de «%s» con %s.\n' "$base" "$file"
	printf '¿Detuvo todos los pald que la usan? Escriba «si» para seguir: '
	read -r answer || answer=
	case $answer in
	si | sí | SI | SÍ) ;;
	*) die "cancelado; la base no se modificó" ;;
	esac
fi

if ! pg_restore --clean --if-exists --single-transaction --exit-on-error \
    --no-password -d "$base" "$file"; then
	die "pg_restore falló; la base quedó como estaba"
fi
printf '%s: %s restaurado en «%s».\n' "$prog" "$file" "$base" >&2
