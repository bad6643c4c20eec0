#!/bin/sh
# Checks the manual pages against the binaries they describe:
#
#	sh tests/deploy/test_man.sh BUILD_DIR
#
# - both pages format without a warning (groff -ww; mandoc -Tlint when
#   installed);
# - what deploy/gen-man.sh generates from the binaries (pald.8's
#   CONFIGURATION, pal.1's ÓRDENES) is current;
# - the formatted pald.8 has every key of `pald --dump-config` and every
#   option of `pald --help`;
# - the formatted pal.1 has every command of `pal --help` with its exact
#   usage line, every word a choice option admits (`pal NOUN VERB
#   --help`), the global options, the environment and the exit codes.
#
# It reads the pages as formatted text (groff, very long lines, no bold),
# so roff escapes in the source do not matter. Ends with
# "N passed, N failed" (tests/deploy/lib.sh).
set -u

# shellcheck source=tests/deploy/lib.sh
. "$(dirname "$0")/lib.sh"
setup "$@"

pald=$build/pald
pal=$build/pal
pald8=$src/docs/man/pald.8
pal1=$src/docs/man/pal.1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# A page as plain text: one line per paragraph, ASCII hyphens and
# single spaces.
render() {
	groff -man -Tutf8 -k -rLL=3000n -P-cbou "$1" 2>/dev/null |
	    sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g; s/[[:space:]][[:space:]]*/ /g'
}

# --- Formatting ------------------------------------------------------

for page in "$pald8" "$pal1"; do
	name=${page##*/}
	# shellcheck disable=SC2016 # expanded by the inner sh
	check "$name: groff -ww sin advertencias" \
	    sh -c 'w=$(groff -man -Tutf8 -ww -k -z "$1" 2>&1); [ -z "$w" ] ||
	    { echo "$w"; exit 1; }' sh "$page"
	if command -v mandoc >/dev/null 2>&1; then
		check "$name: mandoc -Tlint limpio" mandoc -Tlint "$page"
	else
		skip "$name: mandoc -Tlint (mandoc no está instalado)"
	fi
done

# --- pald.8 ------------------------------------------------------------

# The generated parts: regenerated from the binaries on copies, which
# must come out identical.
mkdir -p "$tmp/man"
cp "$pald8" "$pal1" "$tmp/man/"
if sh "$src/deploy/gen-man.sh" "$build" "$tmp/man" 2>"$tmp/gen.err"; then
	for page in "$pald8" "$pal1"; do
		name=${page##*/}
		if cmp -s "$page" "$tmp/man/$name"; then
			pass "$name: lo generado coincide con los binarios"
		else
			fail "$name: desactualizada; regenérela con" \
			    "«sh deploy/gen-man.sh $build»"
			diff "$page" "$tmp/man/$name" | head -20 |
			    sed 's/^/      /'
		fi
	done
else
	fail "deploy/gen-man.sh falló:"
	sed 's/^/      /' "$tmp/gen.err"
fi

render "$pald8" >"$tmp/pald.txt"
keys=$("$pald" --dump-config | sed -n 's/^\([a-z_]*\) =.*/\1/p')
missing=
nkeys=0
for k in $keys; do
	nkeys=$((nkeys + 1))
	grep -q "^ *$k *$" "$tmp/pald.txt" || missing="$missing $k"
done
if [ "$nkeys" -gt 0 ] && [ -z "$missing" ]; then
	pass "pald.8: las $nkeys claves de configuración"
else
	fail "pald.8: faltan claves:$missing"
fi

opts=$("$pald" --help | grep -o -- '--[a-z][a-z-]*\|-c\b' | sort -u)
missing=
for o in $opts; do
	grep -q -- "$o" "$tmp/pald.txt" || missing="$missing $o"
done
if [ -n "$opts" ] && [ -z "$missing" ]; then
	pass "pald.8: todas las opciones de pald --help"
else
	fail "pald.8: faltan opciones:$missing"
fi

# --- pal.1 -------------------------------------------------------------

render "$pal1" >"$tmp/pal.txt"

# Each command of `pal --help` as one line: "pal NOUN [VERB] USAGE".
# Continuation lines are indented 8 spaces; the summary 6.
"$pal" --help | awk '
	/^  pal / { if (cmd != "") print cmd; cmd = substr($0, 3); next }
	/^        / && cmd != "" { sub(/^ +/, ""); cmd = cmd " " $0; next }
	{ if (cmd != "") print cmd; cmd = "" }
	END { if (cmd != "") print cmd }' >"$tmp/usages"
ncmd=$(wc -l <"$tmp/usages")
missing=0
while IFS= read -r u; do
	if ! grep -qF -- "$u" "$tmp/pal.txt"; then
		echo "      falta en pal.1: $u"
		missing=$((missing + 1))
	fi
done <"$tmp/usages"
if [ "$ncmd" -gt 30 ] && [ "$missing" -eq 0 ]; then
	pass "pal.1: las $ncmd órdenes con su línea de uso exacta"
else
	fail "pal.1: $missing de $ncmd órdenes faltan o cambiaron"
fi

# The words of every choice option, as each command's --help lists them
# ("  --fase: preparacion, convocada, ... o cancelada").
missing=
while IFS= read -r u; do
	# shellcheck disable=SC2086 # the words of the usage line
	set -- $u
	case ${3:-} in
	[a-z]*) words="$2 $3" ;;
	*) words=$2 ;;
	esac
	# shellcheck disable=SC2086 # NOUN [VERB] as separate words
	for w in $("$pal" $words --help | awk '
	    /^  --[a-z-]+: / { on = 1; sub(/^  --[a-z-]+: /, ""); print; next }
	    /^      / && on { print; next }
	    { on = 0 }' | tr -s ' ,' '\n' | grep -v '^o$' | grep .); do
		grep -qw -- "$w" "$tmp/pal.txt" || missing="$missing $w"
	done
done <"$tmp/usages"
if [ -z "$missing" ]; then
	pass "pal.1: cada valor de las opciones de elección"
else
	fail "pal.1: faltan valores:$missing"
fi

missing=
for o in --url --token --json --help --version PAL_URL PAL_TOKEN \
    .config/pal/config; do
	grep -qF -- "$o" "$tmp/pal.txt" || missing="$missing $o"
done
for code in 0 1 2 3; do
	grep -q "^ *$code [[:upper:]]" "$tmp/pal.txt" ||
	    missing="$missing salida-$code"
done
if [ -z "$missing" ]; then
	pass "pal.1: opciones globales, entorno y códigos de salida"
else
	fail "pal.1: faltan:$missing"
fi

finish
