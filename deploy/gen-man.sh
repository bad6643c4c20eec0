#!/bin/sh
# Regenerates the parts of the manual pages that the binaries know
# better than a person: the CONFIGURATION list of pald.8, from
# `pald --dump-config` (config.c's key table: every key, its doc, its
# default), and the ÓRDENES list of pal.1, from `pal --help` and each
# `pal NOUN VERB --help` (client/commands.c's table: usage, summary,
# notes, the words of choice options):
#
#	sh deploy/gen-man.sh BUILD_DIR [MAN_DIR]
#
# MAN_DIR defaults to docs/man. In each page the generated part lies
# between two comment lines,
#	.\" BEGIN CONFIGURATION (deploy/gen-man.sh)  ...  .\" END CONFIGURATION
#	.\" BEGIN COMMANDS (deploy/gen-man.sh)       ...  .\" END COMMANDS
# and nothing else of the page is touched. Run it after adding a key or
# a command; tests/deploy/test_man.sh fails while a page is stale.
#
# The roff it writes: a backslash as \e, a minus as \-, a leading dot or
# quote neutralised (\&), one sentence per line, text lines within 80
# bytes as mandoc counts them (a non-ASCII character as 8), and \% before
# words with / or _ so they are never hyphenated. POSIX sh and awk.
set -eu

die() {
	printf 'gen-man.sh: %s\n' "$*" >&2
	exit 1
}

[ $# -eq 1 ] || [ $# -eq 2 ] ||
    die "uso: sh deploy/gen-man.sh DIRECTORIO_DE_COMPILACION [DIRECTORIO_MAN]"
build=$1
man=${2:-$(dirname "$0")/../docs/man}
pald=$build/pald
pal=$build/pal
[ -x "$pald" ] || die "no existe el ejecutable «$pald»"
[ -x "$pal" ] || die "no existe el ejecutable «$pal»"

tmp=$(mktemp -d) || die "mktemp falló"
trap 'rm -rf "$tmp"' EXIT

# The roff helpers, shared by both generators (awk source text).
ROFF_AWK='
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	return s
}
# Bytes as mandoc counts them: a 2-byte UTF-8 character is 8.
function mlen(s,    t, n) {
	t = s
	n = gsub(/[\200-\377]/, "", t)
	return length(s) + 3 * n
}
function nohyph(s,    n, w, i, out) {
	n = split(s, w, " ")
	out = ""
	for (i = 1; i <= n; i++) {
		if (w[i] ~ /[\/_]/)
			w[i] = "\\%" w[i]
		out = out (i > 1 ? " " : "") w[i]
	}
	return out
}
# Prints text: one sentence per line, each wrapped within 80 bytes.
function text(s,    rest, line) {
	s = nohyph(esc(s))
	while (match(s, /\. [^a-z0-9]/)) {
		wrap(substr(s, 1, RSTART))
		s = substr(s, RSTART + 2)
	}
	if (s != "")
		wrap(s)
}
function wrap(s,    n, w, i, line) {
	n = split(s, w, " ")
	line = ""
	for (i = 1; i <= n; i++) {
		if (line != "" && mlen(line " " w[i]) > 80) {
			emit(line)
			line = w[i]
		} else
			line = line (line == "" ? "" : " ") w[i]
	}
	if (line != "")
		emit(line)
}
function emit(s) {
	if (s ~ /^[.\047]/)
		s = "\\&" s
	print s
}
'

# pald.8: one .TP entry per key, in the table's order.
config_section() {
	"$pald" --dump-config | LC_ALL=C awk "$ROFF_AWK"'
	/^# / { doc = doc (doc == "" ? "" : " ") substr($0, 3); next }
	/^[a-z_]+ = ?/ {
		key = $1
		value = $0
		sub(/^[a-z_]+ = ?/, "", value)
		print ".TP"
		print ".B " key
		text(doc)
		if (value == "")
			print "Default: empty."
		else
			emit("Default: \\fB" esc(value) "\\fR.")
		doc = ""
		n++
		next
	}
	/^$/ { next }
	{ print "gen-man.sh: unexpected line: " $0 > "/dev/stderr"; bad = 1 }
	END { if (bad || n == 0) exit 1 }'
}

# pal.1: a .SS per noun, a .TP per command with its usage line, summary,
# notes and the words of its choice options.
commands_section() {
	# One line per command: "pal NOUN [VERB] USAGE". Continuation lines
	# are indented 8 spaces, the summary 6.
	"$pal" --help | awk '
	    /^  pal / { if (cmd != "") print cmd; cmd = substr($0, 3); next }
	    /^        / && cmd != "" { sub(/^ +/, ""); cmd = cmd " " $0; next }
	    { if (cmd != "") print cmd; cmd = "" }
	    END { if (cmd != "") print cmd }' >"$tmp/usages"
	[ -s "$tmp/usages" ] || die "pal --help no listó ninguna orden"
	prev=
	while IFS= read -r usage; do
		# shellcheck disable=SC2086 # the words of the usage line
		set -- $usage
		noun=$2
		verb=
		case ${3:-} in
		[a-z]*) verb=$3 ;;
		esac
		# shellcheck disable=SC2086 # no verb: no argument
		"$pal" "$noun" $verb --help >"$tmp/help" ||
		    die "pal $noun $verb --help falló"
		USAGE=$usage NEW_NOUN=$([ "$noun" = "$prev" ] || echo "$noun") \
		    LC_ALL=C awk "$ROFF_AWK"'
		NR == 1 {
			if (ENVIRON["NEW_NOUN"] != "")
				print ".SS " ENVIRON["NEW_NOUN"]
			print ".TP"
			print ".B " esc(ENVIRON["USAGE"])
			next
		}
		/^        / && state == 0 { next }
		state == 0 { text($0); state = 1; next }
		/^  --[a-z-]+: / {
			flush()
			opt = $1
			sub(/:$/, "", opt)
			vals = $0
			sub(/^  --[a-z-]+: /, "", vals)
			next
		}
		/^      / && opt != "" { sub(/^ +/, ""); vals = vals " " $0; next }
		{ notes = notes (notes == "" ? "" : " ") $0 }
		function flush() {
			if (notes != "")
				text(notes)
			notes = ""
			if (opt != "") {
				print "Valores de"
				print ".BR " esc(opt) " :"
				text(vals ".")
			}
			opt = ""
		}
		END { flush() }' "$tmp/help"
		prev=$noun
	done <"$tmp/usages"
}

# replace PAGE NAME FILE: puts FILE between PAGE's BEGIN NAME and END
# NAME lines.
replace() {
	begin=".\\\" BEGIN $2 (deploy/gen-man.sh)"
	end=".\\\" END $2"
	[ -f "$1" ] || die "no existe la página «$1»"
	grep -qxF "$begin" "$1" || die "$1 no tiene la línea «$begin»"
	grep -qxF "$end" "$1" || die "$1 no tiene la línea «$end»"
	# Through the environment: awk -v would eat the backslashes.
	BEGIN_LINE=$begin END_LINE=$end BODY=$3 awk '
	    $0 == ENVIRON["BEGIN_LINE"] { print; skip = 1
		while ((getline l < ENVIRON["BODY"]) > 0) print l
		next }
	    $0 == ENVIRON["END_LINE"] { skip = 0 }
	    !skip { print }' "$1" >"$tmp/page"
	cat "$tmp/page" >"$1"
}

config_section >"$tmp/config" || die "pald --dump-config falló"
commands_section >"$tmp/commands"
replace "$man/pald.8" CONFIGURATION "$tmp/config"
replace "$man/pal.1" COMMANDS "$tmp/commands"
