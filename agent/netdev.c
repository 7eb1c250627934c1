/*
 * netdev: namespaces, veth pairs, TAPs, links, addresses, routes and sysctls
 * over raw rtnetlink (see netdev.h for the contracts).
 *
 * Layout: a tiny netlink layer first (a request builder with a fixed buffer
 * that records overflow instead of writing past it, and a receive loop that
 * reads replies through the RTA_OK/NLMSG_OK bounds checks), then the
 * namespace-thread helper, then one section per kind of object.
 *
 * Every public call opens one netlink socket (in the target namespace, from
 * a short-lived thread when that is not the caller's) and closes it before
 * returning.  The normal path of netdev_veth_add() is one socket, three
 * messages and one sysctl write, with no thread at all: the peer's
 * namespace is named by file descriptor (IFLA_NET_NS_FD).
 */
#include "agent/netdev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "lib/log.h"

/* ---- names --------------------------------------------------------------- */

/* The kernel's dev_valid_name(). */
static bool ifname_ok(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || (*s >= '\t' && *s <= '\r'))
			return false;
	return true;
}

static bool nsname_ok(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if (n == 0 || n > 200 || !strcmp(s, ".") || !strcmp(s, "..") || strchr(s, '/'))
		return false;
	return true;
}

static int netns_path(const char *name, char *buf, size_t size)
{
	if (!nsname_ok(name))
		return -EINVAL;
	snprintf(buf, size, "%s/%s", NETDEV_NETNS_DIR, name);
	return 0;
}

/* An O_RDONLY descriptor of the named namespace, or -errno. */
static int netns_open(const char *name)
{
	char path[256];
	int fd, rc;

	if ((rc = netns_path(name, path, sizeof(path))) < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- threads in a namespace ---------------------------------------------- */

struct nsjob {
	int nsfd;
	int (*fn)(void *arg);
	void *arg;
	int rc;
};

static void *nsjob_main(void *p)
{
	struct nsjob *j = p;

	if (j->nsfd >= 0 && setns(j->nsfd, CLONE_NEWNET) < 0)
		j->rc = -errno;
	else
		j->rc = j->fn(j->arg);
	return NULL;
}

/* Runs fn(arg) with the calling thread switched into the namespace nsfd
 * and back: setns(CLONE_NEWNET) is per thread and costs microseconds, where
 * a thread per call cost milliseconds on a loaded host (thousands of ENIs
 * at a restart).  The thread's own namespace is restored before returning;
 * if that fails the thread would work in the wrong namespace, which is a
 * broken invariant. */
static int run_switched(int nsfd, int (*fn)(void *arg), void *arg)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		int e = errno;
		close(self);
		return -e;
	}
	int rc = fn(arg);
	if (setns(self, CLONE_NEWNET) < 0)
		fatal("netdev: cannot return to the thread's network namespace: %s",
		      strerror(errno));
	close(self);
	return rc;
}

/* Runs fn(arg) in a new thread, after setns(nsfd) when nsfd >= 0 (then in
 * the calling thread, switched: run_switched).  The thread starts with every
 * signal blocked so that a process-directed signal is never handled on it. */
static int run_in_thread(int nsfd, int (*fn)(void *arg), void *arg)
{
	if (nsfd >= 0)
		return run_switched(nsfd, fn, arg);
	struct nsjob j = {.nsfd = nsfd, .fn = fn, .arg = arg, .rc = 0};
	sigset_t all, old;
	pthread_t t;
	int e;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t, NULL, nsjob_main, &j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		return -e;
	pthread_join(t, NULL);
	return j.rc;
}

int netdev_in_netns(const char *netns, int (*fn)(void *arg), void *arg)
{
	int fd, rc;

	if (!netns)
		return fn(arg);
	if ((fd = netns_open(netns)) < 0)
		return fd;
	rc = run_in_thread(fd, fn, arg);
	close(fd);
	return rc;
}

/* ---- netlink ------------------------------------------------------------- */

#define NL_RBUF 32768 /* the kernel never sends a dump skb larger than this */
#define NL_REQ 1024   /* every request here is far smaller */

struct nl {
	int fd;
	uint32_t seq;
	char *rbuf;
	char ext[160]; /* extended-ack message of the last error, or "" */
};

struct nlreq {
	union {
		struct nlmsghdr h;
		char buf[NL_REQ];
	} u;
	bool overflow;
};

static void req_init(struct nlreq *r, uint16_t type, uint16_t flags, const void *hdr, size_t len)
{
	memset(&r->u.h, 0, sizeof(r->u.h));
	r->overflow = false;
	r->u.h.nlmsg_type = type;
	r->u.h.nlmsg_flags = NLM_F_REQUEST | flags;
	r->u.h.nlmsg_len = NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(&r->u.h), hdr, len);
}

/* Appends raw bytes, padded to the netlink alignment; NULL on overflow. */
static void *req_raw(struct nlreq *r, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->u.h.nlmsg_len);
	char *p;

	if (r->overflow || off + RTA_ALIGN(len) > sizeof(r->u.buf)) {
		r->overflow = true;
		return NULL;
	}
	p = r->u.buf + off;
	memset(p, 0, RTA_ALIGN(len));
	if (len)
		memcpy(p, data, len);
	r->u.h.nlmsg_len = off + RTA_ALIGN(len);
	return p;
}

