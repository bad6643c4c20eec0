#!/bin/sh
# Runs the unit and integration tests of one build against real servers:
#
#	sh tests/run.sh BUILD_DIR
#
# It starts one throwaway PostgreSQL 15 for the whole run (a private
# cluster on a Unix socket in a temporary directory, fsync off), exports
# where it is for tests/support/harness.c, runs BUILD_DIR/unit-tests and
# BUILD_DIR/integration-tests (Criterion), and ends with one line,
# "N passed, N failed", also written to BUILD_DIR/test-counts as
# "passed failed" for tests/summary.sh. It exits non-zero if a test
# failed or crashed, if a binary exited non-zero, or if a sanitizer
# report was left that no test claimed.
#
# It does not build anything (make does) and does not start mail
# servers or daemons (each test starts its own through the harness).
# PALD_TEST_KEEP=1 keeps the temporary directory (logs, mail, data) and
# prints where it is. PALD_TEST_FILTER=GLOB runs only the integration
# tests whose "suite/test" matches (Criterion's --filter), for example
# PALD_TEST_FILTER='hostile/*' sh tests/run.sh build.

set -u

die() {
	echo "tests/run.sh: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: sh tests/run.sh BUILD_DIR"
[ -d "$1" ] || die "no build directory $1"
build=$(cd "$1" && pwd) || die "cannot enter $1"
src=$(cd "$(dirname "$0")/.." && pwd) || die "cannot find the source tree"
rm -f "$build/test-counts"

# shellcheck source=tests/support/pg.sh
. "$src/tests/support/pg.sh"

tmp=$(mktemp -d /tmp/pald-test.XXXXXX) || die "mktemp failed"

cleanup() {
	pg_cleanup
	if [ "${PALD_TEST_KEEP:-0}" = 1 ]; then
		echo "tests/run.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The cluster (tests/support/pg.sh): about 0.6 s. Each integration test
# has a database and daemons of its own, two at a time.
pg_init "$tmp" "max_connections = 200" || die "initdb failed"
pg_start || die "PostgreSQL did not start"

export PALD_TEST_PGHOST="$tmp"
export PALD_TEST_PGUSER=postgres
export PALD_TEST_BUILD="$build"
export PALD_TEST_SRC="$src"
export PALD_TEST_TMP="$tmp"

# A sanitizer build writes its reports to files, one per process, so the
# harness can tell which daemon or command left one (and fail that test)
# and this script can find the rest.
san=0
for bin in pald pal integration-tests unit-tests; do
	if [ -x "$build/$bin" ] &&
	    nm "$build/$bin" 2>/dev/null | grep -q __asan_init; then
		san=1
	fi
done
if [ "$san" -eq 1 ]; then
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$tmp/asan"
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
	export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$tmp/ubsan"
	if [ -f "$src/tests/support/lsan.supp" ]; then
		export LSAN_OPTIONS="suppressions=$src/tests/support/lsan.supp:print_suppressions=0"
	fi
	# GLib's slice allocator pools pango's objects, hiding their leaks
	# from LeakSanitizer; plain malloc shows them.
	export G_SLICE=always-malloc
	echo "tests/run.sh: sanitizer build; reports go to $tmp/asan.PID"
fi

passed=0
failed=0
status=0

# sweep_reports NAME: shows the sanitizer reports that no test claimed,
# sets nreports to their number and puts them aside.
sweep_reports() {
	nreports=0
	for f in "$tmp"/asan.* "$tmp"/ubsan.*; do
		[ -f "$f" ] || continue
		echo "==== unclaimed sanitizer report $f ($1) ====" >&2
		cat "$f" >&2
		mv "$f" "$tmp/unclaimed.${f##*/}"
		nreports=$((nreports + 1))
		status=1
	done
}

# run_suite NAME ARGS...: runs $build/NAME, shows its output and adds its
# Synthesis line to the totals.
run_suite() {
	name=$1
	shift
	bin="$build/$name"
	if [ ! -x "$bin" ]; then
		echo "tests/run.sh: warning: $bin does not exist, skipped" >&2
		return
	fi
	out="$tmp/$name.out"
	{
		(cd "$tmp" && "$bin" "$@" 2>&1)
		echo $? >"$tmp/$name.rc"
	} | tee "$out"
	rc=$(cat "$tmp/$name.rc")
	# Criterion colours its output when it can; read it without.
	line=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep 'Synthesis:' |
	    tail -n 1)
	n='\([0-9]*\)'
	pat=".*Passing: *$n.*Failing: *$n.*Crashing: *$n.*"
	counts=$(echo "$line" | sed -n "s/$pat/\\1 \\2 \\3/p")
	if [ -z "$counts" ]; then
		echo "tests/run.sh: $name printed no Synthesis line" \
		    "(exit $rc)" >&2
		sweep_reports "$name"
		failed=$((failed + 1))
		status=1
		return
	fi
	set -- $counts
	passed=$((passed + $1))
	failed=$((failed + $2))
	if [ "$2" -ne 0 ] || [ "$3" -ne 0 ]; then
		status=1
	fi
	# Sanitizer reports no test claimed: leaks in the test binary itself
	# or in a process the harness did not wait for. A test that fails an
	# assertion leaves its memory behind, so next to failed tests they
	# are shown but not counted again; alone, each one counts.
	sweep_reports "$name"
	if [ "$2" -eq 0 ]; then
		failed=$((failed + nreports))
	fi
	# Reports the harness found and printed: one line per report in
	# sanitizer-found. Criterion does not count an assertion that fails
	# in a suite's .fini (where daemons are stopped), so they are
	# counted here, whatever Criterion said.
	if [ -s "$tmp/sanitizer-found" ]; then
		nfound=$(wc -l <"$tmp/sanitizer-found")
		echo "tests/run.sh: $nfound sanitizer report(s) found by the" \
		    "harness in $name:" >&2
		cat "$tmp/sanitizer-found" >&2
		failed=$((failed + nfound))
		status=1
		rm -f "$tmp/sanitizer-found"
	fi
	if [ "$rc" -ne 0 ]; then
		status=1
		if [ "$2" -eq 0 ] && [ "$nreports" -eq 0 ]; then
			# Exited non-zero with every test passing: count it, so
			# the closing line agrees with the exit status.
			echo "tests/run.sh: $name exited $rc" >&2
			failed=$((failed + 1))
		fi
	fi
}

# Each integration test has its own database, mail folder and daemons,
# so two run at once. A test that hangs is stopped (and counted as a
# crash) rather than hanging `make test`.
if [ -n "${PALD_TEST_FILTER:-}" ]; then
	run_suite integration-tests --jobs 2 --timeout 300 \
	    --filter "$PALD_TEST_FILTER"
else
	run_suite unit-tests
	run_suite integration-tests --jobs 2 --timeout 300
fi

echo "$passed $failed" >"$build/test-counts"
echo "$passed passed, $failed failed"
exit $status
