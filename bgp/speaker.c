/*
 * speaker.c: the speaker object: neighbors and their slots, the networks we
 * announce, the listening sockets, and the import step between a session's
 * decoded UPDATE and the RIB (RFC 8212 policy, EC-5 prefix limit).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp/speaker-private.h"

void bgp_neighbor_config_defaults(struct bgp_neighbor_config *nc)
{
	memset(nc, 0, sizeof(*nc));
	nc->port = 179;
	nc->hold_time = BGP_DEFAULT_HOLD;
	nc->connect_retry = BGP_DEFAULT_CONNECT_RETRY;
	nc->idle_hold = BGP_DEFAULT_IDLE_HOLD;
	nc->max_prefixes = BGP_DEFAULT_MAX_PREFIXES;
	nc->limit_action = BGP_LIMIT_KEEP_FIRST;
	nc->fam[BGP_FAM_V4] = true;
	nc->fam[BGP_FAM_V6] = true;
	nc->as4 = true;
	nc->graceful_restart = true;
	nc->gr_time = BGP_DEFAULT_GR_TIME;
	nc->stale_time = BGP_DEFAULT_STALE_TIME;
	nc->enhanced_rr = true;
	nc->local_pref = BGP_DEFAULT_LOCAL_PREF;
	nc->max_output_queue = BGP_DEFAULT_MAX_OUTQ;
}

void bgp_speaker_config_defaults(struct bgp_speaker_config *c)
{
	memset(c, 0, sizeof(*c));
	c->asn = BGP_DEFAULT_ASN;
	c->max_neighbors = BGP_DEFAULT_MAX_NEIGHBORS;
	c->listen_port = 179;
}

static void on_accept_resume(evutil_socket_t fd, short what, void *arg);

static void rib_best_changed(void *ctx, const struct bgp_prefix *p, const struct bgp_path *best)
{
	struct bgp_speaker *sp = ctx;
	struct bgp_route_info info;

	sp->best_changes++;
	if (!sp->hooks.route_changed)
		return;
	if (best) {
		info.from = &sp->nbrs[best->peer]->cfg;
		info.attrs = best->attrs;
	}
	sp->hooks.route_changed(sp->hooks.ctx, p, best ? &info : NULL);
}

struct bgp_speaker *bgp_speaker_create(struct event_base *base, const struct bgp_speaker_config *c,
				       const struct bgp_speaker_hooks *hooks)
{
	struct bgp_speaker *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	sp->base = base;
	sp->cfg = *c;
	if (sp->cfg.max_neighbors > BGP_RIB_MAX_PEERS)
		sp->cfg.max_neighbors = BGP_RIB_MAX_PEERS;
	if (hooks)
		sp->hooks = *hooks;
	sp->attrs = bgp_attr_table_create();
	if (!sp->attrs)
		goto fail;
	sp->rib = bgp_rib_create(sp->attrs, rib_best_changed, sp);
	if (!sp->rib)
		goto fail_rib;
	sp->upd = malloc(sizeof(*sp->upd));
	if (!sp->upd)
		goto fail_upd;
	sp->t_accept = evtimer_new(base, on_accept_resume, sp);
	if (!sp->t_accept)
		goto fail_accept;
	bgp_rib_set_multipath(sp->rib, c->multipath);
	sp->started_ms = bgp_now_ms();
	return sp;
fail_accept:
	free(sp->upd);
fail_upd:
	bgp_rib_destroy(sp->rib);
fail_rib:
	bgp_attr_table_destroy(sp->attrs);
fail:
	free(sp);
	return NULL;
}

void bgp_speaker_destroy(struct bgp_speaker *sp)
{
	if (!sp)
		return;
	for (unsigned i = 0; i < BGP_RIB_MAX_PEERS; i++) {
		struct bgp_neighbor *n = sp->nbrs[i];
		struct bgp_err e;

		if (!n)
			continue;
		n->admin_down = true;
		bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN, NULL, 0);
		bgp_session_event(n, BGP_EV_ADMIN_CEASE, &e);
		bgp_rib_flush(sp->rib, n->slot, -1);
		bgp_session_destroy(n);
		sp->nbrs[i] = NULL;
	}
	for (unsigned i = 0; i < sp->n_listeners; i++) {
		event_free(sp->listeners[i].ev);
		close(sp->listeners[i].fd);
	}
	bgp_session_linger_close_all(sp);
	event_free(sp->t_accept);
	free(sp->upd);
	bgp_rib_destroy(sp->rib);
	bgp_attr_table_destroy(sp->attrs);
	free(sp);
}

static size_t addr_len(uint8_t fam)
{
	return fam == BGP_FAM_V4 ? 4 : 16;
}

struct bgp_neighbor *bgp_speaker_find(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16])
{
	for (unsigned i = 0; i < BGP_RIB_MAX_PEERS; i++) {
		struct bgp_neighbor *n = sp->nbrs[i];

		if (n && n->cfg.addr_fam == fam && memcmp(n->cfg.addr, addr, addr_len(fam)) == 0)
			return n;
	}
	return NULL;
}

/* Hands an accepted connection to its neighbor, or closes it. */
static void accept_one(struct bgp_speaker *sp, int fd, const struct sockaddr_storage *ssp)
{
	const struct sockaddr_storage ss = *ssp;
	uint8_t addr[16] = {0};
	uint8_t fam;
	struct bgp_neighbor *n;

	if (ss.ss_family == AF_INET) {
		fam = BGP_FAM_V4;
		memcpy(addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else {
		const uint8_t *a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (memcmp(a, mapped, 12) == 0) {
			fam = BGP_FAM_V4;
			memcpy(addr, a + 12, 4);
		} else {
			fam = BGP_FAM_V6;
			memcpy(addr, a, 16);
		}
	}
	n = bgp_speaker_find(sp, fam, addr);
	if (!n) {
		char text[64];

		if (bgp_ratelimit_ok(&sp->stranger_rl)) {
			inet_ntop(fam == BGP_FAM_V4 ? AF_INET : AF_INET6, addr, text, sizeof(text));
			bgp_log(BGP_LOG_WARN, "connection from %s: not a neighbor, closed", text);
		}
		close(fd);
		return;
	}
	bgp_session_incoming(n, fd);
}

static void listeners_enable(struct bgp_speaker *sp, bool on)
{
	for (unsigned i = 0; i < sp->n_listeners; i++) {
		if (on)
			event_add(sp->listeners[i].ev, NULL);
		else
			event_del(sp->listeners[i].ev);
	}
}

static void on_accept_resume(evutil_socket_t fd, short what, void *arg)
{
	listeners_enable(arg, true);
}

/* accept() failed.  Out of descriptors or memory, the pending connection
 * stays queued and the listener stays readable: retrying at once would spin
 * (and log) at full speed.  So the listeners pause for BGP_ACCEPT_PAUSE_MS
 * (the kernel's backlog holds or refuses connections meanwhile), and the
 * line is rate-limited.  Returns false when the accept loop must stop. */
static bool accept_failed(struct bgp_speaker *sp, int err)
{
	struct timeval tv = {BGP_ACCEPT_PAUSE_MS / 1000, (BGP_ACCEPT_PAUSE_MS % 1000) * 1000};

	switch (err) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		return false;
	case EINTR:
	case ECONNABORTED: /* the peer gave up while queued: next one */
		return true;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		sp->accept_pauses++;
		if (bgp_ratelimit_ok(&sp->accept_rl))
			bgp_log(BGP_LOG_ERR, "accept: %s; not accepting connections for %d ms",
				strerror(err), BGP_ACCEPT_PAUSE_MS);
		listeners_enable(sp, false);
		evtimer_add(sp->t_accept, &tv);
		return false;
	default:
		if (bgp_ratelimit_ok(&sp->accept_rl))
			bgp_log(BGP_LOG_ERR, "accept: %s", strerror(err));
		return false;
	}
}

/* Connections handed over per listener event: a burst is taken in slices. */
#define BGP_ACCEPT_BATCH 16

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct bgp_speaker *sp = arg;

	for (int i = 0; i < BGP_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (!accept_failed(sp, errno))
				return;
			continue;
		}
		accept_one(sp, fd, &ss);
	}
}
int bgp_speaker_listen(struct bgp_speaker *sp)
{
	for (unsigned i = 0; i < sp->cfg.n_listen && sp->n_listeners < 4; i++) {
		struct sockaddr_storage ss;
		socklen_t sl;
		uint8_t fam = sp->cfg.listen[i].fam;
		int fd, one = 1, zero = 0;
		struct bgp_listener *l;

		memset(&ss, 0, sizeof(ss));
		if (fam == BGP_FAM_V4) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			sin->sin_port = htons(sp->cfg.listen_port);
			memcpy(&sin->sin_addr, sp->cfg.listen[i].addr, 4);
			sl = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(sp->cfg.listen_port);
			memcpy(&sin6->sin6_addr, sp->cfg.listen[i].addr, 16);
			sl = sizeof(*sin6);
		}
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fam == BGP_FAM_V6) /* "::" takes IPv4 peers too */
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		l = &sp->listeners[sp->n_listeners];
		l->fd = fd;
		l->fam = fam;
		l->ev = event_new(sp->base, fd, EV_READ | EV_PERSIST, on_accept, sp);
		if (!l->ev) {
			close(fd);
			return -ENOMEM;
		}
		event_add(l->ev, NULL);
		sp->n_listeners++;
		for (unsigned k = 0; k < BGP_RIB_MAX_PEERS; k++) {
			struct bgp_neighbor *n = sp->nbrs[k];

			if (n && n->cfg.md5_key[0] && (fam == BGP_FAM_V6 || n->cfg.addr_fam == fam))
				bgp_session_set_md5(n, fd, fam);
		}
	}
	return 0;
}

