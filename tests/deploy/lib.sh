# shellcheck shell=sh
# shellcheck disable=SC2034 # src and build are read by the tests
# Shared by the tests of tests/deploy/ (sourced, POSIX sh): the command
# line, counting checks and the closing line. Each test script sources
# it, calls setup "$@", calls pass or fail once per check, and ends with
# finish, which prints "N passed, N failed" (the line tests/deploy/run.sh
# adds up) and exits non-zero if a check failed.

npass=0
nfail=0

# setup ARGS...: the command line every test here takes, BUILD_DIR. Sets
# src (the top of the source tree) and build (BUILD_DIR, absolute), or
# prints the usage and exits 2.
setup() {
	src=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
	if [ $# -ne 1 ]; then
		echo "uso: ${BASH_VERSION:+ba}sh tests/deploy/${0##*/}" \
		    "BUILD_DIR" >&2
		exit 2
	fi
	build=$(cd "$1" && pwd) || exit 2
}

# pass WHAT: one check that held.
pass() {
	npass=$((npass + 1))
	printf 'ok    %s\n' "$*"
}

# fail WHAT: one check that did not.
fail() {
	nfail=$((nfail + 1))
	printf 'FALLO %s\n' "$*"
}

# check WHAT COMMAND...: runs COMMAND quietly; pass if it exits 0. Its
# output is shown only when it fails.
check() {
	what=$1
	shift
	if _out=$("$@" 2>&1); then
		pass "$what"
	else
		fail "$what"
		[ -z "$_out" ] || printf '%s\n' "$_out" | sed 's/^/      /'
	fi
}

# skip WHAT: a check that cannot run here (a tool is missing); counted
# neither way, but said.
skip() {
	printf 'omitida %s\n' "$*"
}

finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