static struct rtattr *req_put(struct nlreq *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a;
	size_t off = NLMSG_ALIGN(r->u.h.nlmsg_len);

	if (r->overflow || off + RTA_SPACE(len) > sizeof(r->u.buf)) {
		r->overflow = true;
		return NULL;
	}
	a = (struct rtattr *)(r->u.buf + off);
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memset(RTA_DATA(a), 0, RTA_ALIGN(len));
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->u.h.nlmsg_len = off + RTA_SPACE(len);
	return a;
}

static void req_u32(struct nlreq *r, uint16_t type, uint32_t v)
{
	req_put(r, type, &v, sizeof(v));
}

static void req_str(struct nlreq *r, uint16_t type, const char *s)
{
	req_put(r, type, s, strlen(s) + 1);
}

static struct rtattr *req_nest(struct nlreq *r, uint16_t type)
{
	return req_put(r, type, NULL, 0);
}

static void req_nest_end(struct nlreq *r, struct rtattr *nest)
{
	if (nest && !r->overflow)
		nest->rta_len = (unsigned short)(r->u.buf + r->u.h.nlmsg_len - (char *)nest);
}

static void nl_sockopt(int fd)
{
	int one = 1;

	/* Best effort: older kernels lack them and work without. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

static int nl_socket_here(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	return *fd < 0 ? -errno : 0;
}

static int nl_init(struct nl *nl, int fd)
{
	memset(nl, 0, sizeof(*nl));
	nl->fd = fd;
	nl->rbuf = malloc(NL_RBUF);
	if (!nl->rbuf) {
		close(fd);
		nl->fd = -1;
		return -ENOMEM;
	}
	nl_sockopt(fd);
	return 0;
}

/* A socket in the namespace nsfd names, or in the caller's when nsfd < 0. */
static int nl_open_fd(struct nl *nl, int nsfd)
{
	int fd = -1, rc;

	nl->fd = -1;
	nl->rbuf = NULL;
	rc = nsfd < 0 ? nl_socket_here(&fd) : run_in_thread(nsfd, nl_socket_here, &fd);
	if (rc < 0)
		return rc;
	return nl_init(nl, fd);
}

static int nl_open(struct nl *nl, const char *netns)
{
	int nsfd, rc;

	if (!netns)
		return nl_open_fd(nl, -1);
	nl->fd = -1;
	nl->rbuf = NULL;
	if ((nsfd = netns_open(netns)) < 0)
		return nsfd;
	rc = nl_open_fd(nl, nsfd);
	close(nsfd);
	return rc;
}

static void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	free(nl->rbuf);
	nl->fd = -1;
	nl->rbuf = NULL;
}

/* Copies the NLMSGERR_ATTR_MSG of an error message, if any, into nl->ext. */
static void nl_extack(struct nl *nl, struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_ALIGN(sizeof(*e));
	struct rtattr *a;
	int len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
	if (NLMSG_LENGTH(off) > h->nlmsg_len)
		return;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(off));
	for (a = (struct rtattr *)((char *)e + off); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NLMSGERR_ATTR_MSG && RTA_PAYLOAD(a) > 0) {
			size_t n =
			    RTA_PAYLOAD(a) < sizeof(nl->ext) ? RTA_PAYLOAD(a) : sizeof(nl->ext) - 1;
			memcpy(nl->ext, RTA_DATA(a), n);
			nl->ext[n] = '\0';
			nl->ext[strnlen(nl->ext, n)] = '\0';
		}
	}
}

typedef int nl_cb(void *arg, struct nlmsghdr *h);

/* Sends r and reads the answer: replies go to cb (may be NULL) until the ack
 * (requests) or NLMSG_DONE (dumps).  Returns the kernel's -errno, cb's first
 * non-zero result, -EAGAIN for an interrupted dump, or 0. */
static int nl_talk(struct nl *nl, struct nlreq *r, nl_cb *cb, void *arg)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	bool dump = (r->u.h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool intr = false;
	ssize_t n;

	if (r->overflow)
		return -EMSGSIZE;
	nl->ext[0] = '\0';
	r->u.h.nlmsg_seq = ++nl->seq;
	if (!dump)
		r->u.h.nlmsg_flags |= NLM_F_ACK;
	do
		n = sendto(nl->fd, r->u.buf, r->u.h.nlmsg_len, 0, (struct sockaddr *)&kernel,
			   sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = {.iov_base = nl->rbuf, .iov_len = NL_RBUF};
		struct msghdr msg = {.msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1};
		struct nlmsghdr *h;
		size_t off;

		n = recvmsg(nl->fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (from.nl_pid != 0)
			continue;
		/* NLMSG_OK/NEXT mix signed and unsigned: an explicit cursor. */
		for (off = 0; off + sizeof(*h) <= (size_t)n; off += NLMSG_ALIGN(h->nlmsg_len)) {
			h = (struct nlmsghdr *)(nl->rbuf + off);
			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (size_t)n - off)
				return -EBADMSG;
			if (h->nlmsg_seq != nl->seq)
				continue; /* left over from an earlier request */
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&err, NLMSG_DATA(h), sizeof(err));
				if (err < 0)
					return err;
				return intr ? -EAGAIN : 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EBADMSG;
				if (e->error < 0)
					nl_extack(nl, h);
				if (e->error > 0)
					return -EBADMSG;
				if (e->error < 0 || !dump)
					return e->error;
				continue;
			}
			if (cb) {
				int rc = cb(arg, h);

				if (rc)
					return rc;
			}
		}
	}
}