int bgp_speaker_neighbor_add(struct bgp_speaker *sp, const struct bgp_neighbor_config *nc)
{
	struct bgp_neighbor *n;
	unsigned slot;
	uint32_t las = nc->local_as ? nc->local_as : sp->cfg.asn;

	if (nc->remote_as == 0 || las == 0 ||
	    (nc->addr_fam != BGP_FAM_V4 && nc->addr_fam != BGP_FAM_V6))
		return -EINVAL;
	if (!nc->as4 && (las > 0xffff || nc->remote_as > 0xffff))
		return -EINVAL; /* a 2-octet-only session cannot carry a 4-octet AS */
	if ((nc->hold_time == 1 || nc->hold_time == 2) || nc->connect_retry == 0)
		return -EINVAL;
	if (nc->max_output_queue && nc->max_output_queue < BGP_MIN_MAX_OUTQ)
		return -EINVAL; /* no room for a full re-advertisement */
	if (bgp_speaker_find(sp, nc->addr_fam, nc->addr))
		return -EEXIST;
	if (sp->n_nbrs >= sp->cfg.max_neighbors)
		return -ENOSPC; /* EC-5 */
	for (slot = 0; slot < BGP_RIB_MAX_PEERS && sp->nbrs[slot]; slot++)
		;
	if (slot == BGP_RIB_MAX_PEERS)
		return -ENOSPC;
	n = bgp_session_create(sp, (uint16_t)slot, nc);
	if (!n)
		return -ENOMEM;
	if (!n->cfg.max_output_queue)
		n->cfg.max_output_queue = BGP_DEFAULT_MAX_OUTQ;
	sp->nbrs[slot] = n;
	sp->n_nbrs++;
	if (!nc->import_accept)
		bgp_log(BGP_LOG_WARN,
			"neighbor %s: no import policy: nothing will be accepted (RFC 8212)",
			n->name);
	if (!nc->export_networks)
		bgp_log(BGP_LOG_WARN,
			"neighbor %s: no export policy: nothing will be announced (RFC 8212)",
			n->name);
	for (unsigned i = 0; i < sp->n_listeners; i++) {
		struct bgp_listener *l = &sp->listeners[i];

		if (nc->md5_key[0] && (l->fam == BGP_FAM_V6 || l->fam == nc->addr_fam))
			bgp_session_set_md5(n, l->fd, l->fam);
	}
	bgp_session_event(n, BGP_EV_MANUAL_START, NULL);
	return 0;
}

