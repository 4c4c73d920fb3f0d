// SPDX-License-Identifier: Apache-2.0
/* redisload: open-loop, rate-limited Redis load with a per-second client SLI.
 * redisload -h HOST -p PORT -r REQ_PER_S -c CONNECTIONS -d SECONDS [-o sli.csv]
 * Requests (alternating SET and GET of 1 KiB values over 10k keys) are scheduled at fixed times,
 * independent of responses (open loop: a slow server builds a backlog instead of slowing the client),
 * and latency is measured from the scheduled time, so that coordinated omission does not hide stalls.
 * Writes one CSV line per second: unix_ms,sent,ok,errors,p50_us,p99_us,max_us. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXC 256
#define MAXQ 4096
#define VAL 1024

struct conn {
	int fd;
	double sched[MAXQ]; /* scheduled times of requests in flight, FIFO */
	int head, tail;
	char in[65536];
	int inlen;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, host, &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Counts complete RESP replies at the start of buf: simple strings, errors and bulk strings. */
static int parse(struct conn *c, int *errors)
{
	int n = 0, off = 0;
	while (off < c->inlen) {
		char *p = c->in + off, *nl = memchr(p, '\n', c->inlen - off);
		if (!nl)
			break;
		int linelen = nl - p + 1;
		if (p[0] == '$') {
			long len = atol(p + 1);
			int need = linelen + (len >= 0 ? len + 2 : 0);
			if (c->inlen - off < need)
				break;
			off += need;
		} else {
			if (p[0] == '-')
				(*errors)++;
			off += linelen;
		}
		n++;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	return n;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *out = NULL;
	int port = 6379, rate = 1000, nconn = 10, secs = 60, o;
	while ((o = getopt(argc, argv, "h:p:r:c:d:o:")) != -1) {
		switch (o) {
		case 'h': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 'c': nconn = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: redisload -h HOST -p PORT -r REQ_PER_S -c CONNS -d SECONDS [-o sli.csv]\n");
			return 2;
		}
	}
	if (nconn > MAXC)
		nconn = MAXC;
	FILE *csv = out ? fopen(out, "w") : stdout;
	static struct conn cs[MAXC];
	struct pollfd pfd[MAXC];
	for (int i = 0; i < nconn; i++) {
		cs[i].fd = dial(host, port);
		if (cs[i].fd < 0) {
			fprintf(stderr, "redisload: cannot connect to %s:%d: %s\n", host, port, strerror(errno));
			return 1;
		}
	}
	static char val[VAL + 1];
	memset(val, 'v', VAL);
	static double lat[1 << 20];
	int nlat = 0;
	long sent = 0, ok = 0, errs = 0, dropped = 0;
	double start = now(), end = start + secs, sec = start + 1;
	long seq = 0;
	while (1) {
		double t = now();
		/* Send everything scheduled up to now, round-robin over connections. */
		while (start + (double)seq / rate <= t && t < end) {
			struct conn *c = &cs[seq % nconn];
			char req[VAL + 128];
			int key = (int)(seq % 10000), len;
			if (seq & 1)
				len = snprintf(req, sizeof(req), "*2\r\n$3\r\nGET\r\n$9\r\nkey:%05d\r\n", key);
			else
				len = snprintf(req, sizeof(req), "*3\r\n$3\r\nSET\r\n$9\r\nkey:%05d\r\n$%d\r\n%s\r\n", key, VAL, val);
			int next = (c->tail + 1) % MAXQ;
			if (next == c->head || write(c->fd, req, len) != len) {
				dropped++; /* backlog full or socket buffer full: counted as an error of the SLI */
			} else {
				c->sched[c->tail] = start + (double)seq / rate;
				c->tail = next;
				sent++;
			}
			seq++;
		}
		for (int i = 0; i < nconn; i++)
			pfd[i] = (struct pollfd){.fd = cs[i].fd, .events = POLLIN};
		double due = start + (double)seq / rate - now();
		int ms = due > 0 ? (int)(due * 1000) : 0;
		poll(pfd, nconn, ms > 10 ? 10 : ms);
		t = now();
		for (int i = 0; i < nconn; i++) {
			struct conn *c = &cs[i];
			if (!(pfd[i].revents & POLLIN))
				continue;
			int r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
			if (r <= 0)
				continue;
			c->inlen += r;
			int e = 0, n = parse(c, &e);
			errs += e;
			for (int k = 0; k < n && c->head != c->tail; k++) {
				if (nlat < (1 << 20))
					lat[nlat++] = t - c->sched[c->head];
				c->head = (c->head + 1) % MAXQ;
				ok++;
			}
		}
		if (t >= sec) {
			double p50 = 0, p99 = 0, mx = 0;
			if (nlat) {
				qsort(lat, nlat, sizeof(double), cmp);
				p50 = lat[nlat / 2], p99 = lat[(int)(nlat * 0.99)], mx = lat[nlat - 1];
			}
			fprintf(csv, "%.0f,%ld,%ld,%ld,%.0f,%.0f,%.0f\n", sec * 1000, sent, ok - errs, errs + dropped,
				p50 * 1e6, p99 * 1e6, mx * 1e6);
			fflush(csv);
			sent = ok = errs = dropped = 0;
			nlat = 0;
			sec += 1;
			if (t >= end + 2)
				break;
		}
	}
	return 0;
}