static void parse_attrs(struct rtattr **tb, int max, struct rtattr *a, int len)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		int t = a->rta_type & NLA_TYPE_MASK;

		if (t <= max && !tb[t])
			tb[t] = a;
	}
}

static bool rta_u32(const struct rtattr *a, uint32_t *v)
{
	if (!a || RTA_PAYLOAD(a) < sizeof(*v))
		return false;
	memcpy(v, RTA_DATA(a), sizeof(*v));
	return true;
}

static uint8_t rta_u8(const struct rtattr *a)
{
	return a && RTA_PAYLOAD(a) >= 1 ? *(const uint8_t *)RTA_DATA(a) : 0;
}

/* Copies a string attribute (NUL-terminated or not) into buf of size. */
static void rta_str(const struct rtattr *a, char *buf, size_t size)
{
	size_t n = 0;

	if (a) {
		n = RTA_PAYLOAD(a) < size ? RTA_PAYLOAD(a) : size - 1;
		memcpy(buf, RTA_DATA(a), n);
	}
	buf[n] = '\0';
	buf[strnlen(buf, n)] = '\0';
}

/* Logs a failure of op with the kernel's extended-ack message; returns rc. */
static int fail(const struct nl *nl, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(const struct nl *nl, int rc, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (nl && nl->ext[0])
		log_warn("netdev: %s: %s (%s)", what, strerror(-rc), nl->ext);
	else
		log_warn("netdev: %s: %s", what, strerror(-rc));
	return rc;
}

/* ---- links: queries ------------------------------------------------------ */

/* What parse_link() extracts: the public record plus a TUN device's flags. */
struct linkrec {
	struct netdev_link_info info;
	bool tun;	  /* IFLA_INFO_DATA of kind "tun" was present */
	uint8_t tun_type; /* IFF_TUN or IFF_TAP */
	bool tun_pi, tun_vnet, tun_persist, tun_mq;
};

static int parse_link(struct nlmsghdr *h, struct linkrec *r)
{
	struct rtattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct ifinfomsg *ifi;
	uint32_t v;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EBADMSG;
	ifi = NLMSG_DATA(h);
	memset(r, 0, sizeof(*r));
	parse_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(h));
	r->info.ifindex = ifi->ifi_index;
	r->info.flags = ifi->ifi_flags;
	r->info.link_netnsid = -1;
	rta_str(tb[IFLA_IFNAME], r->info.name, sizeof(r->info.name));
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == 6)
		memcpy(r->info.mac, RTA_DATA(tb[IFLA_ADDRESS]), 6);
	if (rta_u32(tb[IFLA_MTU], &v))
		r->info.mtu = v;
	if (rta_u32(tb[IFLA_NUM_TX_QUEUES], &v))
		r->info.num_tx_queues = v;
	if (rta_u32(tb[IFLA_NUM_RX_QUEUES], &v))
		r->info.num_rx_queues = v;
	if (rta_u32(tb[IFLA_LINK], &v) && (int)v != ifi->ifi_index)
		r->info.link_ifindex = (int)v;
	if (rta_u32(tb[IFLA_LINK_NETNSID], &v))
		r->info.link_netnsid = (int)v;
	if (tb[IFLA_LINKINFO]) {
		parse_attrs(li, IFLA_INFO_MAX, RTA_DATA(tb[IFLA_LINKINFO]),
			    (int)RTA_PAYLOAD(tb[IFLA_LINKINFO]));
		rta_str(li[IFLA_INFO_KIND], r->info.kind, sizeof(r->info.kind));
		if (!strcmp(r->info.kind, "tun") && li[IFLA_INFO_DATA]) {
			struct rtattr *td[IFLA_TUN_MAX + 1];

			parse_attrs(td, IFLA_TUN_MAX, RTA_DATA(li[IFLA_INFO_DATA]),
				    (int)RTA_PAYLOAD(li[IFLA_INFO_DATA]));
			r->tun = true;
			r->tun_type = rta_u8(td[IFLA_TUN_TYPE]);
			r->tun_pi = rta_u8(td[IFLA_TUN_PI]);
			r->tun_vnet = rta_u8(td[IFLA_TUN_VNET_HDR]);
			r->tun_persist = rta_u8(td[IFLA_TUN_PERSIST]);
			r->tun_mq = rta_u8(td[IFLA_TUN_MULTI_QUEUE]);
		}
	}
	return 0;
}

static int getlink_cb(void *arg, struct nlmsghdr *h)
{
	struct linkrec *r = arg;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	return parse_link(h, r);
}

/* The link `name` of nl's namespace into *r; -ENODEV when absent. */
static int nl_getlink(struct nl *nl, const char *name, struct linkrec *r)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nlreq req;
	int rc;

	req_init(&req, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	req_str(&req, IFLA_IFNAME, name);
	req_u32(&req, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(r, 0, sizeof(*r));
	r->info.ifindex = 0;
	rc = nl_talk(nl, &req, getlink_cb, r);
	if (rc == 0 && r->info.ifindex <= 0)
		rc = -ENODEV;
	return rc;
}

static int nl_ifindex(struct nl *nl, const char *name)
{
	struct linkrec r;
	int rc = nl_getlink(nl, name, &r);

	return rc < 0 ? rc : r.info.ifindex;
}

int netdev_link_get(const char *netns, const char *name, struct netdev_link_info *out)
{
	struct linkrec r;
	struct nl nl;
	int rc;

	if (!ifname_ok(name))
		return -EINVAL;
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "link_get %s: netlink", name);
	rc = nl_getlink(&nl, name, &r);
	nl_close(&nl);
	if (rc == 0)
		*out = r.info;
	return rc;
}

