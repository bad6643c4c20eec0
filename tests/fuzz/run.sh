#!/bin/sh
# Runs every libFuzzer target of tests/fuzz that make built in
# BUILD_DIR/fuzz:
#
#	sh tests/fuzz/run.sh BUILD_DIR [SECONDS]
#
# Each target first replays its seeds (tests/fuzz/corpus/TARGET) and what
# earlier runs kept (BUILD_DIR/fuzz/corpus/TARGET, where new inputs go),
# then fuzzes for SECONDS (default 60), with its dictionary if it has one.
# A target passes if nothing crashed, leaked, hit ASan or UBSan, timed out
# or broke one of its invariants. A failing input is saved under
# BUILD_DIR/fuzz/crashes/ and the end of the target's log is printed with
# the command that replays it. The script writes "passed failed" to
# BUILD_DIR/fuzz/test-counts, prints "N passed, N failed" and exits
# non-zero if a target failed.
#
# It does not build anything: `make fuzz` does, then runs this.

set -u

die() {
	echo "tests/fuzz/run.sh: $*" >&2
	exit 1
}

[ $# -ge 1 ] && [ $# -le 2 ] ||
    die "usage: sh tests/fuzz/run.sh BUILD_DIR [SECONDS]"
seconds=${2:-60}
case "$seconds" in
'' | *[!0-9]*) die "SECONDS must be a whole number, not '$seconds'" ;;
esac
[ -d "$1/fuzz" ] || die "no $1/fuzz: run make fuzz"
out=$(cd "$1/fuzz" && pwd) || die "cannot enter $1/fuzz"
src=$(cd "$(dirname "$0")" && pwd) || die "cannot find tests/fuzz"
rm -f "$out/test-counts"
mkdir -p "$out/crashes" || die "cannot create $out/crashes"

# Inputs larger than these teach nothing new and slow every run. config
# goes past 4096 so that over-long lines are tried.
max_len() {
	case "$1" in
	router | dates) echo 512 ;;
	config) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

# Sanitizer reports end the run: libFuzzer then saves the input.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1"

passed=0
failed=0
for c in "$src"/fuzz_*.c; do
	t=${c##*/fuzz_}
	t=${t%.c}
	bin="$out/fuzz_$t"
	log="$out/$t.log"
	if [ ! -x "$bin" ]; then
		echo "fuzz $t: FAILED: $bin was not built"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$out/corpus/$t"
	set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len="$(max_len "$t")" -print_final_stats=1 \
	    -artifact_prefix="$out/crashes/$t-"
	[ -r "$src/$t.dict" ] && set -- "$@" -dict="$src/$t.dict"
	seeds=
	[ -d "$src/corpus/$t" ] && seeds="$src/corpus/$t"
	before=$(ls "$out/crashes" | wc -l)
	# shellcheck disable=SC2086
	"$bin" "$@" "$out/corpus/$t" $seeds >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: ok (${runs:-?} inputs in ${seconds} s)"
		passed=$((passed + 1))
		continue
	fi
	failed=$((failed + 1))
	echo "fuzz $t: FAILED (exit $rc); the end of $log:"
	tail -n 40 "$log" | sed 's/^/    /'
	if [ "$(ls "$out/crashes" | wc -l)" -gt "$before" ]; then
		for a in $(ls -t "$out/crashes" | head -n 1); do
			echo "    replay: $bin $out/crashes/$a"
		done
	fi
done

echo "$passed $failed" >"$out/test-counts"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
