/*
 * Unit tests of agent/netdev: namespaces, veth pairs, TAPs, link state,
 * addresses, routes and sysctls, against the running kernel.  Root is
 * required (every case is skipped, visibly, otherwise).  Every namespace and
 * device a case makes carries the prefix "tnd<pid%1000>-" (each Criterion
 * case runs in its own process) and the suite's .fini removes them even when
 * the case fails.  What the module did is checked independently of it where
 * that is cheap: sysfs read from a child that mounted the namespace's own
 * /sys, /proc/sys, and `ip -n` output.
 *
 *   test process (host netns)                  netns <P>ns
 *   +-------------------------------+          +------------------------------+
 *   | <P>h0  veth, NOARP, IPv6 off,  |  veth    | eth0  02:00:00:00:01:05       |
 *   |        up, 2 queues           +----------+       2 queues                |
 *   | <P>tap0 persistent TAP        |          |       10.0.1.5/24             |
 *   | <P>tap1 multi-queue TAP       |          |       2001:db8:1::5/64 nodad  |
 *   +-------------------------------+          |  default via 10.0.1.253       |
 *                                              |  default via fe80::1 dev eth0 |
 *                                              +------------------------------+
 * No packet leaves these namespaces: nothing here sends traffic at all.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/magic.h>

#include "agent/netdev.h"

/* Under ASan a leak fails the run: LeakSanitizer's own report at exit comes
 * after Criterion has already counted the case as passed, so .fini checks. */
#if defined(__SANITIZE_ADDRESS__)
#define NETDEV_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NETDEV_TEST_LSAN 1
#endif
#endif
#ifdef NETDEV_TEST_LSAN
#include <sanitizer/lsan_interface.h>
#endif

static char P[16];  /* per-process prefix */
static char NS[32]; /* the main test namespace */

static const uint8_t MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x05};
static const char *MACS = "02:00:00:00:01:05";

/* Name with the run's prefix, in one of a few rotating static buffers. */
static const char *N(const char *suffix)
{
	static char bufs[8][32];
	static int i;
	char *b = bufs[i++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s%s", P, suffix);
	return b;
}

/* ---- setup and cleanup -------------------------------------------------- */

struct names {
	char v[64][32];
	int n;
};

static int collect_ns(void *arg, const char *name)
{
	struct names *l = arg;

	if (l->n < 64)
		snprintf(l->v[l->n++], sizeof(l->v[0]), "%s", name);
	return 0;
}

static int collect_link(void *arg, const char *name, int ifindex, const char *kind)
{
	return collect_ns(arg, name);
}

static void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("skipped: not root");
	snprintf(P, sizeof(P), "tnd%03d-", (int)(getpid() % 1000));
	snprintf(NS, sizeof(NS), "%sns", P);
}

static void teardown(void)
{
	struct names l = {.n = 0};
	int i;

	if (geteuid() != 0 || !P[0])
		return;
	netdev_link_list(NULL, P, collect_link, &l);
	for (i = 0; i < l.n; i++)
		netdev_link_del(NULL, l.v[i]);
	l.n = 0;
	netdev_netns_list(P, collect_ns, &l);
	for (i = 0; i < l.n; i++)
		netdev_netns_del(l.v[i]);
#ifdef NETDEV_TEST_LSAN
	/* An assertion in .fini is only a warning to Criterion; a crash in it
	 * makes the whole run fail. */
	if (__lsan_do_recoverable_leak_check())
		abort();
#endif
}

TestSuite(netdev, .init = setup, .fini = teardown, .timeout = 60);

/* ---- independent observers ---------------------------------------------- */

