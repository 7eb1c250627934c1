/*
 * dpload: the data plane's programs and maps in the kernel.
 *
 * dpload_open() loads dp/eni.bpf.c (through its bpftool skeleton) with every
 * map pinned under /sys/fs/bpf/<prefix>/: maps already pinned there by an
 * earlier run are reused as they are, so forwarding state (conntrack,
 * counters, tables) survives a restart of openvpcd, and devices keep
 * forwarding with the old program until dpload_attach() replaces it, in one
 * netlink request per device (no window without a program).
 *
 * Trace runs (dpload_trace) execute the loaded program with
 * BPF_PROG_TEST_RUN in trace mode (dp/dp.h): they write no state.  They are
 * serialized by a mutex; everything else belongs to the agent's thread.
 */
#ifndef OPENVPC_AGENT_DPLOAD_H
#define OPENVPC_AGENT_DPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/dp.h"

struct dpload;

/* The fds of the pinned maps, borrowed from the struct dpload. */
struct dpload_maps {
	int cfg, eni, ifmap, addr, route, rtb, net, sgp, sg_lpm, sg_rules, ct, eni_stats, drops,
	    rule_stats, trace;
};

/* Loads (or finds) the data plane for prefix.  Returns 0, or a negative
 * errno with a sentence in why (not root, no BPF file system, the verifier
 * refused the program, ...). */
int dpload_open(const char *prefix, struct dpload **out, char *why, size_t whylen);
/* Closes fds; pins and attachments stay (accepts NULL). */
void dpload_close(struct dpload *d);
/* Removes every pin of the prefix (the daemon's --dp-destroy; tests). */
int dpload_unpin(const char *prefix);

const struct dpload_maps *dpload_maps(const struct dpload *d);
/* Number of possible CPUs: per-CPU map values are arrays of this many. */
int dpload_ncpus(const struct dpload *d);

/* True when the pinned program was reused (it came from this very object):
 * devices that carry it need no new attachment. */
bool dpload_reused(const struct dpload *d);

/* Attaches (or replaces) the ENI program at TC ingress of ifindex. */
int dpload_attach(struct dpload *d, int ifindex);

struct dpload_trace_out {
	int retval;	  /* the program's return (TC_ACT_*) */
	uint32_t verdict; /* DP_VERDICT_* */
	uint32_t ifindex; /* delivery device */
	uint32_t reason;  /* DP_DROP_* */
	struct dp_trace trace;
	uint64_t ns; /* average run time over the repeats */
};
/* Runs the program on frame (an Ethernet frame) as if it arrived on
 * ifindex, in trace mode, repeat times (1 for a trace).  0 or -errno.
 * With repeat > 1 the kernel runs the program again on the frame it left
 * (rewritten MACs), so a forwarded frame is timed as forwarded only when its
 * source MAC is already the network's (bench/dp_testrun.c does that). */
int dpload_trace(struct dpload *d, int ifindex, const void *frame, size_t len, uint32_t repeat,
		 struct dpload_trace_out *out);
/* Same in forwarding mode (state is written: benchmarks only). */
int dpload_run(struct dpload *d, int ifindex, const void *frame, size_t len, uint32_t repeat,
	       uint64_t *ns, int *retval);

#endif
