#!/bin/sh
# Runs the deployment tests of tests/deploy/ against one build:
#
#	sh tests/deploy/run.sh BUILD_DIR
#
#   test_man.sh         the manual pages against pald and pal
#   test_completion.sh  deploy/pal.bash-completion against pal (bash)
#   test_install.sh     make install, the systemd unit, shellcheck
#   test_backup.sh      roles, migrate, backup, restore, pald behind nginx
#
# Each prints its checks and "N passed, N failed"; this adds those lines
# up, prints the total the same way and writes "passed failed" to
# BUILD_DIR/deploy/test-counts for tests/summary.sh. A script that ends
# without its line counts as one failure. Exits non-zero if anything
# failed. It builds nothing: make all first.
set -u

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "uso: sh tests/deploy/run.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
mkdir -p "$build/deploy"
rm -f "$build/deploy/test-counts"

passed=0
failed=0
for t in test_man.sh test_completion.sh test_install.sh test_backup.sh; do
	echo "== $t"
	case $t in
	test_completion.sh) shell=bash ;;
	*) shell='sh' ;;
	esac
	out=$build/deploy/${t%.sh}.out
	"$shell" "$here/$t" "$build" 2>&1 | tee "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "tests/deploy/run.sh: $t terminó sin su línea de resultados" >&2
		failed=$((failed + 1))
		continue
	fi
	# shellcheck disable=SC2086 # "N passed, N failed" as words
	set -- $line
	passed=$((passed + $1))
	failed=$((failed + $3))
done

echo "$passed $failed" >"$build/deploy/test-counts"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
