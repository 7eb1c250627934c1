/*
 * pubip: see pubip.h.  The pool's network and broadcast addresses are never
 * handed out.
 */
#include "model/pubip.h"

#include <stdio.h>

#include "model/rdns.h"

static void pubip_scope(const char *region, char *buf)
{
	snprintf(buf, MODEL_SCOPE_MAX, "public/%s", region);
}

int pubip_alloc(struct model *m, uint64_t owner, const char *holder_id, char *out)
{
	char scope[MODEL_SCOPE_MAX];
	struct netaddr first, last, got;
	const struct netprefix *pool = &m->region->public_pool;
	first = netprefix_first(pool);
	last = netprefix_last(pool);
	netaddr_add(&first, 1, &first);
	netaddr_add(&last, -1, &last);
	pubip_scope(m->region->id, scope);
	if (m_claim_free(m, scope, &first, &last, owner, holder_id, MERR_INSUFFICIENT_PUBLIC_IP,
			 &got) < 0)
		return -1;
	netaddr_format(&got, out);
	return 0;
}

int pubip_rehold(struct model *m, const char *region, const char *ip, uint64_t owner,
		 const char *holder_id)
{
	char scope[MODEL_SCOPE_MAX];
	struct netaddr a;
	if (!netaddr_parse4(ip, &a))
		return merrf(m, MERR_INTERNAL, "stored public IP %s is malformed", ip);
	pubip_scope(region, scope);
	if (m_unclaim(m, scope, &a) < 0)
		return -1;
	return m_claim(m, scope, &a, owner, holder_id, MERR_OPERATION_CONFLICT);
}

int pubip_release(struct model *m, const char *region, const char *ip)
{
	char scope[MODEL_SCOPE_MAX];
	struct netaddr a;
	if (!ip || !*ip)
		return 0;
	if (!netaddr_parse4(ip, &a))
		return merrf(m, MERR_INTERNAL, "stored public IP %s is malformed", ip);
	pubip_scope(region, scope);
	if (m_unclaim(m, scope, &a) < 0)
		return -1;
	return rdns_forget(m, region, &a);
}
