/*
 * netdev: the host plumbing that makes instances real.
 *
 * Named network namespaces (exactly as `ip netns` keeps them, under
 * /run/netns), veth pairs whose peer lives in an instance's namespace, TAP
 * devices a VM opens by name, link state, addresses, routes and sysctls.
 * Everything goes over rtnetlink (raw AF_NETLINK, no library, no fork/exec):
 * one netlink socket per call, no sleeping, so the agent can create
 * thousands of ENIs quickly.
 *
 * Threading.  Network namespace membership is per thread.  A function that
 * works inside a namespace leaves the caller's thread in the namespace it
 * had: the namespace-bound part (opening a netlink socket, writing
 * /proc/sys) runs with the calling thread switched into the namespace by
 * setns and back (microseconds; a thread per call cost milliseconds on a
 * loaded host), and the unshare of a new namespace runs in a short-lived
 * thread.  A netlink socket keeps the namespace it was opened in, so the
 * rest of the call runs in the caller's thread as it was.  All functions
 * may be called from any thread concurrently; calls that create the same
 * name concurrently are not serialised here (the agent owns its names).
 *
 * Conventions shared by every function below:
 *   - `netns` is the name of a namespace under /run/netns; NULL means the
 *     caller's own namespace (for the agent, the host's).  An absent
 *     namespace is -ENOENT.
 *   - Interface names are C strings of 1..15 bytes without '/' or
 *     whitespace, and not "." or ".." (the kernel's rule); namespace names
 *     have no '/' and are not "." or "..".  Anything else is -EINVAL.
 *   - Return 0 (or a documented non-negative value) on success and a
 *     negative errno on failure; a netlink error is propagated as the
 *     kernel's -errno.  Nothing is logged at INFO; real failures are logged
 *     with log_warn/log_debug.
 *   - The *_add functions are idempotent (an existing, equal object is 0)
 *     and the *_del functions treat an absent object as success.
 *   - Callbacks of the *_list functions get borrowed pointers valid only for
 *     the call; a non-zero return from a callback stops the walk and is
 *     returned by the list function.
 */
#ifndef OPENVPC_AGENT_NETDEV_H
#define OPENVPC_AGENT_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/netaddr.h"

/* Where named namespaces are bound, as iproute2 does. */
#define NETDEV_NETNS_DIR "/run/netns"

/* ---- namespaces ---------------------------------------------------------- */

/* Creates the named namespace NETNS_DIR/name like `ip netns add`: makes
 * NETNS_DIR a shared mount point (MS_SHARED|MS_REC, bind-mounting it on
 * itself first when needed) and bind-mounts a new network namespace, made by
 * unshare(CLONE_NEWNET) in a dedicated thread, on the file.  The caller's
 * thread keeps its namespace.  An existing namespace of that name is 0; a
 * left-over unmounted file of that name is reused.  On failure nothing is
 * left behind. */
int netdev_netns_add(const char *name);

/* Unmounts (MNT_DETACH) and unlinks the named namespace; absent is 0.  The
 * kernel destroys the namespace, and the devices inside it (a veth's peer
 * takes its host end with it), when its last reference goes. */
int netdev_netns_del(const char *name);

/* Calls cb(arg, name) for every entry of NETNS_DIR whose name starts with
 * prefix ("" or NULL: all), in directory order.  No NETNS_DIR is 0. */
int netdev_netns_list(const char *prefix, int (*cb)(void *arg, const char *name), void *arg);

/* Runs fn(arg) with the calling thread switched into netns (setns
 * CLONE_NEWNET) and returns fn's result; the thread's namespace is restored
 * afterwards.  netns NULL runs fn(arg) as it is.  fn must not itself call
 * into other namespaces' functions with netns NULL expecting the host's.
 * Returns -errno when the namespace cannot be opened or joined. */
int netdev_in_netns(const char *netns, int (*fn)(void *arg), void *arg);

/* ---- links --------------------------------------------------------------- */

/* Creates, in the caller's namespace, the veth host_name whose peer is made
 * directly inside netns (IFLA_NET_NS_FD; netns must not be NULL) as
 * peer_name with MAC peer_mac (NULL: random) and `queues` TX and RX queues
 * on both ends (0 is taken as 1).  The host end gets IFF_NOARP and
 * net.ipv6.conf.<host_name>.disable_ipv6=1 before it is set up; the peer is
 * left down (netdev_link_set_up() it once configured: an IPv4 route through
 * a gateway needs its device up).  *host_ifindex (may be NULL) receives the
 * host end's ifindex.
 *
 * Idempotent: when host_name exists as a veth whose peer is peer_name inside
 * netns with MAC peer_mac (not compared when NULL; queues are not compared),
 * its NOARP/IPv6/up state is re-applied and 0 returned with its ifindex.
 * When host_name (or peer_name inside netns) exists and differs: -EEXIST.
 * If a step after the creation fails, the pair is deleted again. */
int netdev_veth_add(const char *host_name, const char *netns, const char *peer_name,
		    const uint8_t peer_mac[6], unsigned queues, int *host_ifindex);

