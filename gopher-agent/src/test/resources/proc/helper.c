// SPDX-License-Identifier: Apache-2.0
/* Test helper for the proc probe, linked statically so that no dynamic loader adds syscalls of its own.
 * Every mode that waits prints "ready" first, so that the test can take a baseline sample.
 *   helper fail N        waits for a line on stdin, makes exactly N openat calls that fail with ENOENT,
 *                        prints "done", waits for stdin to close
 *   helper forkexec F T E  waits for a line, runs T threads, forks F children that exit at once, then
 *                        execs itself E times in a row; the last image prints "done <forks>" and waits
 *                        for stdin to close
 *   helper oom MB        waits for a line, then allocates and touches MB MiB; prints "survived" if it can
 *   helper burn MS       waits for a line, forks a child that burns MS ms of CPU (user and kernel) and exits with status 3,
 *                        reaps it and prints "child <pid> <user us> <system us>" from wait4's rusage
 *   helper spin          runs on the CPU, sleeping 200 us every 2 ms (wakeups and preemptions both
 *                        happen), until stdin closes */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[64];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(const char *s)
{
	write(1, s, strlen(s));
}

static int ready_then_wait(void)
{
	say("ready\n");
	return read(0, buf, sizeof(buf)) > 0;
}

static int wait_eof(void)
{
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

static void *idle_thread(void *arg)
{
	return arg;
}

static int forkexec(char *self, int forks, int threads, int execs)
{
	char n[16];
	int made = 0;

	for (int i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, idle_thread, NULL) == 0)
			pthread_join(t, NULL);
	}
	for (int i = 0; i < forks; i++) {
		pid_t c = fork();
		if (c == 0)
			_exit(0);
		if (c > 0) {
			made++;
			waitpid(c, NULL, 0);
		}
	}
	snprintf(n, sizeof(n), "%d", execs);
	char forks_made[16];
	snprintf(forks_made, sizeof(forks_made), "%d", made);
	execl(self, self, "execs", n, forks_made, (char *)NULL);
	return 3;
}

static int execs(char *self, int left, const char *forks_made)
{
	char n[16];

	if (left > 0) {
		snprintf(n, sizeof(n), "%d", left - 1);
		execl(self, self, "execs", n, forks_made, (char *)NULL);
		return 3;
	}
	snprintf(buf, sizeof(buf), "done %s\n", forks_made);
	say(buf);
	return wait_eof();
}

static int oom(long mib)
{
	for (long i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);
		if (!p)
			return 4;
		for (int off = 0; off < (1 << 20); off += 4096)
			p[off] = 1;
	}
	say("survived\n");
	return wait_eof();
}

static int burn(int ms)
{
	struct rusage ru;
	pid_t c = fork();

	if (c == 0) {
		double until = now() + ms / 1000.0;
		while (now() < until)
			getppid();
		_exit(3);
	}
	if (c < 0 || wait4(c, NULL, 0, &ru) != c)
		return 5;
	snprintf(buf, sizeof(buf), "child %d %ld %ld\n", c,
		 ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
		 ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
	say(buf);
	return wait_eof();
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fail")) {
		int n = atoi(argv[2]);
		if (!ready_then_wait())
			return 1;
		for (int i = 0; i < n; i++)
			syscall(SYS_openat, AT_FDCWD, "/nonexistent/gala-proc-test", O_RDONLY);
		say("done\n");
		return wait_eof();
	}
	if (argc == 5 && !strcmp(argv[1], "forkexec")) {
		if (!ready_then_wait())
			return 1;
		/* The first exec is one of the E: forkexec execs "execs E-1" ... "execs 0". */
		return forkexec(argv[0], atoi(argv[2]), atoi(argv[3]), atoi(argv[4]) - 1);
	}
	if (argc == 4 && !strcmp(argv[1], "execs"))
		return execs(argv[0], atoi(argv[2]), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "oom")) {
		if (!ready_then_wait())
			return 1;
		return oom(atol(argv[2]));
	}
	if (argc == 3 && !strcmp(argv[1], "burn")) {
		if (!ready_then_wait())
			return 1;
		return burn(atoi(argv[2]));
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
	say("usage: helper fail N | forkexec F T E | oom MB | burn MS | spin\n");
	return 2;
}
