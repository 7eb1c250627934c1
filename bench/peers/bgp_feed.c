/*
 * bgp_feed: a fast BGP sender for the ingest benchmark (bench/peers/bgp_ingest.py).
 *
 * Listens on ADDR:179, waits for a line "go" on stdin, accepts one
 * receiver, exchanges OPENs (AS 65001,
 * 4-octet AS capability, hold time 0 so neither side needs keepalives), and
 * once the session is up writes a feed that was encoded before the receiver
 * connected: N IPv4 /24 prefixes from 1.0.0.0 up, in UPDATEs of up to 4096
 * bytes, a new attribute set (AS_PATH) every GROUP prefixes.  It prints
 *
 *   ESTABLISHED <unix time>
 *   SENT <unix time>          after the last announcement is written
 *
 * and on a line "withdraw" on stdin writes the withdrawals of all prefixes
 * and prints WITHDRAWN <unix time>.  Everything the receiver sends is read
 * and dropped.  This file is a benchmark tool, not part of the speaker: it
 * builds its messages by hand so that it has no dependency on the code it
 * measures.
 *
 *   bgp_feed LISTEN_ADDR NEXT_HOP PREFIXES [GROUP]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->cap + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct buf *b, uint16_t v)
{
	uint8_t d[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(b, d, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t d[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	put(b, d, 4);
}

static void header(struct buf *b, uint16_t len, uint8_t type)
{
	static const uint8_t marker[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	put(b, marker, 16);
	put16(b, len);
	put8(b, type);
}

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The i-th prefix: 1.0.0.0/24 + i. */
static uint32_t prefix_addr(uint32_t i)
{
	return 0x01000000u + (i << 8);
}

static void encode_announcements(struct buf *out, uint32_t n, uint32_t group, const uint8_t nh[4])
{
	uint32_t i = 0;

	while (i < n) {
		uint32_t g = i / group, end = (g + 1) * group;
		uint8_t attrs[64];
		struct buf a = {attrs, 0, sizeof(attrs)};
		uint32_t cnt;

		if (end > n)
			end = n;
		/* ORIGIN IGP, AS_PATH 65001 (64512 + g % 1000) (g / 1000 + 1), NEXT_HOP */
		put8(&a, 0x40), put8(&a, 1), put8(&a, 1), put8(&a, 0);
		put8(&a, 0x40), put8(&a, 2), put8(&a, 14);
		put8(&a, 2), put8(&a, 3), put32(&a, 65001), put32(&a, 64512 + g % 1000),
		    put32(&a, g / 1000 + 1);
		put8(&a, 0x40), put8(&a, 3), put8(&a, 4), put(&a, nh, 4);
		while (i < end) {
			cnt = end - i;
			if (cnt > (4096 - 19 - 4 - a.len) / 4)
				cnt = (uint32_t)((4096 - 19 - 4 - a.len) / 4);
			header(out, (uint16_t)(19 + 4 + a.len + 4 * cnt), 2);
			put16(out, 0);
			put16(out, (uint16_t)a.len);
			put(out, a.p, a.len);
			for (uint32_t k = 0; k < cnt; k++, i++) {
				uint32_t p = prefix_addr(i);

				put8(out, 24);
				put8(out, (uint8_t)(p >> 24));
				put8(out, (uint8_t)(p >> 16));
				put8(out, (uint8_t)(p >> 8));
			}
		}
	}
}

static void encode_withdrawals(struct buf *out, uint32_t n)
{
	uint32_t i = 0, per = (4096 - 19 - 4) / 4;

	while (i < n) {
		uint32_t cnt = n - i < per ? n - i : per;

		header(out, (uint16_t)(19 + 4 + 4 * cnt), 2);
		put16(out, (uint16_t)(4 * cnt));
		for (uint32_t k = 0; k < cnt; k++, i++) {
			uint32_t p = prefix_addr(i);

			put8(out, 24);
			put8(out, (uint8_t)(p >> 24));
			put8(out, (uint8_t)(p >> 16));
			put8(out, (uint8_t)(p >> 8));
		}
		put16(out, 0);
	}
}

