/*
 * randid: see randid.h.  getrandom(2) never fails for small requests once the
 * pool is initialised; a failure is a broken invariant of the host.
 */
#include "lib/randid.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "lib/log.h"

static void randid_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0)
			fatal("getrandom failed");
		p += r;
		n -= (size_t)r;
	}
}

void randid_chars(char *buf, size_t n, int mixed_case)
{
	static const char lower[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	static const char mixed[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *set = mixed_case ? mixed : lower;
	unsigned setlen = mixed_case ? 62 : 36;
	size_t i = 0;
	while (i < n) {
		uint8_t raw[32];
		randid_bytes(raw, sizeof(raw));
		for (size_t j = 0; j < sizeof(raw) && i < n; j++) {
			/* Reject the top of the byte range so every character is equally likely. */
			if (raw[j] >= 256 - 256 % setlen)
				continue;
			buf[i++] = set[raw[j] % setlen];
		}
	}
	buf[n] = '\0';
}

char *randid_make(char *buf, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (pl + 2 + RANDID_BODY > RANDID_MAX)
		fatal("id prefix too long: %s", prefix);
	memcpy(buf, prefix, pl);
	buf[pl] = '-';
	randid_chars(buf + pl + 1, RANDID_BODY, 0);
	return buf;
}

char *randid_uuid(char buf[37])
{
	uint8_t b[16];
	randid_bytes(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(buf, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return buf;
}