int netdev_ifindex(const char *netns, const char *name)
{
	struct netdev_link_info li;
	int rc = netdev_link_get(netns, name, &li);

	return rc < 0 ? rc : li.ifindex;
}

struct linklist {
	const char *prefix;
	size_t plen;
	int (*cb)(void *arg, const char *name, int ifindex, const char *kind);
	void *arg;
};

static int linklist_cb(void *arg, struct nlmsghdr *h)
{
	struct linklist *l = arg;
	struct linkrec r;

	if (h->nlmsg_type != RTM_NEWLINK || parse_link(h, &r) < 0)
		return 0;
	if (strncmp(r.info.name, l->prefix, l->plen))
		return 0;
	return l->cb(l->arg, r.info.name, r.info.ifindex, r.info.kind);
}

int netdev_link_list(const char *netns, const char *prefix,
		     int (*cb)(void *arg, const char *name, int ifindex, const char *kind),
		     void *arg)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct linklist l = {.prefix = prefix ? prefix : "", .cb = cb, .arg = arg};
	struct nlreq req;
	struct nl nl;
	int rc;

	l.plen = strlen(l.prefix);
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "link_list: netlink");
	req_init(&req, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	req_u32(&req, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	rc = nl_talk(&nl, &req, linklist_cb, &l);
	nl_close(&nl);
	return rc;
}

/* ---- links: changes ------------------------------------------------------ */

/* Sets (flags & change) on link `name` and, when mac, its address. */
static int nl_setlink(struct nl *nl, const char *name, unsigned flags, unsigned change,
		      const uint8_t *mac)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_flags = flags, .ifi_change = change};
	struct nlreq req;

	req_init(&req, RTM_SETLINK, 0, &ifi, sizeof(ifi));
	req_str(&req, IFLA_IFNAME, name);
	if (mac)
		req_put(&req, IFLA_ADDRESS, mac, 6);
	return nl_talk(nl, &req, NULL, NULL);
}

static int nl_dellink(struct nl *nl, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nlreq req;

	req_init(&req, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	req_str(&req, IFLA_IFNAME, name);
	return nl_talk(nl, &req, NULL, NULL);
}

int netdev_link_del(const char *netns, const char *name)
{
	struct nl nl;
	int rc;

	if (!ifname_ok(name))
		return -EINVAL;
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "link_del %s: netlink", name);
	rc = nl_dellink(&nl, name);
	if (rc == -ENODEV)
		rc = 0;
	else if (rc < 0)
		fail(&nl, rc, "link_del %s", name);
	nl_close(&nl);
	return rc;
}

int netdev_link_set_up(const char *netns, const char *name, bool up)
{
	struct nl nl;
	int rc;

	if (!ifname_ok(name))
		return -EINVAL;
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "link_set_up %s: netlink", name);
	rc = nl_setlink(&nl, name, up ? IFF_UP : 0, IFF_UP, NULL);
	if (rc < 0)
		fail(&nl, rc, "link_set_up %s %s", name, up ? "up" : "down");
	nl_close(&nl);
	return rc;
}

/* ---- sysctls ------------------------------------------------------------- */

struct sysctl_job {
	const char *path;
	const char *value;
};

static int sysctl_write(void *arg)
{
	const struct sysctl_job *j = arg;
	char file[512];
	size_t len = strlen(j->value);
	ssize_t n;
	int fd, rc = 0;

	if ((size_t)snprintf(file, sizeof(file), "/proc/sys/%s", j->path) >= sizeof(file))
		return -ENAMETOOLONG;
	if ((fd = open(file, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	do
		n = write(fd, j->value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	close(fd);
	return rc;
}

static bool sysctl_path_ok(const char *p)
{
	const char *s;

	if (!p || !*p || *p == '/')
		return false;
	for (s = p; *s;) {
		size_t n = strcspn(s, "/");

		if (n == 0 || (n == 2 && s[0] == '.' && s[1] == '.') || (n == 1 && s[0] == '.'))
			return false;
		s += n;
		if (*s == '/')
			s++;
	}
	return true;
}

int netdev_sysctl(const char *netns, const char *path, const char *value)
{
	struct sysctl_job j = {.path = path, .value = value};
	int rc;

	if (!sysctl_path_ok(path) || !value)
		return -EINVAL;
	rc = netdev_in_netns(netns, sysctl_write, &j);
	if (rc < 0)
		fail(NULL, rc, "sysctl %s%s%s=%s", netns ? netns : "", netns ? ":" : "", path,
		     value);
	return rc;
}

/* disable_ipv6=1 on a link of the caller's namespace.  A kernel without
 * IPv6 (no /proc/sys/net/ipv6) has nothing to disable. */
static int host_disable_ipv6(const char *name)
{
	char path[96];
	struct sysctl_job j = {.path = path, .value = "1"};
	int rc;

	snprintf(path, sizeof(path), "net/ipv6/conf/%s/disable_ipv6", name);
	rc = sysctl_write(&j);
	if (rc == -ENOENT && access("/proc/sys/net/ipv6", F_OK) < 0)
		rc = 0;
	return rc;
}

/* The host-side finish of a veth or TAP: IPv6 off, NOARP, up (MAC set when
 * mac), then its ifindex into *ifindex. */
static int host_finish(struct nl *nl, const char *name, const uint8_t *mac, int *ifindex)
{
	int rc;

	if ((rc = host_disable_ipv6(name)) < 0)
		return rc;
	if ((rc = nl_setlink(nl, name, IFF_NOARP | IFF_UP, IFF_NOARP | IFF_UP, mac)) < 0)
		return rc;
	if ((rc = nl_ifindex(nl, name)) < 0)
		return rc;
	if (ifindex)
		*ifindex = rc;
	return 0;
}

/* ---- veth ---------------------------------------------------------------- */

struct nsid_reply {
	int nsid;
};

static int nsid_cb(void *arg, struct nlmsghdr *h)
{
	struct nsid_reply *r = arg;
	struct rtattr *tb[NETNSA_MAX + 1];
	uint32_t v;

	if (h->nlmsg_type != RTM_NEWNSID || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtgenmsg)))
		return 0;
	parse_attrs(tb, NETNSA_MAX,
		    (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct rtgenmsg))),
		    (int)(h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg)))));
	if (rta_u32(tb[NETNSA_NSID], &v))
		r->nsid = (int)v;
	return 0;
}

