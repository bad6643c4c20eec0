#!/bin/sh
# A soak of the real pald: steady mixed traffic for a while, and pald's
# resident memory watched for growth.
#
#	sh tests/soak/run.sh [--short] BUILD_DIR	(make soak)
#
# SOAK_MINUTES (default 10) sets the length, VmRSS is sampled every minute
# and the first minute is the warm-up; --short runs 45 s, samples every
# 10 s and warms up for 10 s. SOAK_CONNS (16) connections send SOAK_RATE
# (400) requests a second in total: reads of mesas, new actors, uploads
# of materials and confirmations through personal links (see
# tests/soak/traffic.py), with the mailer delivering the links' emails
# to the mail catcher all along.
#
# Two checks: no request failed (every reply 2xx), and VmRSS grew at most
# 5 % from the first sample after the warm-up to the last. Use a build
# without sanitizers: ASan's quarantine holds freed memory, so there
# VmRSS grows by design (a sanitizer report still fails the run). It writes
# "PASSED FAILED" to BUILD_DIR/soak/test-counts, prints the samples and
# "N passed, N failed", and exits non-zero if a check failed. The world
# (PostgreSQL, the catcher, pald) is the one tests/faults/lib.sh builds,
# on loopback and Unix sockets, stopped by a trap at exit. POSIX sh.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/faults/lib.sh
. "$HERE/../faults/lib.sh"
lib_args soak "$@"

if [ "$SHORT" -eq 1 ]; then
	SECONDS_=45 SAMPLE_S=10 WARMUP_S=10
else
	SECONDS_=$((${SOAK_MINUTES:-10} * 60)) SAMPLE_S=60 WARMUP_S=60
fi
CONNS=${SOAK_CONNS:-16}
RATE=${SOAK_RATE:-400}
LIMIT_PCT=5

lib_setup soak "$LIB_BUILD_ARG"
# Mail is polled often so fresh links reach the traffic quickly.
lib_world "mail_poll_ms = 100" "mail_retry_base_s = 1"
lib_log "pald $PALD_URL (pid $PALD_PID), data in $LIB_TMP"

out=$LIB_TMP/traffic.out
"$PYTHON" "$HERE/traffic.py" --url "$PALD_URL" --token "$ADMIN_TOKEN" \
    --pid "$PALD_PID" --mail-dir "$MAIL_DIR" --seconds "$SECONDS_" \
    --sample "$SAMPLE_S" --warmup "$WARMUP_S" --conns "$CONNS" \
    --rate "$RATE" | tee "$out"
result=$(grep '^RESULT ' "$out")
if [ -z "$result" ]; then
	lib_fail "soak: the traffic did not finish (see above)"
	lib_finish
fi
# result_field NAME: the value of NAME=... in the RESULT line.
result_field() {
	echo "$result" | sed -n "s/.* $1=\([-0-9.]*\).*/\1/p"
}
r_requests=$(result_field requests)
r_failed=$(result_field failed)
r_base_kib=$(result_field base_kib)
r_base_at=$(result_field base_at)
r_last_kib=$(result_field last_kib)
r_growth_pct=$(result_field growth_pct)

if [ "$r_failed" = 0 ] && pald_alive; then
	lib_pass "soak: $r_requests requests in ${SECONDS_} s over $CONNS" \
	    "connections, none failed"
else
	lib_fail "soak: $r_failed of $r_requests requests failed (pald" \
	    "alive: $(pald_alive && echo yes || echo NO))"
fi
msg="soak: VmRSS $r_base_kib KiB at ${r_base_at} s (after the warm-up),
$r_last_kib KiB at ${SECONDS_} s: ${r_growth_pct} % (limit $LIMIT_PCT %)"
if awk -v g="$r_growth_pct" -v l="$LIMIT_PCT" 'BEGIN { exit !(g <= l) }'; then
	lib_pass "$msg"
else
	lib_fail "$msg"
fi
lib_finish