int bgp_speaker_neighbor_remove(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16])
{
	struct bgp_neighbor *n = bgp_speaker_find(sp, fam, addr);
	struct bgp_err e;

	if (!n)
		return -ENOENT;
	n->admin_down = true;
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_PEER_DECONF, NULL, 0);
	bgp_session_event(n, BGP_EV_ADMIN_CEASE, &e);
	bgp_rib_flush(sp->rib, n->slot, -1);
	if (n->cfg.md5_key[0]) {
		n->cfg.md5_key[0] = 0; /* an empty key deletes it */
		for (unsigned i = 0; i < sp->n_listeners; i++)
			if (sp->listeners[i].fam == BGP_FAM_V6 || sp->listeners[i].fam == fam)
				bgp_session_set_md5(n, sp->listeners[i].fd, sp->listeners[i].fam);
	}
	sp->nbrs[n->slot] = NULL;
	sp->n_nbrs--;
	bgp_session_destroy(n);
	return 0;
}

int bgp_speaker_neighbor_reset(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16])
{
	struct bgp_neighbor *n = bgp_speaker_find(sp, fam, addr);
	struct bgp_err e;

	if (!n)
		return -ENOENT;
	n->admin_down = false;
	evtimer_del(n->t_limit_restart);
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET, NULL, 0);
	if (n->fsm.state != BGP_ST_IDLE)
		bgp_session_event(n, BGP_EV_ADMIN_CEASE, &e);
	evtimer_del(n->t_idlehold);
	bgp_session_event(n, BGP_EV_MANUAL_START, NULL);
	return 0;
}

