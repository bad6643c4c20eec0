/*
 * Startup time of pald against DESIGN.md section 9 (ready on a migrated
 * database in under 300 ms), measured from outside: from fork to the
 * first "200" answer of GET /healthz, polling every millisecond. pald
 * must be configured with listen_port = 0 and port_file = PORT_FILE; the
 * port is read from that file as soon as pald writes it. Each run ends
 * with SIGTERM and waits for pald to exit. A standalone program, not a
 * test:
 *
 *	cc -std=c11 -D_GNU_SOURCE -O2 -o bench_startup \
 *	    tests/bench/bench_startup.c tests/bench/bench.c
 *	./bench_startup PALD CONFIG PORT_FILE LOG [RUNS]
 *
 * pald's stderr goes to LOG (appended). RUNS defaults to 5; it prints
 * the minimum and the median. It does not measure what pald logs as its
 * own "ready ... in N ms" (that excludes exec and the dynamic loader).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_RUNS	50
#define TIMEOUT_MS	10000

/* The port in path, or 0 while the file is not there yet. */
static int
startup_port(const char *path)
{
	FILE *f = fopen(path, "r");
	int port = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%d", &port) != 1)
		port = 0;
	fclose(f);
	return port;
}

/* True if GET /healthz on 127.0.0.1:port answers 200. */
static int
startup_healthy(int port)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
	struct sockaddr_in sin;
	char reply[64];
	ssize_t n;
	size_t got = 0;
	int fd, ok = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    write(fd, req, sizeof(req) - 1) == (ssize_t)(sizeof(req) - 1)) {
		while (got < 12 && (n = read(fd, reply + got,
		    sizeof(reply) - 1 - got)) > 0)
			got += (size_t)n;
		reply[got] = '\0';
		ok = strncmp(reply, "HTTP/1.1 200", 12) == 0;
	}
	close(fd);
	return ok;
}

/* One start: the time to the first 200, or a negative number. */
static double
startup_once(char *const argv[], const char *port_file, const char *log)
{
	struct timespec pause = { 0, 1000000 };
	double t0, t = -1;
	pid_t pid;
	int fd, port, status;

	unlink(port_file);
	t0 = bench_now_ms();
	if ((pid = fork()) < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	while (bench_now_ms() - t0 < TIMEOUT_MS) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "bench_startup: pald exited (see %s)\n",
			    log);
			return -1;
		}
		if ((port = startup_port(port_file)) > 0 &&
		    startup_healthy(port)) {
			t = bench_now_ms() - t0;
			break;
		}
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (t < 0)
		fprintf(stderr, "bench_startup: no 200 within %d ms\n",
		    TIMEOUT_MS);
	return t;
}

int
main(int argc, char **argv)
{
	double ms[MAX_RUNS];
	int runs = 5;
	char *pald_argv[4];

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "uso: bench_startup PALD CONFIG "
		    "ARCHIVO_DE_PUERTO BITACORA [CORRIDAS]\n");
		return 2;
	}
	if (argc == 6)
		runs = atoi(argv[5]);
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench_startup: CORRIDAS de 1 a %d\n",
		    MAX_RUNS);
		return 2;
	}
	pald_argv[0] = argv[1];
	pald_argv[1] = (char *)"-c";
	pald_argv[2] = argv[2];
	pald_argv[3] = NULL;
	for (int i = 0; i < runs; i++)
		if ((ms[i] = startup_once(pald_argv, argv[3], argv[4])) < 0)
			return 1;
	qsort(ms, (size_t)runs, sizeof(ms[0]), bench_cmp_double);
	printf("arranque hasta el primer /healthz 200: min %.1f ms, mediana "
	    "%.1f ms (%d corridas)\n", ms[0], ms[runs / 2], runs);
	return 0;
}
