// SPDX-License-Identifier: Apache-2.0
/* Test helper for the proc probe, linked statically so that no dynamic loader adds syscalls of its own.
 *   helper fail N   waits for a line on stdin, makes exactly N openat calls that fail with ENOENT,
 *                   prints "done", waits for stdin to close
 *   helper spin     runs on the CPU, sleeping 200 us every 2 ms (wakeups and preemptions both happen),
 *                   until stdin closes */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char buf[16];
	if (argc == 3 && !strcmp(argv[1], "fail")) {
		int n = atoi(argv[2]);
		if (read(0, buf, sizeof(buf)) <= 0)
			return 1;
		for (int i = 0; i < n; i++)
			syscall(SYS_openat, AT_FDCWD, "/nonexistent/gala-proc-test", O_RDONLY);
		write(1, "done\n", 5);
		while (read(0, buf, sizeof(buf)) > 0)
			;
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "spin")) {
		struct pollfd p = {.fd = 0, .events = POLLIN};
		struct timespec nap = {.tv_sec = 0, .tv_nsec = 200000};
		volatile unsigned long x = 0;
		for (;;) {
			double until = now() + 0.002;
			while (now() < until)
				x++;
			nanosleep(&nap, NULL);
			if (poll(&p, 1, 0) > 0 && read(0, buf, sizeof(buf)) <= 0)
				return 0;
		}
	}
	fprintf(stderr, "usage: helper fail N | helper spin\n");
	return 2;
}