/* The id nl's namespace gives the namespace nsfd (-1: none assigned). */
static int nl_getnsid(struct nl *nl, int nsfd, int *nsid)
{
	struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
	struct nsid_reply r = {.nsid = -1};
	struct nlreq req;
	int rc;

	req_init(&req, RTM_GETNSID, 0, &g, sizeof(g));
	req_u32(&req, NETNSA_FD, (uint32_t)nsfd);
	rc = nl_talk(nl, &req, nsid_cb, &r);
	*nsid = r.nsid;
	return rc;
}

/* After -EEXIST: 0 when host_name is a veth whose peer is peer_name in the
 * namespace nsfd (with MAC mac when given), else -EEXIST. */
static int veth_same(struct nl *nl, const char *host_name, int nsfd, const char *peer_name,
		     const uint8_t *mac)
{
	struct linkrec h, p;
	struct nl pnl;
	int rc, nsid;

	rc = nl_getlink(nl, host_name, &h);
	if (rc == -ENODEV)
		return -EEXIST; /* the peer's name is taken inside the namespace */
	if (rc < 0)
		return rc;
	/* Read after the link: filling IFLA_LINK_NETNSID assigns the id. */
	if (strcmp(h.info.kind, "veth") || h.info.link_netnsid < 0)
		return -EEXIST;
	if ((rc = nl_getnsid(nl, nsfd, &nsid)) < 0)
		return rc;
	if (nsid != h.info.link_netnsid)
		return -EEXIST;
	if ((rc = nl_open_fd(&pnl, nsfd)) < 0)
		return rc;
	rc = nl_getlink(&pnl, peer_name, &p);
	nl_close(&pnl);
	if (rc == -ENODEV)
		return -EEXIST;
	if (rc < 0)
		return rc;
	if (p.info.ifindex != h.info.link_ifindex || strcmp(p.info.kind, "veth"))
		return -EEXIST;
	if (mac && memcmp(mac, p.info.mac, 6))
		return -EEXIST;
	return 0;
}

int netdev_veth_add(const char *host_name, const char *netns, const char *peer_name,
		    const uint8_t peer_mac[6], unsigned queues, int *host_ifindex)
{
	struct ifinfomsg ifi = {
	    .ifi_family = AF_UNSPEC, .ifi_flags = IFF_NOARP, .ifi_change = IFF_NOARP};
	struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
	struct rtattr *linkinfo, *data, *peer;
	bool created = false;
	struct nlreq req;
	struct nl nl;
	int nsfd, rc;

	if (!ifname_ok(host_name) || !ifname_ok(peer_name) || !netns)
		return -EINVAL;
	if (queues == 0)
		queues = 1;
	if ((nsfd = netns_open(netns)) < 0)
		return fail(NULL, nsfd, "veth_add %s: netns %s", host_name, netns);
	if ((rc = nl_open(&nl, NULL)) < 0) {
		close(nsfd);
		return fail(NULL, rc, "veth_add %s: netlink", host_name);
	}

	req_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	req_str(&req, IFLA_IFNAME, host_name);
	req_u32(&req, IFLA_NUM_TX_QUEUES, queues);
	req_u32(&req, IFLA_NUM_RX_QUEUES, queues);
	linkinfo = req_nest(&req, IFLA_LINKINFO);
	req_str(&req, IFLA_INFO_KIND, "veth");
	data = req_nest(&req, IFLA_INFO_DATA);
	peer = req_nest(&req, VETH_INFO_PEER);
	req_raw(&req, &pifi, sizeof(pifi));
	req_str(&req, IFLA_IFNAME, peer_name);
	if (peer_mac)
		req_put(&req, IFLA_ADDRESS, peer_mac, 6);
	req_u32(&req, IFLA_NET_NS_FD, (uint32_t)nsfd);
	req_u32(&req, IFLA_NUM_TX_QUEUES, queues);
	req_u32(&req, IFLA_NUM_RX_QUEUES, queues);
	req_nest_end(&req, peer);
	req_nest_end(&req, data);
	req_nest_end(&req, linkinfo);

	rc = nl_talk(&nl, &req, NULL, NULL);
	if (rc == -EEXIST)
		rc = veth_same(&nl, host_name, nsfd, peer_name, peer_mac);
	else if (rc == 0)
		created = true;
	if (rc == 0)
		rc = host_finish(&nl, host_name, NULL, host_ifindex);
	if (rc < 0) {
		fail(&nl, rc, "veth_add %s -> %s:%s", host_name, netns, peer_name);
		if (created)
			nl_dellink(&nl, host_name);
	}
	nl_close(&nl);
	close(nsfd);
	return rc;
}

