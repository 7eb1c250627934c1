/*
 * dpload: see dpload.h.
 */
#include "agent/dpload.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/pkt_cls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "dp/eni.skel.h"
#include "lib/log.h"

#define DPLOAD_BPFFS "/sys/fs/bpf"
#define DPLOAD_BPFFS_MAGIC 0xcafe4a11

struct dpload {
	struct dp_eni_prog *skel;
	char dir[256];
	struct dpload_maps maps;
	int prog_fd;
	bool own_prog_fd; /* prog_fd is the pinned program's, not the skeleton's */
	uint64_t hash;
	int ncpus;
	uint32_t cookie;
	pthread_mutex_t trace_lock;
};

static int dpload_libbpf_log(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	if (lvl == LIBBPF_DEBUG || log_get_level() < LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int dpload_bpffs(char *why, size_t whylen)
{
	struct statfs fs;
	if (statfs(DPLOAD_BPFFS, &fs) == 0 && (unsigned long)fs.f_type == DPLOAD_BPFFS_MAGIC)
		return 0;
	if (mount("bpf", DPLOAD_BPFFS, "bpf", 0, "mode=0700") < 0) {
		int e = errno;
		snprintf(why, whylen, "no BPF file system at %s and mounting one failed: %s",
			 DPLOAD_BPFFS, strerror(e));
		return -e;
	}
	return 0;
}

static void dpload_cfg_init(struct dpload *d)
{
	uint32_t zero = 0;
	struct dp_cfg c;
	if (bpf_map_lookup_elem(d->maps.cfg, &zero, &c) == 0 && c.trace_cookie) {
		d->cookie = c.trace_cookie;
		if (c.prog_hash != d->hash) {
			c.prog_hash = d->hash;
			bpf_map_update_elem(d->maps.cfg, &zero, &c, BPF_ANY);
		}
		return;
	}
	memset(&c, 0, sizeof(c));
	while (!c.trace_cookie)
		if (getrandom(&c.trace_cookie, sizeof(c.trace_cookie), 0) != sizeof(c.trace_cookie))
			c.trace_cookie = (uint32_t)getpid() * 2654435761u;
	/* Alibaba's documented security-group session timeouts: TCP 910 s idle
	 * established; short ones for opening and closing; 180 s otherwise. */
	c.ct_timeout_ns[DP_CT_T_TCP_OPEN] = 60ull * 1000000000ull;
	c.ct_timeout_ns[DP_CT_T_TCP_EST] = 910ull * 1000000000ull;
	c.ct_timeout_ns[DP_CT_T_TCP_CLOSE] = 10ull * 1000000000ull;
	c.ct_timeout_ns[DP_CT_T_OTHER] = 180ull * 1000000000ull;
	c.prog_hash = d->hash;
	bpf_map_update_elem(d->maps.cfg, &zero, &c, BPF_ANY);
	d->cookie = c.trace_cookie;
}

int dpload_open(const char *prefix, struct dpload **out, char *why, size_t whylen)
{
	*out = NULL;
	if (geteuid() != 0) {
		snprintf(why, whylen,
			 "not running as root (the data plane needs CAP_BPF and CAP_NET_ADMIN)");
		return -EPERM;
	}
	int rc = dpload_bpffs(why, whylen);
	if (rc < 0)
		return rc;
	struct dpload *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->trace_lock, NULL);
	snprintf(d->dir, sizeof(d->dir), "%s/%s", DPLOAD_BPFFS, prefix);
	if (mkdir(d->dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(why, whylen, "cannot create %s: %s", d->dir, strerror(errno));
		goto fail;
	}
	libbpf_set_print(dpload_libbpf_log);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = d->dir);
	d->skel = dp_eni_prog__open_opts(&oo);
	if (!d->skel) {
		rc = -errno;
		snprintf(why, whylen, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	/* The verifier takes seconds over this program: when the pinned one
	 * came from this very object, it is reused and only the maps are
	 * opened (a restart then costs milliseconds). */
	size_t elf_len = 0;
	const uint8_t *elf = dp_eni_prog__elf_bytes(&elf_len);
	uint64_t hash = 1469598103934665603ull;
	for (size_t i = 0; i < elf_len; i++)
		hash = (hash ^ elf[i]) * 1099511628211ull;
	char ppath[300];
	snprintf(ppath, sizeof(ppath), "%s/prog_eni", d->dir);
	int pinned = bpf_obj_get(ppath);
	bool reuse = false;
	if (pinned >= 0) {
		char cpath[300];
		snprintf(cpath, sizeof(cpath), "%s/cfg", d->dir);
		int cfd = bpf_obj_get(cpath);
		uint32_t zero = 0;
		struct dp_cfg old;
		reuse =
		    cfd >= 0 && bpf_map_lookup_elem(cfd, &zero, &old) == 0 && old.prog_hash == hash;
		if (cfd >= 0)
			close(cfd);
		if (!reuse)
			close(pinned);
	}
	if (reuse) {
		bpf_program__set_autoload(d->skel->progs.dp_eni_ingress, false);
		d->prog_fd = pinned;
		d->own_prog_fd = true;
	}
	rc = dp_eni_prog__load(d->skel);
	if (rc < 0) {
		snprintf(why, whylen,
			 "the kernel refused the data plane's programs or maps: %s (run with "
			 "--log-level 3 for the verifier's log; maps pinned by an incompatible "
			 "version are removed by openvpcd --dp-destroy)",
			 strerror(-rc));
		goto fail;
	}
	struct dp_eni_prog *s = d->skel;
	d->maps = (struct dpload_maps){
	    .cfg = bpf_map__fd(s->maps.cfg),
	    .eni = bpf_map__fd(s->maps.eni),
	    .ifmap = bpf_map__fd(s->maps.ifmap),
	    .addr = bpf_map__fd(s->maps.addr),
	    .route = bpf_map__fd(s->maps.route),
	    .rtb = bpf_map__fd(s->maps.rtb),
	    .net = bpf_map__fd(s->maps.net),
	    .sgp = bpf_map__fd(s->maps.sgp),
	    .sg_lpm = bpf_map__fd(s->maps.sg_lpm),
	    .sg_rules = bpf_map__fd(s->maps.sg_rules),
	    .ct = bpf_map__fd(s->maps.ct),
	    .eni_stats = bpf_map__fd(s->maps.eni_stats),
	    .drops = bpf_map__fd(s->maps.drops),
	    .rule_stats = bpf_map__fd(s->maps.rule_stats),
	    .trace = bpf_map__fd(s->maps.trace),
	};
	if (!reuse)
		d->prog_fd = bpf_program__fd(s->progs.dp_eni_ingress);
	d->hash = hash;
	d->ncpus = libbpf_num_possible_cpus();
	if (d->ncpus <= 0) {
		rc = -EINVAL;
		snprintf(why, whylen, "cannot count the CPUs");
		goto fail;
	}
	/* The program itself is pinned too: for the next start, bpftool, tests. */
	if (!reuse) {
		unlink(ppath);
		bpf_obj_pin(d->prog_fd, ppath);
	}
	dpload_cfg_init(d);
	*out = d;
	return 0;
fail:
	if (d->own_prog_fd)
		close(d->prog_fd);
	dp_eni_prog__destroy(d->skel);
	pthread_mutex_destroy(&d->trace_lock);
	free(d);
	return rc < 0 ? rc : -EINVAL;
}

void dpload_close(struct dpload *d)
{
	if (!d)
		return;
	if (d->own_prog_fd)
		close(d->prog_fd);
	dp_eni_prog__destroy(d->skel); /* closes fds; pins and TC filters stay */
	pthread_mutex_destroy(&d->trace_lock);
	free(d);
}

int dpload_unpin(const char *prefix)
{
	static const char *const names[] = {
	    "cfg",    "eni",	  "ifmap", "addr",	"route", "rtb",	       "net",	"sgp",
	    "sg_lpm", "sg_rules", "ct",	   "eni_stats", "drops", "rule_stats", "trace", "prog_eni"};
	char path[300];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", DPLOAD_BPFFS, prefix, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", DPLOAD_BPFFS, prefix);
	if (rmdir(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

const struct dpload_maps *dpload_maps(const struct dpload *d)
{
	return &d->maps;
}

bool dpload_reused(const struct dpload *d)
{
	return d->own_prog_fd;
}

int dpload_ncpus(const struct dpload *d)
{
	return d->ncpus;
}

int dpload_attach(struct dpload *d, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	int rc = bpf_tc_hook_create(&hook);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = 1, .priority = 1, .prog_fd = d->prog_fd,
		    .flags = BPF_TC_F_REPLACE);
	return bpf_tc_attach(&hook, &o);
}

static int dpload_test_run(struct dpload *d, int ifindex, const void *frame, size_t len,
			   uint32_t repeat, bool tracing, struct __sk_buff *ctx, uint64_t *ns,
			   int *retval)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ifindex = (uint32_t)ifindex;
	if (tracing) {
		ctx->cb[0] = DP_TRACE_MAGIC;
		ctx->cb[1] = d->cookie;
	}
	static __thread unsigned char out[2048];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = ctx,
		    .ctx_size_in = sizeof(*ctx), .ctx_out = ctx, .ctx_size_out = sizeof(*ctx),
		    .repeat = repeat ? repeat : 1);
	int rc = bpf_prog_test_run_opts(d->prog_fd, &o);
	if (rc < 0)
		return -errno;
	*ns = o.duration;
	*retval = (int)o.retval;
	return 0;
}

int dpload_trace(struct dpload *d, int ifindex, const void *frame, size_t len, uint32_t repeat,
		 struct dpload_trace_out *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->trace_lock);
	struct __sk_buff ctx;
	int rc =
	    dpload_test_run(d, ifindex, frame, len, repeat, true, &ctx, &out->ns, &out->retval);
	if (rc == 0) {
		out->verdict = ctx.cb[2];
		out->ifindex = ctx.cb[3];
		out->reason = ctx.cb[4];
		uint32_t zero = 0;
		if (bpf_map_lookup_elem(d->maps.trace, &zero, &out->trace) < 0)
			rc = -errno;
		if (out->trace.n > DP_TRACE_MAX)
			out->trace.n = DP_TRACE_MAX;
	}
	pthread_mutex_unlock(&d->trace_lock);
	return rc;
}

int dpload_run(struct dpload *d, int ifindex, const void *frame, size_t len, uint32_t repeat,
	       uint64_t *ns, int *retval)
{
	struct __sk_buff ctx;
	return dpload_test_run(d, ifindex, frame, len, repeat, false, &ctx, ns, retval);
}
