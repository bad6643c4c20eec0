#!/bin/bash
# Tests deploy/pal.bash-completion against the real pal of a build:
#
#	bash tests/deploy/test_completion.sh BUILD_DIR
#
# It sources the completion file, fills COMP_WORDS and COMP_CWORD as
# bash does for a line typed so far, calls the completion function and
# compares COMPREPLY with what pal's command table says. Ends with
# "N passed, N failed" (tests/deploy/lib.sh).
set -u

# shellcheck source=tests/deploy/lib.sh
. "$(dirname "$0")/lib.sh"
setup "$@"

PATH=$build:$PATH
export PATH

# shellcheck source=deploy/pal.bash-completion
. "$src/deploy/pal.bash-completion"

# expect WORD... :: EXPECTED...: completes the line whose last word is
# the one under the cursor ("" for a new word) and compares COMPREPLY,
# sorted, with EXPECTED, sorted.
expect() {
	local -a words=()
	while [ "$1" != "::" ]; do
		words+=("$1")
		shift
	done
	shift
	COMP_WORDS=(pal "${words[@]}")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_pal
	local got want
	got=$(printf '%s\n' "${COMPREPLY[@]}" | grep . | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | grep . | sort | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		pass "pal ${words[*]}<TAB> -> $*"
	else
		fail "pal ${words[*]}<TAB>: se esperaba «$want», llegó «$got»"
	fi
}

if complete -p pal 2>/dev/null | grep -q -- '-F _pal pal$'; then
	pass "complete -p pal nombra _pal"
else
	fail "complete -p pal no nombra _pal"
fi

# Nouns: every noun of pal --help, once.
nouns=$(pal --help | awk '/^  pal / { print $2 }' | sort -u)
# shellcheck disable=SC2086
expect "" :: $nouns
# shellcheck disable=SC2046,SC2086
expect m :: $(printf '%s\n' $nouns | grep '^m')
expect mes :: mesa
expect --j :: --json
expect --url http://127.0.0.1:8080 ma :: material
expect --url "" ::
# Verbs of a noun.
mesa_verbs=$(pal --help | awk '/^  pal mesa / { print $3 }')
# shellcheck disable=SC2086
expect mesa "" :: $mesa_verbs
expect mesa cr :: crear
expect pal ce :: cerrar
expect mesa -- :: --help
# Options of a command, without those already given.
expect mesa crear -- :: --titulo --entidad --municipio --zona-horaria --help
expect mesa crear --titulo "Obra pública" --entidad Oaxaca -- :: \
    --municipio --zona-horaria --help
expect pal pdf 1 - :: -o --version --help
expect monitoreo --v :: --vencidas
# Words of choice options, in the usage line or only in --help.
expect usuario crear --rol "" :: facilitador garante admin
expect actor agregar 1 --sector "" :: sociedad_civil institucion_publica \
    organismo_garante stl
expect material agregar 1 --tipo c :: criterios_minimos \
    compromisos_preliminares consulta_publica
expect mesa listar --fase en_ :: en_sesion en_seguimiento
expect compromiso agregar 1 --tipo "" :: contrataciones_abiertas \
    plan_nacional local
expect criterio atestiguar 1 --criterio s :: sostenible
# Literal words, once.
expect monitoreo ex :: exportar
expect monitoreo exportar ex ::
# Free values and unknown commands: nothing (bash then completes files).
expect mesa crear --titulo "" ::
expect nada "" ::
expect mesa nada -- ::

finish