/* Reads and drops what the receiver sends; returns -1 when it closed. */
static int drain(int fd, int *got_keepalive)
{
	uint8_t tmp[65536];
	ssize_t r = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);

	if (r == 0)
		return -1;
	if (r < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
	/* The receiver's KEEPALIVE after our OPEN: type 4 anywhere at a header. */
	for (ssize_t k = 0; k + 19 <= r; k++)
		if (tmp[k] == 0xff && k + 18 < r && tmp[k + 16] == 0 && tmp[k + 17] == 19 &&
		    tmp[k + 18] == 4)
			*got_keepalive = 1;
	return 0;
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
	int ka = 0;

	while (len) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT | POLLIN};

		if (poll(&pfd, 1, 1000) < 0)
			continue;
		if ((pfd.revents & POLLIN) && drain(fd, &ka) < 0) {
			fprintf(stderr, "receiver closed the connection\n");
			exit(1);
		}
		if (pfd.revents & POLLOUT) {
			ssize_t w = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
				perror("send");
				exit(1);
			}
			if (w > 0) {
				p += w;
				len -= (size_t)w;
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(179)};
	uint8_t nh[4];
	uint32_t n, group;
	struct buf ann = {0}, wd = {0}, open = {0};
	int lfd, fd, one = 1, ka = 0;
	char line[64];

	if (argc < 4 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], nh) != 1) {
		fprintf(stderr, "usage: bgp_feed LISTEN_ADDR NEXT_HOP PREFIXES [GROUP]\n");
		return 2;
	}
	n = (uint32_t)strtoul(argv[3], NULL, 10);
	group = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 256;
	if (n == 0 || n > 15000000 || group == 0)
		return 2;
	encode_announcements(&ann, n, group, nh);
	encode_withdrawals(&wd, n);
	/* OPEN: version 4, AS 65001, hold 0, id = listen address; caps MP v4, AS4. */
	header(&open, 19 + 10 + 2 + 6 + 6, 1);
	put8(&open, 4), put16(&open, 65001), put16(&open, 0), put(&open, &sin.sin_addr, 4);
	put8(&open, 2 + 6 + 6), put8(&open, 2), put8(&open, 12);
	put8(&open, 1), put8(&open, 4), put16(&open, 1), put8(&open, 0), put8(&open, 1);
	put8(&open, 65), put8(&open, 4), put32(&open, 65001);
	fprintf(stderr, "feed: %u prefixes, %zu bytes of UPDATEs\n", n, ann.len);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0) {
		perror("listen");
		return 1;
	}
	printf("LISTENING\n");
	fflush(stdout);
	/* The receiver's connection completes in the backlog; nothing happens
	 * until our OPEN, sent once the harness has measured the idle receiver. */
	if (!fgets(line, sizeof(line), stdin) || strncmp(line, "go", 2))
		return 1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		return 1;
	}
	close(lfd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	write_all(fd, open.p, open.len);
	/* Wait for the receiver's OPEN and KEEPALIVE; answer with a KEEPALIVE. */
	while (!ka) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		poll(&pfd, 1, 1000);
		if (drain(fd, &ka) < 0) {
			fprintf(stderr, "receiver closed before Established\n");
			return 1;
		}
	}
	{
		struct buf k = {0};

		header(&k, 19, 4);
		write_all(fd, k.p, k.len);
		free(k.p);
	}
	printf("ESTABLISHED %.6f\n", now());
	fflush(stdout);
	write_all(fd, ann.p, ann.len);
	printf("SENT %.6f\n", now());
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "withdraw", 8)) {
			double t = now();

			write_all(fd, wd.p, wd.len);
			printf("WITHDRAW-START %.6f\nWITHDRAWN %.6f\n", t, now());
			fflush(stdout);
		}
	}
	close(fd);
	free(ann.p);
	free(wd.p);
	free(open.p);
	return 0;
}
