/*
 * settle: see settle.h.  The hooks table names, for each kind whose changes
 * need more than a status update, the function that finishes them; areas
 * add their row here.
 */
#include "model/settle.h"

#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "model/eip.h"
#include "model/eni.h"
#include "model/instance.h"

struct settle_kind {
	const char *kind;
	settle_hook hook;
};

static settle_hook settle_find(const char *kind)
{
	/* Areas add a row { kind, hook } here; the hook is declared in the area's header. */
	static const struct settle_kind table[] = {
	    {"eip", settle_hook_eip},
	    {"i", settle_hook_instance},
	    {"eni", settle_hook_eni},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].kind, kind) == 0)
			return table[i].hook;
	return NULL;
}

void settle_begin(json_t *res, const char *transitional, const char *final)
{
	mj_set_str(res, "status", transitional);
	mj_set_str(res, "settle_to", final);
}

bool settle_pending(const json_t *res)
{
	return json_is_string(json_object_get(res, "settle_to"));
}

int model_settle(struct model *m, const char *key)
{
	char *val = NULL;
	size_t len;
	if (store_get(m->txn, key, &val, &len, NULL) < 0)
		return 0; /* gone already: nothing to settle */
	json_t *res = json_loadb(val, len, 0, NULL);
	free(val);
	if (!res)
		fatal("corrupt resource under %s", key);
	if (!settle_pending(res)) {
		json_decref(res);
		return 0;
	}
	char final[64];
	snprintf(final, sizeof(final), "%s", mj_str(res, "settle_to"));
	json_object_del(res, "settle_to");
	settle_hook hook = settle_find(mj_str(res, "kind"));
	int rc;
	if (hook) {
		rc = hook(m, res, final);
	} else if (strcmp(final, SETTLE_DELETED) == 0) {
		rc = m_del(m, res);
	} else {
		mj_set_str(res, "status", final);
		rc = m_put(m, res);
	}
	json_decref(res);
	return rc;
}