/* Creates a persistent TAP `name` in the caller's namespace (TUNSETPERSIST;
 * IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, plus IFF_MULTI_QUEUE when queues > 1) that
 * a VM opens by name with the same flags (each opened fd is one queue, up to
 * the kernel's limit; `queues` only selects multi-queue).  Sets MAC mac (NULL:
 * random), IFF_NOARP, disable_ipv6=1 and up; *ifindex (may be NULL) gets its
 * ifindex.  Owner and group are not set (root only opens it).  XXX: a VM
 * running unprivileged needs TUNSETOWNER; add a parameter when one exists.
 *
 * Idempotent: an existing persistent TAP of that name with the same
 * multi-queue and vnet-header flags and MAC (when given) is re-brought up and
 * 0 returned, even while a VM holds it open; anything else of that name is
 * -EEXIST (-EBUSY if another creator of the name wins a race with this one).
 */
int netdev_tap_add(const char *name, const uint8_t mac[6], unsigned queues, int *ifindex);

/* Deletes link `name` in netns (RTM_DELLINK; a veth takes its peer with it,
 * a persistent TAP is destroyed even while open).  Absent is 0. */
int netdev_link_del(const char *netns, const char *name);

/* Sets IFF_UP on (up) or clears it from link `name` in netns. */
int netdev_link_set_up(const char *netns, const char *name, bool up);

/* The ifindex (> 0) of link `name` in netns, or -ENODEV. */
int netdev_ifindex(const char *netns, const char *name);

/* What the kernel says about one link (netdev_link_get()). */
struct netdev_link_info {
	int ifindex;
	char name[16];	/* IFNAMSIZ */
	char kind[16];	/* IFLA_INFO_KIND: "veth", "tun", ...; "" for none */
	uint8_t mac[6]; /* zero when the link has no 6-byte address */
	unsigned flags; /* IFF_* (IFF_UP, IFF_NOARP, ...) */
	unsigned mtu;
	unsigned num_tx_queues; /* 0 when the kernel does not report it */
	unsigned num_rx_queues;
	int link_ifindex; /* IFLA_LINK (a veth's peer), 0 when none */
	int link_netnsid; /* IFLA_LINK_NETNSID, -1 when the peer is local/none */
};

/* Fills *out for link `name` in netns; -ENODEV when absent. */
int netdev_link_get(const char *netns, const char *name, struct netdev_link_info *out);

/* Calls cb(arg, name, ifindex, kind) for every link of netns whose name
 * starts with prefix ("" or NULL: all); kind is "" for links without one
 * (physical, loopback).  For reconciliation after a restart.  Returns
 * -EAGAIN when the kernel marked the dump inconsistent (a concurrent
 * change): the callbacks so far have run; call again. */
int netdev_link_list(const char *netns, const char *prefix,
		     int (*cb)(void *arg, const char *name, int ifindex, const char *kind),
		     void *arg);

/* ---- addresses and routes ------------------------------------------------ */

/* An interface address is a struct netprefix whose addr is the address
 * itself (host bits allowed: 10.0.1.5/24) and len the on-link prefix length.
 */

/* Adds address p to ifname in netns (scope global; IPv6 with IFA_F_NODAD so
 * it is usable at once).  Already present (EEXIST) is 0.  Absent ifname is
 * -ENODEV. */
int netdev_addr_add(const char *netns, const char *ifname, const struct netprefix *p);

/* Removes address p from ifname; absent address or absent ifname is 0. */
int netdev_addr_del(const char *netns, const char *ifname, const struct netprefix *p);

/* Calls cb(arg, p) for every address of ifname in netns, both families,
 * link-local ones included. */
int netdev_addr_list(const char *netns, const char *ifname,
		     int (*cb)(void *arg, const struct netprefix *p), void *arg);

/* Adds or replaces (NLM_F_CREATE|NLM_F_REPLACE) the main-table unicast route
 * to dst (0.0.0.0/0 or ::/0 for the default route) in netns, through gateway
 * gw (NULL: on-link) and/or device ifname (NULL: chosen by the kernel from
 * gw).  At least one of gw and ifname is needed; gw has dst's family.  An
 * IPv6 link-local gateway (fe80::1) needs ifname.  IPv4 through a gateway
 * needs the device up and the gateway on-link (-ENETUNREACH otherwise).
 * Protocol RTPROT_STATIC. */
int netdev_route_replace(const char *netns, const struct netprefix *dst, const struct netaddr *gw,
			 const char *ifname);

/* Deletes the main-table route to dst (matching gw and ifname when given);
 * absent route or absent ifname is 0. */
int netdev_route_del(const char *netns, const struct netprefix *dst, const struct netaddr *gw,
		     const char *ifname);

/* The same in routing table `table` (1..2^32-1; RT_TABLE_MAIN is 254). */
int netdev_route_replace_table(const char *netns, const struct netprefix *dst,
			       const struct netaddr *gw, const char *ifname, uint32_t table);

/* Adds the policy rule "from <from> lookup <table>" at `priority` (an equal
 * rule already present is 0).  For secondary ENIs: replies leave by the ENI
 * that holds their source address, as the cloud's multi-NIC guest scripts
 * configure it. */
int netdev_rule_add(const char *netns, const struct netprefix *from, uint32_t table,
		    uint32_t priority);

/* ---- sysctls ------------------------------------------------------------- */

/* Writes value to /proc/sys/<path> as seen from netns (path like
 * "net/ipv6/conf/eth0/accept_dad"; relative, no ".." component), from a
 * thread that joined netns. */
int netdev_sysctl(const char *netns, const char *path, const char *value);

#endif
