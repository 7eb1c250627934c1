/*
 * loadgen: a closed-loop HTTP/1.1 load generator for openvpc's RPC API.
 *
 * C concurrent keep-alive connections each send one signed request, wait
 * for the whole answer, and send the next.  Requests are signed (V1
 * HMAC-SHA1, lib/sign.h, a fresh nonce each) BEFORE the timed run, so the
 * generator spends its CPU on sockets, not on HMACs, and the figures are
 * the server's.  One thread drives every connection through epoll.
 *
 * Prints requests/s, p50/p90/p99/max latency and the count of non-200
 * answers.  Exits non-zero when any request failed or got a non-200.
 *
 *   loadgen --endpoint 127.0.0.1:8080 --key AK --secret SK --version 2016-04-28
 *           --action DescribeVpcs --param RegionId=cn-hangzhou
 *           [--connections 16] [--requests 20000] [--warmup 500]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/randid.h"
#include "lib/sign.h"

#define LG_MAX_PARAMS 32
#define LG_RESP_MAX (1 << 20)

struct lg_conn {
	int fd;
	char *req; /* current request text */
	size_t req_len, req_off;
	char *resp;
	size_t resp_len;
	uint64_t t_start;
	bool busy;
};

struct lg {
	const char *host;
	int port;
	const char *akid, *secret, *version, *action;
	struct sign_kv params[LG_MAX_PARAMS];
	size_t n_params;
	int conns;
	long requests, warmup;
	char **reqs; /* pre-signed request texts */
	size_t *req_lens;
	long next; /* index of the next request to send */
	long done, errors, non200;
	uint64_t *lat_ns; /* per measured request */
	long n_lat;
};

static uint64_t lg_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static char *lg_build(struct lg *g, size_t *len)
{
	char nonce[33], ts[32];
	randid_chars(nonce, 32, 0);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct sign_kv kv[LG_MAX_PARAMS + 9];
	size_t n = 0;
	kv[n++] = (struct sign_kv){"Action", g->action};
	kv[n++] = (struct sign_kv){"Version", g->version};
	kv[n++] = (struct sign_kv){"AccessKeyId", g->akid};
	kv[n++] = (struct sign_kv){"Format", "JSON"};
	kv[n++] = (struct sign_kv){"SignatureMethod", "HMAC-SHA1"};
	kv[n++] = (struct sign_kv){"SignatureVersion", "1.0"};
	kv[n++] = (struct sign_kv){"SignatureNonce", nonce};
	kv[n++] = (struct sign_kv){"Timestamp", ts};
	for (size_t i = 0; i < g->n_params; i++)
		kv[n++] = g->params[i];
	char *sig = sign_v1("GET", kv, n, g->secret);
	char *canon = sign_canonical_query(kv, n, NULL);
	char *esig = sign_pe(sig);
	size_t cap = strlen(canon) + strlen(esig) + 256;
	char *req = malloc(cap);
	int w = snprintf(
	    req, cap,
	    "GET /?%s&Signature=%s HTTP/1.1\r\nHost: %s:%d\r\nConnection: keep-alive\r\n\r\n",
	    canon, esig, g->host, g->port);
	free(sig);
	free(canon);
	free(esig);
	*len = (size_t)w;
	return req;
}

