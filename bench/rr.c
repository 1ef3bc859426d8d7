// SPDX-License-Identifier: GPL-2.0-only
/*
 * TCP request/response latency, in the spirit of netperf's TCP_RR: one
 * connection, one byte each way, as many round trips as fit in the time.
 *
 *   rr server PORT              serves one connection, then exits
 *   rr client HOST PORT SECS    prints one JSON object: transactions per
 *                               second and latency percentiles (us)
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (1u << 22)

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int exchange(int fd, char *byte, int reply_first)
{
	if (!reply_first && send(fd, byte, 1, 0) != 1)
		return -1;
	if (recv(fd, byte, 1, MSG_WAITALL) != 1)
		return -1;
	if (reply_first && send(fd, byte, 1, 0) != 1)
		return -1;
	return 0;
}

static void no_delay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int serve(const char *port)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6 };
	int one = 1, lfd, fd;
	char byte;

	addr.sin6_port = htons(atoi(port));
	addr.sin6_addr = in6addr_any;
	lfd = socket(AF_INET6, SOCK_STREAM, 0);	/* dual stack: v4 too */
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 1)) {
		perror("rr server");
		return 1;
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("rr accept");
		return 1;
	}
	no_delay(fd);
	while (exchange(fd, &byte, 1) == 0)
		;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int client(const char *host, const char *port, double secs)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	double start, t, end, *lat;
	unsigned long n = 0;
	char byte = 'x';
	int fd, err, try;

	err = getaddrinfo(host, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "rr: %s: %s\n", host, gai_strerror(err));
		return 1;
	}
	/* The server may still be starting: retry for a few seconds. */
	for (try = 0; try < 50; try++) {
		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		usleep(100000);
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		perror("rr connect");
		return 1;
	}
	no_delay(fd);
	lat = malloc(MAX_SAMPLES * sizeof(*lat));
	if (!lat)
		return 1;
	start = now_us();
	end = start + secs * 1e6;
	for (t = start; t < end && n < MAX_SAMPLES; n++) {
		double before = t;

		if (exchange(fd, &byte, 0)) {
			perror("rr exchange");
			return 1;
		}
		t = now_us();
		lat[n] = t - before;
	}
	close(fd);
	if (!n)
		return 1;
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("{\"transactions\": %lu, \"seconds\": %.3f, \"tps\": %.1f, "
	       "\"p50_us\": %.1f, \"p99_us\": %.1f}\n",
	       n, (t - start) / 1e6, n / ((t - start) / 1e6),
	       lat[n / 2], lat[n * 99 / 100]);
	free(lat);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], atof(argv[4]));
	fprintf(stderr, "usage: rr server PORT | rr client HOST PORT SECS\n");
	return 2;
}
