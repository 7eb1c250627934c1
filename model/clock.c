/*
 * clock: see clock.h.
 */
#include "model/clock.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOCK_KEY "/sys/clock_offset"

int64_t model_clock_offset(struct store_txn *t)
{
	char *val = NULL;
	if (store_get(t, CLOCK_KEY, &val, NULL, NULL) < 0)
		return 0;
	int64_t off = strtoll(val, NULL, 10);
	free(val);
	return off;
}

int model_clock_set_offset(struct model *m, int64_t offset)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, offset);
	int rc = store_put(m->txn, CLOCK_KEY, buf, strlen(buf), NULL);
	return rc < 0 ? merr_store(m, rc, "clock") : 0;
}