/* ---- TAP ----------------------------------------------------------------- */

int netdev_tap_add(const char *name, const uint8_t mac[6], unsigned queues, int *ifindex)
{
	bool mq = queues > 1, created = false;
	struct linkrec r;
	struct nl nl;
	int rc;

	if (!ifname_ok(name))
		return -EINVAL;
	if ((rc = nl_open(&nl, NULL)) < 0)
		return fail(NULL, rc, "tap_add %s: netlink", name);
	rc = nl_getlink(&nl, name, &r);
	if (rc == 0) {
		/* Exists: equal or not, never attach to it (a VM may hold it). */
		if (!r.tun || r.tun_type != IFF_TAP || r.tun_pi || !r.tun_vnet || !r.tun_persist ||
		    r.tun_mq != mq || (mac && memcmp(mac, r.info.mac, 6)))
			rc = -EEXIST;
		mac = NULL;
	} else if (rc == -ENODEV) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		rc = 0;
		if (fd < 0)
			rc = -errno;
		if (rc == 0) {
			memset(&ifr, 0, sizeof(ifr));
			memcpy(ifr.ifr_name, name, strlen(name));
			ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL |
					(mq ? IFF_MULTI_QUEUE : 0);
			if (ioctl(fd, TUNSETIFF, &ifr) < 0)
				rc = -errno;
			else
				created = true;
		}
		if (rc == 0 && ioctl(fd, TUNSETPERSIST, 1) < 0)
			rc = -errno;
		if (fd >= 0)
			close(fd); /* without TUNSETPERSIST this destroys it again */
	}
	if (rc == 0)
		rc = host_finish(&nl, name, mac, ifindex);
	if (rc < 0) {
		fail(&nl, rc, "tap_add %s", name);
		if (created)
			nl_dellink(&nl, name);
	}
	nl_close(&nl);
	return rc;
}

/* ---- addresses ----------------------------------------------------------- */

static int af_of(const struct netaddr *a)
{
	return a->family == NETADDR_V4 ? AF_INET : a->family == NETADDR_V6 ? AF_INET6 : -1;
}

/* Network-order bytes of a; returns their count (4 or 16), 0 if bad. */
static size_t addr_bytes(const struct netaddr *a, uint8_t out[16])
{
	int i;

	if (a->family == NETADDR_V4) {
		uint32_t v = (uint32_t)a->lo;

		for (i = 0; i < 4; i++)
			out[i] = (uint8_t)(v >> (24 - 8 * i));
		return 4;
	}
	if (a->family == NETADDR_V6) {
		for (i = 0; i < 8; i++) {
			out[i] = (uint8_t)(a->hi >> (56 - 8 * i));
			out[8 + i] = (uint8_t)(a->lo >> (56 - 8 * i));
		}
		return 16;
	}
	return 0;
}

static bool addr_from(int af, const struct rtattr *at, struct netaddr *a)
{
	const uint8_t *b;
	int i;

	memset(a, 0, sizeof(*a));
	if (!at)
		return false;
	b = RTA_DATA(at);
	if (af == AF_INET && RTA_PAYLOAD(at) == 4) {
		a->family = NETADDR_V4;
		a->lo = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
		return true;
	}
	if (af == AF_INET6 && RTA_PAYLOAD(at) == 16) {
		a->family = NETADDR_V6;
		for (i = 0; i < 8; i++) {
			a->hi = a->hi << 8 | b[i];
			a->lo = a->lo << 8 | b[8 + i];
		}
		return true;
	}
	return false;
}

static bool prefix_ok(const struct netprefix *p)
{
	return p && af_of(&p->addr) > 0 && p->len <= netaddr_bits(&p->addr);
}

static int addr_change(const char *op, uint16_t type, const char *netns, const char *ifname,
		       const struct netprefix *p)
{
	struct ifaddrmsg ifa = {0};
	char txt[NETADDR_STRLEN];
	uint8_t b[16];
	struct nlreq req;
	struct nl nl;
	size_t n;
	int rc;

	if (!ifname_ok(ifname) || !prefix_ok(p))
		return -EINVAL;
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "%s %s: netlink", op, ifname);
	if ((rc = nl_ifindex(&nl, ifname)) < 0)
		goto out;
	n = addr_bytes(&p->addr, b);
	ifa.ifa_family = (uint8_t)af_of(&p->addr);
	ifa.ifa_prefixlen = p->len;
	ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	ifa.ifa_index = (unsigned)rc;
	if (p->addr.family == NETADDR_V6)
		ifa.ifa_flags = IFA_F_NODAD;
	req_init(&req, type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0, &ifa,
		 sizeof(ifa));
	req_put(&req, IFA_LOCAL, b, n);
	req_put(&req, IFA_ADDRESS, b, n);
	if (type == RTM_NEWADDR && p->addr.family == NETADDR_V6)
		req_u32(&req, IFA_FLAGS, IFA_F_NODAD);
	rc = nl_talk(&nl, &req, NULL, NULL);
