/*
 * Helpers shared by the benchmark programs of tests/bench/ (not part of
 * pald): a monotonic clock, a qsort comparator for timings and the port
 * file a baseline server hands its port over in. Each program is built
 * with bench.c (tests/bench/run.sh).
 */
#ifndef BENCH_H
#define BENCH_H

/* Milliseconds on CLOCK_MONOTONIC, from an arbitrary origin. */
double	bench_now_ms(void);

/* qsort comparator for an array of double, ascending. */
int	bench_cmp_double(const void *, const void *);

/*
 * Writes port and a newline to path (borrowed) through path.tmp and a
 * rename, so a reader never sees half of it. 0, or -1 with errno set.
 */
int	bench_write_port(const char *path, int port);

#endif
