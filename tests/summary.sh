#!/bin/sh
# Adds up the test-counts files that tests/run.sh leaves in each build
# directory and prints one closing line, "N passed, N failed":
#
#	sh tests/summary.sh build/check build/asan
#
# A directory without a test-counts file (its run never finished) counts
# as one failure. Exits non-zero if anything failed.

set -u

passed=0
failed=0
for dir in "$@"; do
	f="$dir/test-counts"
	if [ ! -r "$f" ]; then
		echo "tests/summary.sh: no $f: that run did not finish" >&2
		failed=$((failed + 1))
		continue
	fi
	p=
	fl=
	read -r p fl rest <"$f" || true
	case "$p:$fl" in
	*[!0-9:]* | :* | *:)
		echo "tests/summary.sh: $f is malformed" >&2
		failed=$((failed + 1))
		continue
		;;
	esac
	passed=$((passed + p))
	failed=$((failed + fl))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