out:
	if (type == RTM_NEWADDR && rc == -EEXIST)
		rc = 0;
	if (type == RTM_DELADDR && (rc == -EADDRNOTAVAIL || rc == -ENODEV))
		rc = 0;
	if (rc < 0) {
		netaddr_format(&p->addr, txt);
		fail(&nl, rc, "%s %s/%u on %s%s%s", op, txt, p->len, netns ? netns : "",
		     netns ? ":" : "", ifname);
	}
	nl_close(&nl);
	return rc > 0 ? 0 : rc;
}

int netdev_addr_add(const char *netns, const char *ifname, const struct netprefix *p)
{
	return addr_change("addr_add", RTM_NEWADDR, netns, ifname, p);
}

int netdev_addr_del(const char *netns, const char *ifname, const struct netprefix *p)
{
	return addr_change("addr_del", RTM_DELADDR, netns, ifname, p);
}

struct addrlist {
	int ifindex;
	int (*cb)(void *arg, const struct netprefix *p);
	void *arg;
};

static int addrlist_cb(void *arg, struct nlmsghdr *h)
{
	struct addrlist *l = arg;
	struct rtattr *tb[IFA_MAX + 1];
	struct ifaddrmsg *ifa;
	struct netprefix p;

	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	ifa = NLMSG_DATA(h);
	if ((int)ifa->ifa_index != l->ifindex)
		return 0;
	parse_attrs(tb, IFA_MAX, IFA_RTA(ifa), (int)IFA_PAYLOAD(h));
	/* IFA_LOCAL is the local address when both exist (IPv4, v6 peers). */
	if (!addr_from(ifa->ifa_family, tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], &p.addr))
		return 0;
	p.len = ifa->ifa_prefixlen;
	return l->cb(l->arg, &p);
}

int netdev_addr_list(const char *netns, const char *ifname,
		     int (*cb)(void *arg, const struct netprefix *p), void *arg)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC};
	struct addrlist l = {.cb = cb, .arg = arg};
	struct nlreq req;
	struct nl nl;
	int rc;

	if (!ifname_ok(ifname))
		return -EINVAL;
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "addr_list %s: netlink", ifname);
	if ((rc = nl_ifindex(&nl, ifname)) >= 0) {
		l.ifindex = rc;
		req_init(&req, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
		rc = nl_talk(&nl, &req, addrlist_cb, &l);
	}
	nl_close(&nl);
	return rc;
}

/* ---- routes -------------------------------------------------------------- */

static int route_change(const char *op, uint16_t type, const char *netns,
			const struct netprefix *dst, const struct netaddr *gw, const char *ifname,
			uint32_t table)
{
	struct rtmsg rtm = {0};
	char txt[NETADDR_STRLEN];
	uint8_t b[16];
	struct nlreq req;
	struct nl nl;
	int rc, oif = 0;
	size_t n;

	if (!prefix_ok(dst) || (!gw && !ifname) || (ifname && !ifname_ok(ifname)) ||
	    (gw && gw->family != dst->addr.family))
		return -EINVAL;
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "%s: netlink", op);
	if (ifname && (rc = oif = nl_ifindex(&nl, ifname)) < 0)
		goto out;
	rtm.rtm_family = (uint8_t)af_of(&dst->addr);
	rtm.rtm_dst_len = dst->len;
	rtm.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (type == RTM_NEWROUTE) {
		rtm.rtm_protocol = RTPROT_STATIC;
		rtm.rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		rtm.rtm_type = RTN_UNICAST;
	} else {
		rtm.rtm_scope = RT_SCOPE_NOWHERE; /* any, as `ip route del` */
	}
	req_init(&req, type, type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_REPLACE : 0, &rtm,
		 sizeof(rtm));
	n = addr_bytes(&dst->addr, b);
	if (dst->len > 0)
		req_put(&req, RTA_DST, b, n);
	if (gw) {
		n = addr_bytes(gw, b);
		req_put(&req, RTA_GATEWAY, b, n);
	}
	if (oif > 0)
		req_u32(&req, RTA_OIF, (uint32_t)oif);
	if (table >= 256)
		req_u32(&req, RTA_TABLE, table);
	rc = nl_talk(&nl, &req, NULL, NULL);
out:
	if (type == RTM_DELROUTE && (rc == -ESRCH || rc == -ENODEV))
		rc = 0;
	if (rc < 0) {
		netaddr_format(&dst->addr, txt);
		fail(&nl, rc, "%s %s/%u%s%s", op, txt, dst->len, netns ? " in " : "",
		     netns ? netns : "");
	}
	nl_close(&nl);
	return rc > 0 ? 0 : rc;
}

int netdev_route_replace(const char *netns, const struct netprefix *dst, const struct netaddr *gw,
			 const char *ifname)
{
	return route_change("route_replace", RTM_NEWROUTE, netns, dst, gw, ifname, RT_TABLE_MAIN);
}

