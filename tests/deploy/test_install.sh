#!/bin/sh
# shellcheck disable=SC2016 # the sh -c scripts expand their own "$1"
# Checks `make install` and the systemd unit:
#
#	sh tests/deploy/test_install.sh BUILD_DIR
#
# - make install DESTDIR=... PREFIX=/usr/local installs exactly the files
#   README.md lists, with their modes, and PREFIX=/usr rewrites the paths
#   of the unit and the manuals (BUILD_DIR's binaries are used as they
#   are: make is told not to rebuild them);
# - the installed unit passes `systemd-analyze verify` without a message
#   (its ExecStart pointed at BUILD_DIR/pald, since nothing is installed
#   in /usr/local here) and `systemd-analyze security --offline` rates
#   it at most 2.0; skipped, and said, without systemd-analyze;
# - shellcheck finds nothing in the deploy scripts, when it is installed.
#
# systemd cannot run in a container, so the unit is checked statically
# only: that its sandbox lets pald start is not tested here.
# Ends with "N passed, N failed" (tests/deploy/lib.sh).
set -u

# shellcheck source=tests/deploy/lib.sh
. "$(dirname "$0")/lib.sh"
setup "$@"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# install_to ROOT PREFIX: make install, quietly; its output in ROOT.log.
install_to() {
	make -C "$src" --no-print-directory -o "$build/pald" \
	    -o "$build/pal" BUILD="$build" DESTDIR="$1" PREFIX="$2" \
	    install >"$1.log" 2>&1
}

root=$tmp/root
if install_to "$root" /usr/local; then
	pass "make install DESTDIR=... PREFIX=/usr/local"
else
	fail "make install falló:"
	sed 's/^/      /' "$root.log"
fi

cat >"$tmp/want" <<'EOF'
755 usr/local/bin/pal
644 usr/local/lib/systemd/system/pald.service
755 usr/local/sbin/pald
644 usr/local/share/bash-completion/completions/pal
644 usr/local/share/doc/pald/API.md
644 usr/local/share/doc/pald/README.md
644 usr/local/share/doc/pald/nginx.conf.example
644 usr/local/share/doc/pald/pald.conf.example
644 usr/local/share/man/man1/pal.1
644 usr/local/share/man/man8/pald.8
755 usr/local/share/pald/backup.sh
644 usr/local/share/pald/pald-db-role.sql
755 usr/local/share/pald/restore.sh
EOF
(cd "$root" 2>/dev/null && find . -type f -printf '%m %P\n' | sort -k2) \
    >"$tmp/got"
if cmp -s "$tmp/want" "$tmp/got"; then
	pass "make install: los 13 archivos, con sus permisos"
else
	fail "make install: archivos o permisos distintos (- esperado, + instalado)"
	diff "$tmp/want" "$tmp/got" | sed -n 's/^[<>]/      &/p'
fi
check "make install: los binarios instalados son los de BUILD_DIR" \
    cmp -s "$build/pald" "$root/usr/local/sbin/pald"

root2=$tmp/root2
install_to "$root2" /usr
check "PREFIX=/usr: la unidad y los manuales nombran /usr, no /usr/local" \
    sh -c 'grep -q "^ExecStart=/usr/sbin/pald -c /etc/pald/pald.conf$" \
    "$1/usr/lib/systemd/system/pald.service" &&
    ! grep -q /usr/local "$1/usr/lib/systemd/system/pald.service" \
    "$1/usr/share/man/man8/pald.8"' sh "$root2"

unit=$root/usr/local/lib/systemd/system/pald.service
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s,/usr/local/sbin/pald,$build/pald," "$unit" >"$tmp/pald.service"
	# verify also runs `man pald(8)` for Documentation=.
	out=$(MANPATH="$root/usr/local/share/man:" \
	    systemd-analyze verify "$tmp/pald.service" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		pass "systemd-analyze verify pald.service: sin mensajes"
	else
		fail "systemd-analyze verify pald.service (salida $rc):"
		printf '%s\n' "$out" | sed 's/^/      /'
	fi
	score=$(systemd-analyze security --offline=true "$tmp/pald.service" \
	    2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
		pass "systemd-analyze security: exposición $score (máximo 2.0)"
	else
		fail "systemd-analyze security: exposición «$score» (máximo 2.0)"
	fi
else
	skip "systemd-analyze verify y security (systemd no está instalado)"
fi
check "la unidad tiene cada protección pedida" sh -c '
    for k in "User=pald" "Group=pald" "NoNewPrivileges=yes" \
	"ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" \
	"PrivateDevices=yes" "ProtectKernelTunables=yes" \
	"ProtectKernelModules=yes" "ProtectKernelLogs=yes" \
	"ProtectControlGroups=yes" \
	"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
	"RestrictNamespaces=yes" "LockPersonality=yes" \
	"MemoryDenyWriteExecute=yes" "SystemCallFilter=@system-service" \
	"CapabilityBoundingSet=" "Restart=on-failure" \
	"ExecReload=/bin/kill -HUP \$MAINPID"; do
	grep -qxF "$k" "$1" || { echo "falta $k"; exit 1; }
    done' sh "$unit"

if command -v shellcheck >/dev/null 2>&1; then
	check "shellcheck: backup.sh, restore.sh, gen-man.sh" \
	    shellcheck -s sh "$src/deploy/backup.sh" "$src/deploy/restore.sh" \
	    "$src/deploy/gen-man.sh"
	check "shellcheck: pal.bash-completion" \
	    shellcheck -s bash "$src/deploy/pal.bash-completion"
else
	skip "shellcheck (no está instalado)"
fi

finish
