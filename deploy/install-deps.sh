#!/bin/sh
# Installs the Debian 12 packages pald needs to build, run and be tested,
# and only those that are missing. Runs apt-get update once, and only when
# something has to be installed.
set -eu

PACKAGES="build-essential pkg-config libevent-dev libpq-dev
clang libclang-rt-14-dev
libcurl4-openssl-dev libjansson-dev libcriterion-dev libssl-dev
libcairo2-dev libpango1.0-dev fonts-dejavu-core postgresql
python3-aiosmtpd poppler-utils curl ca-certificates chromium
wrk nginx-light shellcheck systemd"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "Instalando paquetes faltantes:$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