int netdev_route_replace_table(const char *netns, const struct netprefix *dst,
			       const struct netaddr *gw, const char *ifname, uint32_t table)
{
	return route_change("route_replace", RTM_NEWROUTE, netns, dst, gw, ifname, table);
}

int netdev_rule_add(const char *netns, const struct netprefix *from, uint32_t table,
		    uint32_t priority)
{
	/* struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2,
	 * action */
	struct {
		uint8_t family, dst_len, src_len, tos, table, res1, res2, action;
		uint32_t flags;
	} frh = {0};
	uint8_t b[16];
	struct nlreq req;
	struct nl nl;
	int rc;
	if (!prefix_ok(from))
		return -EINVAL;
	if ((rc = nl_open(&nl, netns)) < 0)
		return fail(NULL, rc, "rule_add: netlink");
	frh.family = (uint8_t)af_of(&from->addr);
	frh.src_len = from->len;
	frh.table = table < 256 ? (uint8_t)table : 0;
	frh.action = 1; /* FR_ACT_TO_TBL */
	req_init(&req, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, &frh, sizeof(frh));
	size_t n = addr_bytes(&from->addr, b);
	if (from->len)
		req_put(&req, 2 /* FRA_SRC */, b, n);
	req_u32(&req, 15 /* FRA_TABLE */, table);
	req_u32(&req, 6 /* FRA_PRIORITY */, priority);
	rc = nl_talk(&nl, &req, NULL, NULL);
	if (rc == -EEXIST)
		rc = 0;
	if (rc < 0)
		fail(&nl, rc, "rule_add table %u", table);
	nl_close(&nl);
	return rc > 0 ? 0 : rc;
}

int netdev_route_del(const char *netns, const struct netprefix *dst, const struct netaddr *gw,
		     const char *ifname)
{
	return route_change("route_del", RTM_DELROUTE, netns, dst, gw, ifname, RT_TABLE_MAIN);
}

/* ---- namespaces ---------------------------------------------------------- */

/* Serialises namespace creation and removal within the process, so that two
 * threads adding one name do not mount two namespaces on it. */
static pthread_mutex_t netns_lock = PTHREAD_MUTEX_INITIALIZER;

static bool is_nsfs(const char *path)
{
	struct statfs s;

	return statfs(path, &s) == 0 && (unsigned long)s.f_type == (unsigned long)NSFS_MAGIC;
}

/* NETNS_DIR as a shared mount point, as iproute2's netns_add() makes it, so
 * that namespaces bound later propagate to other mount namespaces. */
/* The directory still exists (someone may have removed it since). */
static bool is_nsfs_dir_ok(void)
{
	struct stat st;
	return stat(NETDEV_NETNS_DIR, &st) == 0 && S_ISDIR(st.st_mode);
}

static int netns_dir_shared(void)
{
	/* Once per process (under netns_lock): MS_SHARED|MS_REC walks every
	 * namespace mounted below, so doing it per namespace made creating N
	 * of them cost O(N^2). */
	static bool done;
	if (done && is_nsfs_dir_ok())
		return 0;
	if (mkdir(NETDEV_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("", NETDEV_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0) {
		done = true;
		return 0;
	}
	if (errno != EINVAL)
		return -errno;
	/* Not a mount point yet: bind it on itself, then share it. */
	if (mount(NETDEV_NETNS_DIR, NETDEV_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (mount("", NETDEV_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	done = true;
	return 0;
}

/* In the dedicated thread: a new network namespace for this thread only,
 * bound on the path so that it outlives the thread. */
static int netns_bind_new(void *arg)
{
	const char *path = arg;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}

int netdev_netns_add(const char *name)
{
	bool created = false;
	char path[256];
	int fd, rc;

	if ((rc = netns_path(name, path, sizeof(path))) < 0)
		return rc;
	/* The common case at a restart: it exists.  Making the directory a
	 * shared mount again (recursive over every namespace under it) is what
	 * would cost, so it is done only when one is made. */
	if (is_nsfs(path))
		return 0;
	pthread_mutex_lock(&netns_lock);
	if ((rc = netns_dir_shared()) < 0)
		goto out;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd >= 0) {
		close(fd);
		created = true;
	} else if (errno != EEXIST) {
		rc = -errno;
		goto out;
	} else if (is_nsfs(path)) {
		goto out; /* exists */
	}
	rc = run_in_thread(-1, netns_bind_new, path);
	if (rc < 0 && created)
		unlink(path);
out:
	pthread_mutex_unlock(&netns_lock);
	if (rc < 0)
		fail(NULL, rc, "netns_add %s", name);
	return rc;
}

int netdev_netns_del(const char *name)
{
	char path[256];
	int rc;

	if ((rc = netns_path(name, path, sizeof(path))) < 0)
		return rc;
	pthread_mutex_lock(&netns_lock);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		rc = -errno;
	else if (unlink(path) < 0 && errno != ENOENT)
		rc = -errno;
	pthread_mutex_unlock(&netns_lock);
	if (rc < 0)
		fail(NULL, rc, "netns_del %s", name);
	return rc;
}

int netdev_netns_list(const char *prefix, int (*cb)(void *arg, const char *name), void *arg)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (!(d = opendir(NETDEV_NETNS_DIR)))
		return errno == ENOENT ? 0 : -errno;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (plen && strncmp(e->d_name, prefix, plen))
			continue;
		rc = cb(arg, e->d_name);
	}
	closedir(d);
	return rc;
}