static ino_t thread_netns(void)
{
	struct stat st;

	cr_assert_eq(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

/* Reads a file (or, with count_prefix, counts directory entries starting
 * with it) as seen from netns, in a child that joined it and mounted that
 * namespace's own /sys (as `ip netns exec` does).  Returns the text. */
static const char *ns_read(const char *netns, const char *path, const char *count_prefix)
{
	static char out[512];
	int pfd[2];
	pid_t pid;
	ssize_t n;
	int st;

	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char buf[512] = "";
		int fd, len = 0;

		close(pfd[0]);
		if (netns) {
			char p[256];

			snprintf(p, sizeof(p), "/run/netns/%s", netns);
			if ((fd = open(p, O_RDONLY)) < 0 || setns(fd, CLONE_NEWNET) < 0)
				_exit(2);
			if (unshare(CLONE_NEWNS) < 0 ||
			    mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
				_exit(3);
			umount2("/sys", MNT_DETACH);
			if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
				_exit(4);
		}
		if (count_prefix) {
			DIR *d = opendir(path);
			struct dirent *e;
			int c = 0;

			if (!d)
				_exit(5);
			while ((e = readdir(d)))
				c += !strncmp(e->d_name, count_prefix, strlen(count_prefix));
			closedir(d);
			len = snprintf(buf, sizeof(buf), "%d", c);
		} else {
			if ((fd = open(path, O_RDONLY)) < 0)
				_exit(6);
			len = (int)read(fd, buf, sizeof(buf) - 1);
			if (len < 0)
				_exit(7);
			while (len > 0 && buf[len - 1] == '\n')
				len--;
		}
		if (write(pfd[1], buf, (size_t)len) != len)
			_exit(8);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ns_read %s %s: child status %d",
		  netns ? netns : "-", path, st);
	return out;
}

/* Output of a shell command (iproute2 as the second opinion). */
static const char *sh(const char *fmt, ...)
{
	static char out[8192];
	char cmd[512];
	va_list ap;
	size_t n;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	cr_assert(f, "popen %s", cmd);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	return out;
}

static unsigned long hexval(const char *s)
{
	return strtoul(s, NULL, 16);
}

static struct netprefix PFX(const char *addr, unsigned len) {
	struct netprefix p;

	cr_assert(netaddr_parse(addr, &p.addr), "parse %s", addr);
	p.len = (uint8_t)len;
	return p;
}

static struct netaddr
ADDR(const char *addr) {
	struct netaddr a;

	cr_assert(netaddr_parse(addr, &a), "parse %s", addr);
	return a;
}

/* ---- namespaces ---------------------------------------------------------- */

static int
count_cb(void *arg, const char *name)
{
	(*(int *)arg)++;
	return 0;
}

static int stop_cb(void *arg, const char *name)
{
	return 42;
}

static int ino_cb(void *arg)
{
	*(ino_t *)arg = thread_netns();
	return 7;
}

Test(netdev, netns_add_del_list)
{
	ino_t before = thread_netns(), inside = 0, inside2 = 0;
	struct statfs sf;
	char path[128];
	int n = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", NS);
	cr_assert_eq(netdev_netns_add(NS), 0);
	cr_assert_eq(netdev_netns_add(NS), 0, "idempotent");
	cr_assert_eq(statfs(path, &sf), 0);
	cr_assert_eq((unsigned long)sf.f_type, (unsigned long)NSFS_MAGIC, "a bound namespace");
	cr_assert_eq(thread_netns(), before, "caller's namespace unchanged");

	cr_assert_eq(netdev_netns_add(N("ns2")), 0);
	cr_assert_eq(netdev_netns_list(P, count_cb, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(netdev_netns_list(P, stop_cb, NULL), 42, "callback stops the walk");

	cr_assert_eq(netdev_in_netns(NS, ino_cb, &inside), 7);
	cr_assert_neq(inside, before);
	cr_assert_eq(netdev_in_netns(NS, ino_cb, &inside2), 7);
	cr_assert_eq(inside2, inside, "the same namespace each time");
	cr_assert_eq(netdev_in_netns(NULL, ino_cb, &inside2), 7);
	cr_assert_eq(inside2, before, "NULL: the caller's namespace");
	cr_assert_eq(thread_netns(), before);

	/* A left-over unmounted file of the name is reused. */
	cr_assert_eq(netdev_netns_del(N("ns2")), 0);
	snprintf(path, sizeof(path), "/run/netns/%s", N("ns2"));
	close(open(path, O_CREAT | O_RDONLY, 0));
	cr_assert_eq(netdev_netns_add(N("ns2")), 0);
	cr_assert_eq(statfs(path, &sf), 0);
	cr_assert_eq((unsigned long)sf.f_type, (unsigned long)NSFS_MAGIC);

	cr_assert_eq(netdev_netns_del(NS), 0);
	cr_assert_eq(netdev_netns_del(NS), 0, "absent is 0");
	cr_assert_eq(netdev_netns_del(N("ns2")), 0);
	n = 0;
	cr_assert_eq(netdev_netns_list(P, count_cb, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(netdev_in_netns(NS, ino_cb, &inside), -ENOENT);
	cr_assert_eq(netdev_netns_add(""), -EINVAL);
	cr_assert_eq(netdev_netns_add("a/b"), -EINVAL);
	cr_assert_eq(netdev_netns_add(".."), -EINVAL);
	cr_assert_eq(thread_netns(), before);
}

/* ---- veth ---------------------------------------------------------------- */

static int veth_setup(int *ifindex)
{
	cr_assert_eq(netdev_netns_add(NS), 0);
	return netdev_veth_add(N("h0"), NS, "eth0", MAC, 2, ifindex);
}

Test(netdev, veth_into_netns)
{
	ino_t before = thread_netns();
	struct netdev_link_info hi, pi;
	char path[128];
	int ifi = 0, ifi2 = 0;
	uint8_t other[6] = {0x02, 0, 0, 0, 0x01, 0x06};

	cr_assert_eq(veth_setup(&ifi), 0);
	cr_assert_gt(ifi, 0);
	cr_assert_eq(thread_netns(), before);
	cr_assert_eq(netdev_ifindex(NULL, N("h0")), ifi);
	cr_assert_eq(netdev_ifindex(NULL, "eth0-nope"), -ENODEV);

	/* Host end: NOARP, up, IPv6 off, 2 queues. */
	cr_assert_eq(netdev_link_get(NULL, N("h0"), &hi), 0);
	cr_assert_str_eq(hi.kind, "veth");
	cr_assert_eq(hi.ifindex, ifi);
	cr_assert(hi.flags & IFF_UP);
	cr_assert(hi.flags & IFF_NOARP);
	cr_assert_eq(hi.num_tx_queues, 2);
	cr_assert_eq(hi.num_rx_queues, 2);
	cr_assert_geq(hi.link_netnsid, 0, "peer in another namespace");
	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", N("h0"));
	cr_assert(hexval(ns_read(NULL, path, NULL)) & IFF_NOARP);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", N("h0"));
	cr_assert_str_eq(ns_read(NULL, path, NULL), "1");
	cr_assert_eq(strstr(sh("ip -6 addr show dev %s", N("h0")), "inet6"), NULL,
		     "no IPv6 address on the host end");

	/* Peer, seen from inside: name, MAC, queues, linked to the host end. */
	cr_assert_str_eq(ns_read(NS, "/sys/class/net/eth0/address", NULL), MACS);
	cr_assert_str_eq(ns_read(NS, "/sys/class/net/eth0/queues", "tx-"), "2");
	cr_assert_str_eq(ns_read(NS, "/sys/class/net/eth0/queues", "rx-"), "2");
	cr_assert_eq(netdev_link_get(NS, "eth0", &pi), 0);
	cr_assert_str_eq(pi.kind, "veth");
	cr_assert_eq(memcmp(pi.mac, MAC, 6), 0);
	cr_assert_eq(pi.num_tx_queues, 2);
	cr_assert_eq(pi.link_ifindex, ifi);
	cr_assert_eq(hi.link_ifindex, pi.ifindex);
	cr_assert_eq(netdev_ifindex(NULL, "eth0") == pi.ifindex && pi.ifindex != ifi, false,
		     "the peer is not in the host namespace");

	/* Idempotent when equal; -EEXIST when anything differs. */
	cr_assert_eq(netdev_veth_add(N("h0"), NS, "eth0", MAC, 2, &ifi2), 0);
	cr_assert_eq(ifi2, ifi);
	cr_assert_eq(netdev_veth_add(N("h0"), NS, "eth0", NULL, 2, NULL), 0, "MAC not compared");
	cr_assert_eq(netdev_veth_add(N("h0"), NS, "eth0", other, 2, NULL), -EEXIST);
	cr_assert_eq(netdev_veth_add(N("h0"), NS, "eth1", MAC, 2, NULL), -EEXIST);
	cr_assert_eq(netdev_netns_add(N("ns2")), 0);
	cr_assert_eq(netdev_veth_add(N("h0"), N("ns2"), "eth0", MAC, 2, NULL), -EEXIST);
	cr_assert_eq(netdev_veth_add(N("h1"), NS, "eth0", MAC, 2, NULL), -EEXIST,
		     "peer name taken inside the namespace");
	cr_assert_eq(netdev_ifindex(NULL, N("h1")), -ENODEV, "nothing left behind");
	cr_assert_eq(netdev_tap_add(N("t0"), NULL, 1, NULL), 0);
	cr_assert_eq(netdev_veth_add(N("t0"), NS, "eth9", MAC, 2, NULL), -EEXIST, "not a veth");
	cr_assert_eq(netdev_ifindex(NS, "eth9"), -ENODEV);
	cr_assert_eq(netdev_veth_add(N("h2"), N("nope"), "eth0", MAC, 1, NULL), -ENOENT);
	cr_assert_eq(netdev_veth_add(N("h2"), NULL, "eth0", MAC, 1, NULL), -EINVAL);
	cr_assert_eq(netdev_veth_add("name-far-too-long", NS, "eth0", MAC, 1, NULL), -EINVAL);

	/* A second pair, default queues and random MAC. */
	cr_assert_eq(netdev_veth_add(N("h3"), NS, "eth3", NULL, 0, NULL), 0);
	cr_assert_eq(netdev_link_get(NS, "eth3", &pi), 0);
	cr_assert_eq(pi.num_tx_queues, 1);

	/* Deleting the host end takes the peer with it; absent is 0. */
	cr_assert_eq(netdev_link_del(NULL, N("h0")), 0);
	cr_assert_eq(netdev_ifindex(NULL, N("h0")), -ENODEV);
	cr_assert_eq(netdev_ifindex(NS, "eth0"), -ENODEV);
	cr_assert_eq(netdev_link_del(NULL, N("h0")), 0);
	/* Deleting the peer inside takes the host end. */
	cr_assert_eq(netdev_link_del(NS, "eth3"), 0);
	cr_assert_eq(netdev_ifindex(NULL, N("h3")), -ENODEV);
	cr_assert_eq(thread_netns(), before);
}

Test(netdev, netns_del_destroys_devices)
{
	int i;

	cr_assert_eq(veth_setup(NULL), 0);
	cr_assert_eq(netdev_netns_del(NS), 0);
	/* The kernel tears the namespace down asynchronously; the peer and
	 * with it the host end go once it is gone.  Poll briefly. */
	for (i = 0; i < 200 && netdev_ifindex(NULL, N("h0")) > 0; i++)
		usleep(10000);
	cr_assert_eq(netdev_ifindex(NULL, N("h0")), -ENODEV);
}

/* ---- link state and lists ------------------------------------------------ */

struct seen {
	int veth, tun, other;
};

static int seen_cb(void *arg, const char *name, int ifindex, const char *kind)
{
	struct seen *s = arg;

	cr_assert_gt(ifindex, 0);
	cr_assert_eq(strncmp(name, P, strlen(P)), 0, "prefix filter: %s", name);
	if (!strcmp(kind, "veth"))
		s->veth++;
	else if (!strcmp(kind, "tun"))
		s->tun++;
	else
		s->other++;
	return 0;
}

static int lo_cb(void *arg, const char *name, int ifindex, const char *kind)
{
	if (!strcmp(name, "lo") && !strcmp(kind, ""))
		(*(int *)arg)++;
	return 0;
}

Test(netdev, link_up_down_and_list)
{
	struct netdev_link_info li;
	struct seen s = {0};
	int lo = 0;

	cr_assert_eq(veth_setup(NULL), 0);
	cr_assert_eq(netdev_link_get(NS, "eth0", &li), 0);
	cr_assert_eq(li.flags & IFF_UP, 0, "peer starts down");
	cr_assert_eq(netdev_link_set_up(NS, "eth0", true), 0);
	cr_assert_eq(netdev_link_get(NS, "eth0", &li), 0);
	cr_assert(li.flags & IFF_UP);
	cr_assert(hexval(ns_read(NS, "/sys/class/net/eth0/flags", NULL)) & IFF_UP);
	cr_assert_eq(netdev_link_set_up(NS, "eth0", true), 0, "idempotent");
	cr_assert_eq(netdev_link_set_up(NS, "eth0", false), 0);
	cr_assert_eq(netdev_link_get(NS, "eth0", &li), 0);
	cr_assert_eq(li.flags & IFF_UP, 0);
	cr_assert_eq(netdev_link_set_up(NS, "nope0", true), -ENODEV);
	cr_assert_eq(netdev_link_set_up(NULL, N("h0"), false), 0);
	cr_assert_eq(netdev_link_get(NULL, N("h0"), &li), 0);
	cr_assert_eq(li.flags & IFF_UP, 0);

	cr_assert_eq(netdev_veth_add(N("h1"), NS, "eth1", NULL, 1, NULL), 0);
	cr_assert_eq(netdev_tap_add(N("tap0"), NULL, 1, NULL), 0);
	cr_assert_eq(netdev_link_list(NULL, P, seen_cb, &s), 0);
	cr_assert_eq(s.veth, 2);
	cr_assert_eq(s.tun, 1);
	cr_assert_eq(s.other, 0);
	cr_assert_eq(netdev_link_list(NS, "", lo_cb, &lo), 0);
	cr_assert_eq(lo, 1, "a namespace's own links, lo without a kind");
}

/* ---- TAP ----------------------------------------------------------------- */

static int tap_open(const char *name, short flags)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	cr_assert(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

Test(netdev, tap)
{
	const short vm = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	uint8_t other[6] = {0x02, 0, 0, 0, 0x01, 0x06};
	struct netdev_link_info li;
	int ifi = 0, ifi2 = 0, fd, q1, q2;
	char path[128];
	unsigned long tf;

	cr_assert_eq(netdev_tap_add(N("tap0"), MAC, 1, &ifi), 0);
	cr_assert_gt(ifi, 0);
	cr_assert_eq(netdev_ifindex(NULL, N("tap0")), ifi);
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", N("tap0"));
	cr_assert_str_eq(ns_read(NULL, path, NULL), MACS);
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", N("tap0"));
	tf = hexval(ns_read(NULL, path, NULL));
	cr_assert_eq(tf & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_PERSIST | IFF_MULTI_QUEUE),
		     (unsigned long)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_PERSIST), "0x%lx",
		     tf);
	cr_assert_eq(netdev_link_get(NULL, N("tap0"), &li), 0);
	cr_assert_str_eq(li.kind, "tun");
	cr_assert(li.flags & IFF_UP);
	cr_assert(li.flags & IFF_NOARP);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", N("tap0"));
	cr_assert_str_eq(ns_read(NULL, path, NULL), "1");

	/* A VM opens it by name; adding it again meanwhile is still 0. */
	fd = tap_open(N("tap0"), vm);
	cr_assert_geq(fd, 0, "VM open: %s", strerror(-fd));
	cr_assert_eq(netdev_tap_add(N("tap0"), MAC, 1, &ifi2), 0);
	cr_assert_eq(ifi2, ifi);
	cr_assert_eq(netdev_tap_add(N("tap0"), NULL, 1, NULL), 0);
	cr_assert_eq(netdev_tap_add(N("tap0"), other, 1, NULL), -EEXIST);
	cr_assert_eq(netdev_tap_add(N("tap0"), MAC, 4, NULL), -EEXIST, "not multi-queue");
	close(fd);
	cr_assert_eq(netdev_ifindex(NULL, N("tap0")), ifi, "persistent after the VM closes");

	/* Multi-queue: a VM opens several queues. */
	cr_assert_eq(netdev_tap_add(N("tap1"), NULL, 4, NULL), 0);
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", N("tap1"));
	cr_assert(hexval(ns_read(NULL, path, NULL)) & IFF_MULTI_QUEUE);
	q1 = tap_open(N("tap1"), vm | IFF_MULTI_QUEUE);
	q2 = tap_open(N("tap1"), vm | IFF_MULTI_QUEUE);
	cr_assert_geq(q1, 0);
	cr_assert_geq(q2, 0);
	cr_assert_eq(netdev_tap_add(N("tap1"), NULL, 4, NULL), 0);
	cr_assert_eq(netdev_tap_add(N("tap1"), NULL, 1, NULL), -EEXIST);
	/* Deleted even while open. */
	cr_assert_eq(netdev_link_del(NULL, N("tap1")), 0);
	cr_assert_eq(netdev_ifindex(NULL, N("tap1")), -ENODEV);
	close(q1);
	close(q2);

	/* A veth of the name is not a TAP. */
	cr_assert_eq(veth_setup(NULL), 0);
	cr_assert_eq(netdev_tap_add(N("h0"), NULL, 1, NULL), -EEXIST);

	cr_assert_eq(netdev_link_del(NULL, N("tap0")), 0);
	cr_assert_eq(netdev_ifindex(NULL, N("tap0")), -ENODEV);
	cr_assert_eq(netdev_link_del(NULL, N("tap0")), 0);
}

/* ---- addresses and routes ------------------------------------------------ */

struct addrs {
	int v4, v6, ll;
};

static int addrs_cb(void *arg, const struct netprefix *p)
{
	struct addrs *a = arg;
	char t[NETADDR_STRLEN];

	netaddr_format(&p->addr, t);
	if (!strcmp(t, "10.0.1.5") && p->len == 24)
		a->v4++;
	else if (!strcmp(t, "2001:db8:1::5") && p->len == 64)
		a->v6++;
	else if (!strncmp(t, "fe80:", 5))
		a->ll++;
	else
		cr_assert_fail("unexpected address %s/%u", t, p->len);
	return 0;
}

Test(netdev, addresses)
{
	struct netprefix v4 = PFX("10.0.1.5", 24), v6 = PFX("2001:db8:1::5", 64);
	struct addrs a = {0};
	const char *o;

	cr_assert_eq(veth_setup(NULL), 0);
	cr_assert_eq(netdev_link_set_up(NS, "eth0", true), 0);
	cr_assert_eq(netdev_addr_add(NS, "eth0", &v4), 0);
	cr_assert_eq(netdev_addr_add(NS, "eth0", &v4), 0, "idempotent");
	cr_assert_eq(netdev_addr_add(NS, "eth0", &v6), 0);
	cr_assert_eq(netdev_addr_add(NS, "eth0", &v6), 0, "idempotent");

	o = sh("ip -n %s -o -4 addr show dev eth0", NS);
	cr_assert(strstr(o, "inet 10.0.1.5/24 "), "%s", o);
	o = sh("ip -n %s -o -6 addr show dev eth0 scope global", NS);
	cr_assert(strstr(o, "inet6 2001:db8:1::5/64 "), "%s", o);
	cr_assert(strstr(o, "nodad"), "%s", o);
	cr_assert_eq(strstr(o, "tentative"), NULL, "usable at once: %s", o);

	cr_assert_eq(netdev_addr_list(NS, "eth0", addrs_cb, &a), 0);
	cr_assert_eq(a.v4, 1);
	cr_assert_eq(a.v6, 1);

	cr_assert_eq(netdev_addr_del(NS, "eth0", &v4), 0);
	cr_assert_eq(netdev_addr_del(NS, "eth0", &v4), 0, "absent is 0");
	cr_assert_eq(netdev_addr_del(NS, "eth0", &v6), 0);
	cr_assert_eq(netdev_addr_del(NS, "eth0", &v6), 0);
	cr_assert_eq(netdev_addr_del(NS, "nope0", &v6), 0, "absent device is 0");
	memset(&a, 0, sizeof(a));
	cr_assert_eq(netdev_addr_list(NS, "eth0", addrs_cb, &a), 0);
	cr_assert_eq(a.v4 + a.v6, 0);
	cr_assert_eq(netdev_addr_add(NS, "nope0", &v4), -ENODEV);
	v4.len = 33;
	cr_assert_eq(netdev_addr_add(NS, "eth0", &v4), -EINVAL);
}

Test(netdev, routes)
{
	struct netprefix v4 = PFX("10.0.1.5", 24), v6 = PFX("2001:db8:1::5", 64);
	struct netprefix def4 = PFX("0.0.0.0", 0), def6 = PFX("::", 0);
	struct netprefix net = PFX("192.168.7.0", 24);
	struct netaddr gw4 = ADDR("10.0.1.253"), gw4b = ADDR("10.0.1.254"), gw6 = ADDR("fe80::1");
	const char *o;

	cr_assert_eq(veth_setup(NULL), 0);
	cr_assert_eq(netdev_link_set_up(NS, "eth0", true), 0);
	cr_assert_eq(netdev_addr_add(NS, "eth0", &v4), 0);
	cr_assert_eq(netdev_addr_add(NS, "eth0", &v6), 0);

	cr_assert_eq(netdev_route_replace(NS, &def4, &gw4, "eth0"), 0);
	cr_assert_eq(netdev_route_replace(NS, &def4, &gw4, "eth0"), 0, "idempotent");
	o = sh("ip -n %s -4 route show default", NS);
	cr_assert(strstr(o, "default via 10.0.1.253 dev eth0"), "%s", o);
	cr_assert_eq(netdev_route_replace(NS, &def4, &gw4b, NULL), 0, "replaces; oif from gw");
	o = sh("ip -n %s -4 route show default", NS);
	cr_assert(strstr(o, "default via 10.0.1.254 dev eth0"), "%s", o);
	cr_assert_eq(strstr(o, "10.0.1.253"), NULL, "replaced, not appended: %s", o);

	cr_assert_eq(netdev_route_replace(NS, &def6, &gw6, "eth0"), 0);
	cr_assert_eq(netdev_route_replace(NS, &def6, &gw6, "eth0"), 0, "idempotent");
	o = sh("ip -n %s -6 route show default", NS);
	cr_assert(strstr(o, "default via fe80::1 dev eth0"), "%s", o);
	cr_assert_lt(netdev_route_replace(NS, &def6, &gw6, NULL), 0, "link-local gw needs oif");

	cr_assert_eq(netdev_route_replace(NS, &net, NULL, "eth0"), 0, "on-link");
	o = sh("ip -n %s -4 route show 192.168.7.0/24", NS);
	cr_assert(strstr(o, "192.168.7.0/24 dev eth0"), "%s", o);
	cr_assert(strstr(o, "scope link"), "%s", o);

	cr_assert_eq(netdev_route_replace(NS, &def4, NULL, NULL), -EINVAL);
	cr_assert_eq(netdev_route_replace(NS, &def4, &gw6, "eth0"), -EINVAL);
	cr_assert_eq(netdev_route_replace(NS, &def4, &gw4, "nope0"), -ENODEV);

	cr_assert_eq(netdev_route_del(NS, &def4, NULL, "eth0"), 0);
	cr_assert_eq(netdev_route_del(NS, &def4, &gw4, "eth0"), 0, "absent is 0");
	cr_assert_eq(netdev_route_del(NS, &def6, &gw6, "eth0"), 0);
	cr_assert_eq(netdev_route_del(NS, &def6, &gw6, "eth0"), 0);
	cr_assert_eq(netdev_route_del(NS, &net, NULL, "eth0"), 0);
	cr_assert_eq(netdev_route_del(NS, &net, NULL, "nope0"), 0);
	o = sh("ip -n %s route show default; ip -n %s -6 route show default; "
	       "ip -n %s route show 192.168.7.0/24",
	       NS, NS, NS);
	cr_assert_str_eq(o, "");
}

/* ---- sysctls ------------------------------------------------------------- */

Test(netdev, sysctl)
{
	ino_t before = thread_netns();

	cr_assert_eq(veth_setup(NULL), 0);
	cr_assert_str_eq(ns_read(NS, "/proc/sys/net/ipv6/conf/eth0/accept_dad", NULL), "1");
	cr_assert_eq(netdev_sysctl(NS, "net/ipv6/conf/eth0/accept_dad", "0"), 0);
	cr_assert_str_eq(ns_read(NS, "/proc/sys/net/ipv6/conf/eth0/accept_dad", NULL), "0");
	cr_assert_eq(netdev_sysctl(NS, "net/ipv4/conf/eth0/rp_filter", "2"), 0);
	cr_assert_str_eq(ns_read(NS, "/proc/sys/net/ipv4/conf/eth0/rp_filter", NULL), "2");
	cr_assert_eq(netdev_sysctl(NS, "net/ipv6/conf/nope0/accept_dad", "0"), -ENOENT,
		     "eth0 exists only inside");
	cr_assert_eq(netdev_sysctl(NULL, "net/ipv6/conf/eth0-nope/accept_dad", "0"), -ENOENT);
	cr_assert_eq(netdev_sysctl(NS, "../etc/passwd", "x"), -EINVAL);
	cr_assert_eq(netdev_sysctl(NS, "net/../../etc/passwd", "x"), -EINVAL);
	cr_assert_eq(netdev_sysctl(NS, "/proc/sys/net/x", "x"), -EINVAL);
	cr_assert_eq(netdev_sysctl(N("nope"), "net/ipv4/ip_forward", "1"), -ENOENT);
	cr_assert_eq(thread_netns(), before);
}

/* ---- many threads at once ------------------------------------------------ */

#define NTHREADS 8

struct worker {
	int i, rc;
	ino_t before, after;
};

static void *worker_main(void *p)
{
	struct worker *w = p;
	char host[32], peer[16];
	uint8_t mac[6] = {0x02, 0, 0, 0, 0x02, (uint8_t)w->i};

	w->before = thread_netns();
	snprintf(host, sizeof(host), "%sc%d", P, w->i);
	snprintf(peer, sizeof(peer), "e%d", w->i);
	w->rc = netdev_netns_add(NS);
	if (w->rc == 0)
		w->rc = netdev_veth_add(host, NS, peer, mac, 1, NULL);
	if (w->rc == 0)
		w->rc = netdev_veth_add(host, NS, peer, mac, 1, NULL);
	w->after = thread_netns();
	return NULL;
}

Test(netdev, concurrent_threads)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	struct seen s = {0};
	int i;

	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.i = i};
		cr_assert_eq(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].rc, 0, "worker %d: %s", i, strerror(-w[i].rc));
		cr_assert_eq(w[i].before, w[i].after);
	}
	cr_assert_eq(netdev_link_list(NULL, P, seen_cb, &s), 0);
	cr_assert_eq(s.veth, NTHREADS);
}