int bgp_speaker_neighbor_refresh(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16])
{
	struct bgp_neighbor *n = bgp_speaker_find(sp, fam, addr);

	if (!n)
		return -ENOENT;
	return bgp_session_request_refresh(n);
}

int bgp_speaker_network_add(struct bgp_speaker *sp, const struct bgp_prefix *p)
{
	for (size_t i = 0; i < sp->n_networks; i++)
		if (bgp_prefix_eq(&sp->networks[i], p))
			return -EEXIST;
	if (sp->n_networks == BGP_MAX_NETWORKS)
		return -ENOSPC;
	sp->networks[sp->n_networks++] = *p;
	for (unsigned i = 0; i < BGP_RIB_MAX_PEERS; i++)
		if (sp->nbrs[i])
			bgp_session_announce(sp->nbrs[i], p, false);
	return 0;
}

int bgp_speaker_network_remove(struct bgp_speaker *sp, const struct bgp_prefix *p)
{
	for (size_t i = 0; i < sp->n_networks; i++) {
		if (!bgp_prefix_eq(&sp->networks[i], p))
			continue;
		sp->networks[i] = sp->networks[--sp->n_networks];
		for (unsigned k = 0; k < BGP_RIB_MAX_PEERS; k++)
			if (sp->nbrs[k])
				bgp_session_announce(sp->nbrs[k], p, true);
		return 0;
	}
	return -ENOENT;
}

bool bgp_speaker_import(struct bgp_neighbor *n, const struct bgp_prefix *p, struct bgp_attrs *a)
{
	struct bgp_speaker *sp = n->sp;
	const struct bgp_neighbor_config *c = &n->cfg;
	int rc;

	n->ctr[BGP_C_PREFIX_ANNOUNCED_IN]++;
	if (c->max_prefixes && bgp_rib_received(sp->rib, n->slot) >= c->max_prefixes &&
	    !bgp_rib_has(sp->rib, n->slot, p)) {
		if (c->limit_action == BGP_LIMIT_KEEP_FIRST) {
			n->ctr[BGP_C_PREFIX_REFUSED_LIMIT]++;
			if (!n->limit_warned) {
				bgp_log(BGP_LOG_WARN,
					"neighbor %s: maximum of %u prefixes reached, refusing the "
					"rest",
					n->name, c->max_prefixes);
				n->limit_warned = true;
			}
			return true;
		}
		/* RFC 4486 4: Cease/1 with AFI, SAFI and the limit. */
		uint8_t d[7];
		struct bgp_err e;
		uint16_t afi = bgp_fam_afi((enum bgp_fam)p->fam);

		d[0] = (uint8_t)(afi >> 8);
		d[1] = (uint8_t)afi;
		d[2] = BGP_SAFI_UNICAST;
		d[3] = (uint8_t)(c->max_prefixes >> 24);
		d[4] = (uint8_t)(c->max_prefixes >> 16);
		d[5] = (uint8_t)(c->max_prefixes >> 8);
		d[6] = (uint8_t)c->max_prefixes;
		bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, d, sizeof(d));
		n->ctr[BGP_C_LIMIT_TEARDOWN]++;
		bgp_log(BGP_LOG_WARN, "neighbor %s: more than %u prefixes, session torn down%s",
			n->name, c->max_prefixes, c->limit_restart ? "" : " until reset");
		n->admin_down = true;
		bgp_session_event(n, BGP_EV_ADMIN_CEASE, &e);
		bgp_rib_flush(sp->rib, n->slot, -1);
		if (c->limit_restart) {
			struct timeval tv = {.tv_sec = c->limit_restart};

			evtimer_add(n->t_limit_restart, &tv);
		}
		return false;
	}
	if (!c->import_accept)
		n->ctr[BGP_C_PREFIX_REJECTED_POLICY]++;
	rc = bgp_rib_update(sp->rib, n->slot, p, a, c->import_accept);
	if (rc < 0) {
		struct bgp_err e;

		bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES, NULL, 0);
		bgp_session_event(n, BGP_EV_ADMIN_CEASE, &e);
		return false;
	}
	return true;
}
