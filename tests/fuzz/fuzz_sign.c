/*
 * libFuzzer target for lib/sign.  The input is split at '\n' (and NUL) into
 * lines: the first is the HTTP method, each other line a "name=value" pair
 * (no '=': empty value).  The pairs are run through both canonical forms and
 * both signatures, and the outputs must keep their shape: only unreserved
 * bytes and uppercase %XX escapes that decode back to the input, one '&' per
 * pair, fixed-length signatures, and the same canonical query whatever the
 * input order when the names are distinct.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

#define MAX_PAIRS 128

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* lowercase is a defect too */
}

/* pe() output is well formed and decodes back to s. */
static void check_pe(const char *s)
{
	char *e = sign_pe(s);
	CHECK(e != NULL);
	size_t j = 0;
	for (size_t i = 0; e[i] != '\0'; i++, j++) {
		char c = e[i];
		if (c == '%') {
			int h = unhex(e[i + 1]), l = h < 0 ? -1 : unhex(e[i + 2]);
			CHECK(h >= 0 && l >= 0);
			c = (char)(h << 4 | l);
			i += 2;
		} else {
			CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
			      c == '~');
		}
		CHECK(s[j] == c);
	}
	CHECK(s[j] == '\0');
	free(e);
}

static bool all_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i < size; i++)
		if (buf[i] == '\0')
			buf[i] = '\n';

	struct sign_kv kv[MAX_PAIRS];
	size_t n = 0;
	char *line = buf, *next;
	const char *method = "GET";
	for (bool first = true; line != NULL && n < MAX_PAIRS; line = next, first = false) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (first) {
			method = line;
			continue;
		}
		char *eq = strchr(line, '=');
		if (eq)
			*eq++ = '\0';
		kv[n].k = line;
		kv[n].v = eq ? eq : "";
		n++;
	}

	check_pe(method);
	size_t kept = 0;
	bool distinct = true;
	for (size_t i = 0; i < n; i++) {
		check_pe(kv[i].k);
		check_pe(kv[i].v);
		kept += strcmp(kv[i].k, "Signature") != 0;
		for (size_t j = 0; j < i && distinct; j++)
			distinct = strcmp(kv[i].k, kv[j].k) != 0;
	}

	char *cq = sign_canonical_query(kv, n, "Signature");
	CHECK(cq != NULL);
	size_t amps = 0;
	for (const char *c = cq; *c; c++)
		amps += *c == '&';
	CHECK(amps == (kept ? kept - 1 : 0));
	if (distinct) {
		struct sign_kv rev[MAX_PAIRS];
		for (size_t i = 0; i < n; i++)
			rev[i] = kv[n - 1 - i];
		char *cq2 = sign_canonical_query(rev, n, "Signature");
		CHECK(cq2 != NULL && strcmp(cq, cq2) == 0);
		free(cq2);
	}

	char *sts = sign_v1_string_to_sign(method, kv, n);
	CHECK(sts != NULL);
	size_t ml = strlen(method);
	CHECK(strncmp(sts, method, ml) == 0 && strncmp(sts + ml, "&%2F&", 5) == 0);
	char *pcq = sign_pe(cq);
	CHECK(pcq != NULL && strcmp(sts + ml + 5, pcq) == 0);
	free(pcq);
	free(sts);
	free(cq);

	char *sig = sign_v1(method, kv, n, "testsecret");
	CHECK(sig != NULL && strlen(sig) == 28 && sig[27] == '=');
	free(sig);

	char *body = sign_sha256_hex(data, size);
	CHECK(body != NULL && all_hex(body, 64));
	char *creq = sign_v3_canonical_request(method, kv, n, kv, n, body);
	CHECK(creq != NULL);
	CHECK(strncmp(creq, method, ml) == 0 && strncmp(creq + ml, "\n/\n", 3) == 0);
	size_t cl = strlen(creq);
	CHECK(cl >= 64 && strcmp(creq + cl - 64, body) == 0);
	free(creq);
	char *v3 = sign_v3(method, kv, n, kv, n, body, "testsecret");
	CHECK(v3 != NULL && all_hex(v3, 64));
	free(v3);
	free(body);
	free(buf);
	return 0;
}