static int lg_connect(struct lg *g)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g->port)};
	inet_pton(AF_INET, g->host, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A complete response in c->resp? Returns its length, 0 if incomplete, -1 malformed. */
static long lg_complete(struct lg_conn *c, int *status)
{
	char *end = memmem(c->resp, c->resp_len, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t hdr = (size_t)(end - c->resp) + 4;
	if (sscanf(c->resp, "HTTP/1.%*d %d", status) != 1)
		return -1;
	long clen = -1;
	for (char *p = c->resp; p < end; p++) {
		if ((*p == 'C' || *p == 'c') && strncasecmp(p, "Content-Length:", 15) == 0) {
			clen = strtol(p + 15, NULL, 10);
			break;
		}
	}
	if (clen < 0)
		return -1;
	if (c->resp_len < hdr + (size_t)clen)
		return 0;
	return (long)(hdr + (size_t)clen);
}

static bool lg_start(struct lg *g, struct lg_conn *c)
{
	if (g->next >= g->requests + g->warmup)
		return false;
	long i = g->next++;
	c->req = g->reqs[i];
	c->req_len = g->req_lens[i];
	c->req_off = 0;
	c->resp_len = 0;
	c->t_start = lg_now_ns();
	c->busy = true;
	return true;
}

static int lg_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void lg_usage(void)
{
	fprintf(stderr, "usage: loadgen --endpoint IP:PORT --key AK --secret SK --version V "
			"--action A [--param K=V]... [--connections 16] [--requests N] "
			"[--warmup N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"endpoint", required_argument, NULL, 'e'},
	    {"key", required_argument, NULL, 'k'},
	    {"secret", required_argument, NULL, 's'},
	    {"version", required_argument, NULL, 'v'},
	    {"action", required_argument, NULL, 'a'},
	    {"param", required_argument, NULL, 'p'},
	    {"connections", required_argument, NULL, 'c'},
	    {"requests", required_argument, NULL, 'n'},
	    {"warmup", required_argument, NULL, 'w'},
	    {0},
	};
	struct lg g = {.conns = 16, .requests = 20000, .warmup = 500};
	char endpoint[128] = "127.0.0.1:8080";
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			snprintf(endpoint, sizeof(endpoint), "%s", optarg);
			break;
		case 'k':
			g.akid = optarg;
			break;
		case 's':
			g.secret = optarg;
			break;
		case 'v':
			g.version = optarg;
			break;
		case 'a':
			g.action = optarg;
			break;
		case 'p': {
			char *eq = strchr(optarg, '=');
			if (!eq || g.n_params == LG_MAX_PARAMS)
				lg_usage();
			*eq = '\0';
			g.params[g.n_params++] = (struct sign_kv){optarg, eq + 1};
			break;
		}
		case 'c':
			g.conns = atoi(optarg);
			break;
		case 'n':
			g.requests = atol(optarg);
			break;
		case 'w':
			g.warmup = atol(optarg);
			break;
		default:
			lg_usage();
		}
	}
	char *colon = strrchr(endpoint, ':');
	if (!g.akid || !g.secret || !g.version || !g.action || !colon || g.conns < 1 ||
	    g.requests < 1)
		lg_usage();
	*colon = '\0';
	g.host = endpoint;
	g.port = atoi(colon + 1);

	long total = g.requests + g.warmup;
	g.reqs = calloc((size_t)total, sizeof(*g.reqs));
	g.req_lens = calloc((size_t)total, sizeof(*g.req_lens));
	g.lat_ns = calloc((size_t)g.requests, sizeof(*g.lat_ns));
	for (long i = 0; i < total; i++)
		g.reqs[i] = lg_build(&g, &g.req_lens[i]);

	int ep = epoll_create1(0);
	struct lg_conn *cs = calloc((size_t)g.conns, sizeof(*cs));
	for (int i = 0; i < g.conns; i++) {
		cs[i].fd = lg_connect(&g);
		cs[i].resp = malloc(LG_RESP_MAX);
		if (cs[i].fd < 0) {
			perror("connect");
			return 1;
		}
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		lg_start(&g, &cs[i]);
	}
	uint64_t t0 = 0, t_end = 0;
	int active = g.conns;
	struct epoll_event evs[64];
	while (active > 0) {
		int n = epoll_wait(ep, evs, 64, 10000);
		if (n <= 0) {
			fprintf(stderr, "loadgen: no progress for 10 s\n");
			return 1;
		}
		for (int k = 0; k < n; k++) {
			struct lg_conn *c = &cs[evs[k].data.u32];
			if (!c->busy)
				continue;
			if ((evs[k].events & EPOLLOUT) && c->req_off < c->req_len) {
				ssize_t w = send(c->fd, c->req + c->req_off,
						 c->req_len - c->req_off, MSG_NOSIGNAL);
				if (w > 0)
					c->req_off += (size_t)w;
				else if (w < 0 && errno != EAGAIN) {
					g.errors++;
					c->busy = false;
					active--;
					continue;
				}
			}
			if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				ssize_t r = recv(c->fd, c->resp + c->resp_len,
						 LG_RESP_MAX - c->resp_len, 0);
				if (r <= 0) {
					if (r < 0 && errno == EAGAIN)
						continue;
					g.errors++;
					c->busy = false;
					active--;
					continue;
				}
				c->resp_len += (size_t)r;
				int status = 0;
				long len = lg_complete(c, &status);
				if (len < 0) {
					g.errors++;
					c->busy = false;
					active--;
					continue;
				}
				if (len == 0)
					continue;
				uint64_t now = lg_now_ns();
				long idx = g.done - g.warmup;
				if (idx == 0)
					t0 = c->t_start;
				if (idx >= 0 && idx < g.requests)
					g.lat_ns[g.n_lat++] = now - c->t_start;
				if (status != 200) {
					if (g.non200++ < 3)
						fprintf(stderr, "loadgen: HTTP %d: %.300s\n",
							status, c->resp);
				}
				g.done++;
				t_end = now;
				if (!lg_start(&g, c)) {
					c->busy = false;
					active--;
				}
			}
		}
	}
	qsort(g.lat_ns, (size_t)g.n_lat, sizeof(uint64_t), lg_cmp);
	double secs = (double)(t_end - t0) / 1e9;
	double rps = secs > 0 ? (double)g.n_lat / secs : 0;
#define PCT(p) (g.n_lat ? (double)g.lat_ns[(long)((double)(g.n_lat - 1) * (p))] / 1e6 : 0)
	printf("%s: %ld requests, %d connections, %.2f s: %.0f req/s; latency ms p50 %.2f p90 "
	       "%.2f p99 %.2f max %.2f; non-200 %ld, errors %ld\n",
	       g.action, g.n_lat, g.conns, secs, rps, PCT(0.50), PCT(0.90), PCT(0.99), PCT(1.0),
	       g.non200, g.errors);
	return (g.non200 || g.errors) ? 1 : 0;
}
