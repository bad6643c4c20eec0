#!/bin/sh
# make bench: builds the benchmarks under tests/bench/ and runs them. Each
# prints its own result line; targets are in ../shared/DESIGN.md section 9
# and the recorded results, with the machine, in docs/BENCHMARKS.md.
#
# So far: PAL rendering to PDF (50 commitments x 10 activities). The HTTP
# baselines (evhttp hello, evhttp + one SELECT) and wrk runs come with the
# performance issue.
set -eu
build=${1:-build}
mkdir -p "$build/bench"
echo "Máquina: $(nproc) núcleos, $(lscpu | sed -n 's/^Model name: *//p'),"\
    "$(free -g | awk '/^Mem:/ {print $2}') GiB"
cc -std=c11 -D_GNU_SOURCE -O2 -iquote common -iquote server \
    -o "$build/bench/bench_pdf" tests/bench/bench_pdf.c server/pdf.c \
    common/*.c $(pkg-config --cflags --libs pangocairo jansson libcrypto) \
    -lpthread -lm
"$build/bench/bench_pdf"
