// SPDX-License-Identifier: Apache-2.0
/* connstorm: a paced loopback connection storm for overhead benchmarks.
 * connstorm -a ADDR -p PORT -r CONN_PER_S -d SECONDS [-b BYTES]
 * Runs its own listener (accept, read BYTES, write BYTES, close) and opens connections at the given
 * rate from one paced client loop; prints the achieved rate and failures. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port = 17777, rate = 10000, secs = 10, bytes = 64;
static const char *addr = "127.0.0.1";
static volatile int done;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *serve(void *arg)
{
	int lfd = *(int *)arg;
	char buf[4096];
	while (!done) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			continue;
		int n = 0, r;
		while (n < bytes && (r = read(c, buf, sizeof(buf))) > 0)
			n += r;
		if (bytes)
			(void)!write(c, buf, bytes < (int)sizeof(buf) ? bytes : (int)sizeof(buf));
		close(c);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int o;
	while ((o = getopt(argc, argv, "a:p:r:d:b:")) != -1) {
		switch (o) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 'b': bytes = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: connstorm -a ADDR -p PORT -r CONN_PER_S -d SECONDS [-b BYTES]\n");
			return 2;
		}
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, addr, &sa.sin_addr);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4096)) {
		perror("listen");
		return 1;
	}
	pthread_t t;
	pthread_create(&t, NULL, serve, &lfd);
	char buf[4096];
	memset(buf, 'x', sizeof(buf));
	long ok = 0, fail = 0;
	double start = now(), end = start + secs;
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	for (long i = 0; now() < end; i++) {
		double due = start + (double)i / rate;
		double wait = due - now();
		/* Sleep, not spin, so that the storm itself leaves CPU for what is measured. */
		if (wait > 0) {
			struct timespec ts = {.tv_sec = (time_t)wait, .tv_nsec = (long)((wait - (time_t)wait) * 1e9)};
			nanosleep(&ts, NULL);
		}
		int c = socket(AF_INET, SOCK_STREAM, 0);
		/* RST on close: no TIME_WAIT pile-up exhausting the ephemeral ports at 10k/s. */
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			if (bytes) {
				(void)!write(c, buf, bytes < (int)sizeof(buf) ? bytes : (int)sizeof(buf));
				(void)!read(c, buf, sizeof(buf));
			}
			ok++;
		} else {
			fail++;
		}
		close(c);
	}
	double took = now() - start;
	done = 1;
	printf("connections=%ld failed=%ld seconds=%.2f rate=%.0f\n", ok, fail, took, ok / took);
	return 0;
}
