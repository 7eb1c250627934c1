/*
 * ctl.c: the control socket and its JSON answers (see ctl.h).  Read-only
 * views walk the speaker's structures directly (speaker-private.h); the few
 * commands that change something go through the speaker's public functions.
 */
#include "bgp/ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bgp/speaker-private.h"

struct bgp_ctl {
	struct bgp_speaker *sp;
	struct evconnlistener *lis;
	struct event *t_resume; /* re-enables the listener after an accept() error */
	struct bgp_ratelimit rl;
	char path[108];
};

/* How long the control socket stops accepting after accept() failed. */
#define BGP_CTL_PAUSE_MS 1000
/* A client has this long to send its command line, and to take each part of
 * the answer. */
#define BGP_CTL_READ_TIMEOUT_S 10
#define BGP_CTL_WRITE_TIMEOUT_S 30

static json_t *counters_json(const struct bgp_neighbor *n)
{
	static const char *const names[] = {
#define X(id, s) s,
	    BGP_NBR_COUNTERS(X)
#undef X
	};
	json_t *o = json_object();

	for (int i = 0; i < BGP_C_COUNT; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)n->ctr[i]));
	return o;
}

static json_t *err_json(const struct bgp_err *e)
{
	char hex[2 * BGP_ERR_DATA_MAX + 1];

	for (unsigned i = 0; i < e->data_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", e->data[i]);
	hex[2 * e->data_len] = 0;
	return json_pack("{s:i, s:i, s:s, s:s, s:s}", "code", e->code, "subcode", e->subcode,
			 "text", bgp_err_code_name(e->code), "subtext",
			 bgp_err_subcode_name(e->code, e->subcode), "data", hex);
}

static json_t *fams_json(const bool f[BGP_FAM_COUNT])
{
	json_t *a = json_array();

	for (int i = 0; i < BGP_FAM_COUNT; i++)
		if (f[i])
			json_array_append_new(a, json_string(bgp_fam_name((enum bgp_fam)i)));
	return a;
}

static json_t *neighbor_json(const struct bgp_neighbor *n)
{
	const struct bgp_neighbor_config *c = &n->cfg;
	struct bgp_speaker *sp = n->sp;
	json_t *o = json_object();
	int64_t now = bgp_now_ms();

	json_object_set_new(o, "address", json_string(n->name));
	json_object_set_new(o, "description", json_string(c->description));
	json_object_set_new(o, "remote-as", json_integer(c->remote_as));
	json_object_set_new(o, "local-as", json_integer(c->local_as ? c->local_as : sp->cfg.asn));
	json_object_set_new(o, "state", json_string(bgp_state_name(n->fsm.state)));
	json_object_set_new(o, "state-seconds", json_integer((now - n->state_since_ms) / 1000));
	json_object_set_new(o, "admin-down", json_boolean(n->admin_down));
	json_object_set_new(o, "connect-retry-counter", json_integer(n->fsm.connect_retry_counter));
	json_object_set_new(o, "flaps", json_integer(n->flaps));
	json_object_set_new(o, "md5", json_boolean(c->md5_key[0] != 0));
	json_object_set_new(o, "passive", json_boolean(c->passive));
	json_object_set_new(o, "import", json_string(c->import_accept ? "accept" : "none"));
	json_object_set_new(o, "export", json_string(c->export_networks ? "networks" : "none"));
	json_object_set_new(o, "max-prefixes", json_integer(c->max_prefixes));
	json_object_set_new(o, "max-output-queue", json_integer(c->max_output_queue));
	json_object_set_new(o, "output-queue-bytes",
			    json_integer(n->conn && !n->conn->closed
					     ? (json_int_t)evbuffer_get_length(n->conn->out)
					     : 0));
	json_object_set_new(
	    o, "max-prefixes-action",
	    json_string(c->limit_action == BGP_LIMIT_TEARDOWN ? "teardown" : "keep-first"));
	json_object_set_new(o, "received",
			    json_integer((json_int_t)bgp_rib_received(sp->rib, n->slot)));
	json_object_set_new(o, "accepted",
			    json_integer((json_int_t)bgp_rib_accepted(sp->rib, n->slot)));
	json_object_set_new(o, "advertised", json_integer((json_int_t)n->adv.count));
	if (n->fsm.state >= BGP_ST_OPENCONFIRM) {
		char id[INET_ADDRSTRLEN];
		uint32_t nid = htonl(n->peer_open.bgp_id);
		json_t *neg = json_object();

		inet_ntop(AF_INET, &nid, id, sizeof(id));
		json_object_set_new(o, "router-id", json_string(id));
		json_object_set_new(neg, "hold-time", json_integer(n->hold));
		json_object_set_new(neg, "keepalive", json_integer(n->keepalive));
		json_object_set_new(neg, "four-octet-as", json_boolean(n->ctx.as4));
		json_object_set_new(neg, "ebgp", json_boolean(n->ctx.ebgp));
		json_object_set_new(neg, "families", fams_json(n->fam_up));
		json_object_set_new(neg, "route-refresh", json_boolean(n->rr));
		json_object_set_new(neg, "enhanced-route-refresh", json_boolean(n->err));
		json_object_set_new(neg, "peer-graceful-restart", json_boolean(n->peer_open.gr));
		json_object_set_new(neg, "peer-restart-time", json_integer(n->peer_open.gr_time));
		json_object_set_new(o, "negotiated", neg);
	}
	json_object_set_new(o, "gr-stale-waiting",
			    json_boolean(n->gr_waiting[0] || n->gr_waiting[1]));
	if (n->has_err_sent)
		json_object_set_new(o, "last-notification-sent", err_json(&n->err_sent));
	if (n->has_err_recv)
		json_object_set_new(o, "last-notification-received", err_json(&n->err_recv));
	json_object_set_new(o, "counters", counters_json(n));
	return o;
}

static const char *origin_name(uint8_t o)
{
	return o == BGP_ORIGIN_IGP ? "igp" : o == BGP_ORIGIN_EGP ? "egp" : "incomplete";
}

static json_t *path_json(const struct bgp_speaker *sp, const struct bgp_prefix *p,
			 const struct bgp_path *path)
{
	const struct bgp_attrs *a = path->attrs;
	char buf[128];
	char *text = malloc(BGP_ASPATH_TEXT_SIZE(a->aspath_len)); /* the whole AS path */
	json_t *o = json_object(), *flags = json_array();

	json_object_set_new(o, "prefix", json_string(bgp_prefix_format(p, buf, sizeof(buf))));
	json_object_set_new(o, "neighbor",
			    json_string(sp->nbrs[path->peer] ? sp->nbrs[path->peer]->name : "?"));
	inet_ntop(a->nh_len == 4 ? AF_INET : AF_INET6, bgp_attrs_nh(a), buf, sizeof(buf));
	json_object_set_new(o, "next-hop", json_string(buf));
	if (a->nh_len == 32) {
		inet_ntop(AF_INET6, bgp_attrs_nh(a) + 16, buf, sizeof(buf));
		json_object_set_new(o, "next-hop-link-local", json_string(buf));
	}
	if (text)
		json_object_set_new(
		    o, "as-path",
		    json_string(bgp_aspath_format(bgp_attrs_aspath(a), a->aspath_len, text,
						  BGP_ASPATH_TEXT_SIZE(a->aspath_len))));
	else
		json_object_set_new(o, "as-path", json_null()); /* out of memory */
	free(text);
	json_object_set_new(o, "origin", json_string(origin_name(a->origin)));
	if (a->flags & BGP_ATTRS_MED)
		json_object_set_new(o, "med", json_integer(a->med));
	json_object_set_new(o, "local-pref", json_integer(a->local_pref));
	if (a->comm_len) {
		json_t *c = json_array();
		const uint8_t *d = bgp_attrs_comm(a);

		for (unsigned i = 0; i + 4 <= a->comm_len; i += 4) {
			snprintf(buf, sizeof(buf), "%u:%u", d[i] << 8 | d[i + 1],
				 d[i + 2] << 8 | d[i + 3]);
			json_array_append_new(c, json_string(buf));
		}
		json_object_set_new(o, "communities", c);
	}
	if (a->lcomm_len) {
		json_t *c = json_array();
		struct bgp_cur cur;
		uint32_t x, y, z;

		bgp_cur_init(&cur, bgp_attrs_lcomm(a), a->lcomm_len);
		while (bgp_cur_u32(&cur, &x) && bgp_cur_u32(&cur, &y) && bgp_cur_u32(&cur, &z)) {
			snprintf(buf, sizeof(buf), "%u:%u:%u", x, y, z);
			json_array_append_new(c, json_string(buf));
		}
		json_object_set_new(o, "large-communities", c);
	}
	if (a->flags & BGP_ATTRS_ATOMIC_AGGR)
		json_object_set_new(o, "atomic-aggregate", json_true());
	if (a->flags & BGP_ATTRS_AGGREGATOR) {
		char id[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, a->aggr_id, id, sizeof(id));
		snprintf(buf, sizeof(buf), "%u %s", a->aggr_as, id);
		json_object_set_new(o, "aggregator", json_string(buf));
	}
	if (a->other_len)
		json_object_set_new(o, "unknown-attributes-bytes", json_integer(a->other_len));
	if (path->flags & BGP_PATH_ACCEPTED)
		json_array_append_new(flags, json_string("accepted"));
	if (path->flags & BGP_PATH_BEST)
		json_array_append_new(flags, json_string("best"));
	if (path->flags & BGP_PATH_MULTIPATH)
		json_array_append_new(flags, json_string("multipath"));
	if (path->flags & BGP_PATH_STALE)
		json_array_append_new(flags, json_string("stale"));
	json_object_set_new(o, "flags", flags);
	return o;
}

struct walk_ctx {
	const struct bgp_speaker *sp;
	json_t *out;
	int peer;  /* -1: all */
	int which; /* 0 best, 1 received, 2 accepted */
};

static bool walk_cb(void *ctx, const struct bgp_prefix *p, const struct bgp_path *paths, size_t n)
{
	struct walk_ctx *w = ctx;

	for (size_t i = 0; i < n; i++) {
		if (w->peer >= 0 && paths[i].peer != w->peer)
			continue;
		if (w->which == 0 && !(paths[i].flags & BGP_PATH_BEST))
			continue;
		if (w->which == 2 && !(paths[i].flags & BGP_PATH_ACCEPTED))
			continue;
		json_array_append_new(w->out, path_json(w->sp, p, &paths[i]));
	}
	return true;
}

static struct bgp_neighbor *find_text(struct bgp_speaker *sp, const char *s)
{
	uint8_t a[16] = {0};

	if (inet_pton(AF_INET, s, a) == 1)
		return bgp_speaker_find(sp, BGP_FAM_V4, a);
	if (inet_pton(AF_INET6, s, a) == 1)
		return bgp_speaker_find(sp, BGP_FAM_V6, a);
	return NULL;
}

static json_t *error(const char *msg)
{
	return json_pack("{s:s}", "error", msg);
}

static json_t *cmd_routes(struct bgp_speaker *sp, char **argv, int argc)
{
	struct walk_ctx w = {.sp = sp, .peer = -1, .which = 0};
	int i = 1;

	if (i < argc && !strcmp(argv[i], "best"))
		i++;
	else if (i < argc && !strcmp(argv[i], "received"))
		w.which = 1, i++;
	else if (i < argc && !strcmp(argv[i], "accepted"))
		w.which = 2, i++;
	else if (i < argc && !strcmp(argv[i], "advertised"))
		w.which = 3, i++;
	if (i < argc) {
		struct bgp_neighbor *n = find_text(sp, argv[i]);

		if (!n)
			return error("no such neighbor");
		w.peer = n->slot;
	}
	w.out = json_array();
	if (w.which == 3) {
		char buf[64];

		for (unsigned k = 0; k < BGP_RIB_MAX_PEERS; k++) {
			struct bgp_neighbor *n = sp->nbrs[k];

			if (!n || (w.peer >= 0 && w.peer != (int)k))
				continue;
			for (size_t j = 0; j < n->adv.cap; j++) {
				const struct bgp_prefix *p = bgp_adjout_at(&n->adv, j);

				if (p)
					json_array_append_new(
					    w.out, json_pack("{s:s, s:s}", "prefix",
							     bgp_prefix_format(p, buf, sizeof(buf)),
							     "neighbor", n->name));
			}
		}
		return w.out;
	}
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		bgp_rib_walk(sp->rib, (enum bgp_fam)f, walk_cb, &w);
	return w.out;
}

static json_t *cmd_summary(struct bgp_speaker *sp)
{
	json_t *o = json_object();
	json_t *nb = json_array();
	char id[INET_ADDRSTRLEN];
	uint32_t nid = htonl(sp->cfg.router_id);

	inet_ntop(AF_INET, &nid, id, sizeof(id));
	json_object_set_new(o, "asn", json_integer(sp->cfg.asn));
	json_object_set_new(o, "router-id", json_string(id));
	json_object_set_new(o, "uptime-seconds",
			    json_integer((bgp_now_ms() - sp->started_ms) / 1000));
	json_object_set_new(o, "neighbors-configured", json_integer(sp->n_nbrs));
	json_object_set_new(o, "max-neighbors", json_integer(sp->cfg.max_neighbors));
	json_object_set_new(o, "ipv4-prefixes",
			    json_integer((json_int_t)bgp_rib_prefix_count(sp->rib, BGP_FAM_V4)));
	json_object_set_new(o, "ipv6-prefixes",
			    json_integer((json_int_t)bgp_rib_prefix_count(sp->rib, BGP_FAM_V6)));
	json_object_set_new(o, "ipv4-best",
			    json_integer((json_int_t)bgp_rib_best_count(sp->rib, BGP_FAM_V4)));
	json_object_set_new(o, "ipv6-best",
			    json_integer((json_int_t)bgp_rib_best_count(sp->rib, BGP_FAM_V6)));
	json_object_set_new(o, "best-changes", json_integer((json_int_t)sp->best_changes));
	json_object_set_new(o, "attribute-sets",
			    json_integer((json_int_t)bgp_attr_table_count(sp->attrs)));
	json_object_set_new(o, "attribute-bytes",
			    json_integer((json_int_t)bgp_attr_table_bytes(sp->attrs)));
	json_object_set_new(o, "rib-bytes", json_integer((json_int_t)bgp_rib_bytes(sp->rib)));
	json_object_set_new(o, "accept-pauses", json_integer((json_int_t)sp->accept_pauses));
	json_object_set_new(o, "lingering-sockets", json_integer((json_int_t)sp->n_lingers));
	for (unsigned k = 0; k < BGP_RIB_MAX_PEERS; k++) {
		struct bgp_neighbor *n = sp->nbrs[k];

		if (!n)
			continue;
		json_array_append_new(
		    nb, json_pack("{s:s, s:s, s:I, s:I}", "address", n->name, "state",
				  bgp_state_name(n->fsm.state), "received",
				  (json_int_t)bgp_rib_received(sp->rib, n->slot), "accepted",
				  (json_int_t)bgp_rib_accepted(sp->rib, n->slot)));
	}
	json_object_set_new(o, "neighbors", nb);
	return o;
}

static json_t *run(struct bgp_speaker *sp, char **argv, int argc)
{
	if (argc == 0)
		return error("empty command");
	if (!strcmp(argv[0], "summary"))
		return cmd_summary(sp);
	if (!strcmp(argv[0], "neighbors")) {
		json_t *a = json_array();

		for (unsigned k = 0; k < BGP_RIB_MAX_PEERS; k++)
			if (sp->nbrs[k] && (argc < 2 || find_text(sp, argv[1]) == sp->nbrs[k]))
				json_array_append_new(a, neighbor_json(sp->nbrs[k]));
		return a;
	}
	if (!strcmp(argv[0], "routes"))
		return cmd_routes(sp, argv, argc);
	if (!strcmp(argv[0], "networks")) {
		json_t *a = json_array();
		char buf[64];

		for (size_t i = 0; i < sp->n_networks; i++)
			json_array_append_new(
			    a, json_string(bgp_prefix_format(&sp->networks[i], buf, sizeof(buf))));
		return a;
	}
	if (!strcmp(argv[0], "network") && argc == 3) {
		struct bgp_prefix p;
		int rc;

		if (!bgp_prefix_parse(argv[2], &p))
			return error("bad prefix");
		if (!strcmp(argv[1], "add"))
			rc = bgp_speaker_network_add(sp, &p);
		else if (!strcmp(argv[1], "del"))
			rc = bgp_speaker_network_remove(sp, &p);
		else
			return error("network add|del PREFIX");
		return rc ? error(strerror(-rc)) : json_pack("{s:b}", "ok", 1);
	}
	if ((!strcmp(argv[0], "refresh") || !strcmp(argv[0], "reset")) && argc == 2) {
		struct bgp_neighbor *n = find_text(sp, argv[1]);
		int rc;

		if (!n)
			return error("no such neighbor");
		if (!strcmp(argv[0], "refresh"))
			rc = bgp_speaker_neighbor_refresh(sp, n->cfg.addr_fam, n->cfg.addr);
		else
			rc = bgp_speaker_neighbor_reset(sp, n->cfg.addr_fam, n->cfg.addr);
		return rc ? error(strerror(-rc)) : json_pack("{s:b}", "ok", 1);
	}
	return error("unknown command");
}

char *bgp_ctl_command(struct bgp_speaker *sp, const char *line)
{
	char buf[512], *argv[8], *save = NULL, *tok;
	int argc = 0;
	json_t *j;
	char *out;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " \t\r\n", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = tok;
	j = run(sp, argv, argc);
	out = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return out;
}

static void client_write_done(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		bufferevent_free(bev);
}

static void client_read(struct bufferevent *bev, void *arg)
{
	struct bgp_ctl *ctl = arg;
	size_t len;
	char *line = evbuffer_readln(bufferevent_get_input(bev), &len, EVBUFFER_EOL_LF);
	char *reply;

	if (!line) {
		if (evbuffer_get_length(bufferevent_get_input(bev)) > 4096)
			bufferevent_free(bev);
		return;
	}
	reply = bgp_ctl_command(ctl->sp, line);
	free(line);
	bufferevent_disable(bev, EV_READ);
	if (reply) {
		bufferevent_write(bev, reply, strlen(reply));
		free(reply);
	}
	bufferevent_write(bev, "\n", 1);
	bufferevent_setcb(bev, NULL, client_write_done, client_event, ctl);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int sl,
		      void *arg)
{
	struct bgp_ctl *ctl = arg;
	struct bufferevent *bev =
	    bufferevent_socket_new(evconnlistener_get_base(lis), fd, BEV_OPT_CLOSE_ON_FREE);

	if (!bev) {
		close(fd);
		return;
	}
	/* A client that sends no command, or does not read its answer, is
	 * dropped: otherwise each idle connection holds a descriptor forever. */
	struct timeval rd = {BGP_CTL_READ_TIMEOUT_S, 0}, wr = {BGP_CTL_WRITE_TIMEOUT_S, 0};

	bufferevent_set_timeouts(bev, &rd, &wr);
	bufferevent_setcb(bev, client_read, NULL, client_event, ctl);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_ctl *ctl = arg;

	evconnlistener_enable(ctl->lis);
}

/* accept() failed (out of descriptors, most likely): libevent would retry
 * at once, forever, at full CPU; pause the listener instead (as the BGP
 * listeners do, speaker.c) and rate-limit the line. */
static void on_accept_error(struct evconnlistener *lis, void *arg)
{
	struct bgp_ctl *ctl = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = {BGP_CTL_PAUSE_MS / 1000, (BGP_CTL_PAUSE_MS % 1000) * 1000};

	if (err == EINTR || err == EAGAIN || err == ECONNABORTED)
		return;
	if (bgp_ratelimit_ok(&ctl->rl))
		bgp_log(BGP_LOG_ERR, "control socket: accept: %s; paused for %d ms", strerror(err),
			BGP_CTL_PAUSE_MS);
	evconnlistener_disable(lis);
	evtimer_add(ctl->t_resume, &tv);
}

struct bgp_ctl *bgp_ctl_create(struct event_base *base, struct bgp_speaker *sp, const char *path)
{
	struct bgp_ctl *ctl = calloc(1, sizeof(*ctl));
	struct sockaddr_un sun;
	size_t plen;

	if (!ctl || !path)
		goto fail;
	plen = strlen(path);
	if (plen >= sizeof(sun.sun_path) || plen >= sizeof(ctl->path))
		goto fail;
	ctl->sp = sp;
	memcpy(ctl->path, path, plen + 1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen + 1);
	unlink(path);
	ctl->lis = evconnlistener_new_bind(base, on_accept, ctl,
					   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
					   (struct sockaddr *)&sun, sizeof(sun));
	if (!ctl->lis)
		goto fail;
	ctl->t_resume = evtimer_new(base, on_resume, ctl);
	if (!ctl->t_resume)
		goto fail_timer;
	evconnlistener_set_error_cb(ctl->lis, on_accept_error);
	return ctl;
fail_timer:
	evconnlistener_free(ctl->lis);
	unlink(path);
fail:
	free(ctl);
	return NULL;
}

void bgp_ctl_destroy(struct bgp_ctl *ctl)
{
	if (!ctl)
		return;
	event_free(ctl->t_resume);
	evconnlistener_free(ctl->lis);
	unlink(ctl->path);
	free(ctl);
}
