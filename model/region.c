/*
 * region: see region.h.
 */
#include "model/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool region_classic_offered(struct model *m, const struct model_region *r)
{
	char key[MODEL_KEY_MAX], *val = NULL;
	snprintf(key, sizeof(key), "/sys/classic_offered/%s", r->id);
	if (store_get(m->txn, key, &val, NULL, NULL) < 0)
		return r->classic_offered;
	bool on = strcmp(val, "1") == 0;
	free(val);
	return on;
}

int region_set_classic_offered(struct model *m, const struct model_region *r, bool offered)
{
	char key[MODEL_KEY_MAX];
	snprintf(key, sizeof(key), "/sys/classic_offered/%s", r->id);
	int rc = store_put(m->txn, key, offered ? "1" : "0", 1, NULL);
	return rc < 0 ? merr_store(m, rc, key) : 0;
}
