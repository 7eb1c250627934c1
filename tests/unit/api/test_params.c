/*
 * Unit tests of api/params: form decoding and its refusals (SPEC G-5: bad
 * input gets a clear error and changes nothing), merging query and body
 * (shared/reference/alibaba-api.md 2.1), and the getters for the SDKs'
 * flattening conventions (2.3): Name.N lists, Name.N.Field objects, JSON
 * array strings and comma lists.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/params.h"

static struct params P;

static void setup(void)
{
	params_init(&P);
}

static void teardown(void)
{
	params_fini(&P);
}

TestSuite(params, .init = setup, .fini = teardown);

static bool add(const char *s)
{
	return params_add_urlencoded(&P, s, strlen(s));
}

/* ---- decoding ---------------------------------------------------------- */

Test(params, decode_form_rules)
{
	cr_assert(add("a=1&b=x+y&c=%41%2b%7e%2F&d=%c3%A9&e+f=%20"));
	cr_assert_eq(P.n, 5);
	cr_expect_str_eq(params_get(&P, "a"), "1");
	cr_expect_str_eq(params_get(&P, "b"), "x y");
	cr_expect_str_eq(params_get(&P, "c"), "A+~/");
	cr_expect_str_eq(params_get(&P, "d"), "\xc3\xa9");
	cr_expect_str_eq(params_get(&P, "e f"), " ");
	cr_expect_null(params_get(&P, "x"));
	/* arrival order is kept */
	cr_expect_str_eq(P.kv[0].k, "a");
	cr_expect_str_eq(P.kv[4].k, "e f");
}

Test(params, decode_pair_shapes)
{
	cr_assert(add("flag&empty=&a=b=c&&&x=1&"));
	cr_assert_eq(P.n, 4);
	cr_expect_str_eq(params_get(&P, "flag"), "");
	cr_expect_str_eq(params_get(&P, "empty"), "");
	cr_expect_str_eq(params_get(&P, "a"), "b=c");
	cr_expect_str_eq(params_get(&P, "x"), "1");
	cr_assert(add(""));
	cr_assert(add("&&"));
	cr_expect_eq(P.n, 4);
}

Test(params, decode_refuses_malformed_and_appends_nothing)
{
	static const char *bad[] = {
	    "a=%G1", "a=%4", "a=%", "a=%%41", "a=1&b=%zz", "%4=1",  "a=%00",
	    "%00=1", "=v",   "=",   "a=1&=2", "a=%0G",	   "a=%-1",
	};
	cr_assert(add("keep=1"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect(!add(bad[i]), "accepted \"%s\"", bad[i]);
		cr_expect_eq(P.n, 1, "\"%s\" appended", bad[i]);
	}
	/* A raw NUL byte inside the buffer. */
	cr_expect(!params_add_urlencoded(&P, "a=1\0b&c=2", 9));
	cr_expect(!params_add_urlencoded(&P, "a\0=1", 4));
	cr_expect_eq(P.n, 1);
	/* `len` bounds the read: the bytes after it are not part of the input. */
	cr_expect(params_add_urlencoded(&P, "b=22&c=%G1", 4));
	cr_expect_str_eq(params_get(&P, "b"), "22");
	cr_expect(!params_add_urlencoded(&P, "c=%41", 4)); /* "c=%4" */
	cr_expect_eq(P.n, 2);
}

static char *repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit);
	char *s = malloc(ul * n + 1);
	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * n] = '\0';
	return s;
}

static bool add_pair(const char *k, const char *v)
{
	size_t len = strlen(k) + strlen(v) + 2;
	char *s = malloc(len);
	cr_assert_not_null(s);
	snprintf(s, len, "%s=%s", k, v);
	bool ok = add(s);
	free(s);
	return ok;
}

Test(params, decode_limits)
{
	/* Limits apply to decoded sizes: %41 is one byte. */
	char *name_ok = repeat("%41", PARAMS_MAX_NAME);
	char *name_long = repeat("%41", PARAMS_MAX_NAME + 1);
	char *val_ok = repeat("v", PARAMS_MAX_VALUE);
	char *val_long = repeat("+", PARAMS_MAX_VALUE + 1);
	cr_expect(add_pair(name_ok, "1"));
	cr_expect(!add_pair(name_long, "1"));
	cr_expect(add_pair("v", val_ok));
	cr_expect(!add_pair("w", val_long));
	cr_expect_eq(P.n, 2);
	cr_expect_eq(strlen(params_get(&P, "v")), PARAMS_MAX_VALUE);
	free(name_ok);
	free(name_long);
	free(val_ok);
	free(val_long);
}

Test(params, count_limit_spans_sources)
{
	char *s = repeat("a=1&", PARAMS_MAX_COUNT - 10);
	cr_assert(add(s));
	free(s);
	cr_assert_eq(P.n, PARAMS_MAX_COUNT - 10);
	/* 11 more is one too many: refused whole */
	s = repeat("b=2&", 11);
	cr_expect(!add(s));
	cr_expect_eq(P.n, PARAMS_MAX_COUNT - 10);
	free(s);
	s = repeat("b=2&", 10);
	cr_expect(add(s));
	free(s);
	cr_expect_eq(P.n, PARAMS_MAX_COUNT);
	cr_expect(!params_add(&P, "c", "3"));
	/* empty segments do not count */
	cr_expect(add("&&&"));
	cr_expect_eq(P.n, PARAMS_MAX_COUNT);
}

Test(params, add_copies_and_checks)
{
	char k[] = "Name", v[] = "value";
	cr_assert(params_add(&P, k, v));
	k[0] = 'X';
	v[0] = 'X';
	cr_expect_str_eq(params_get(&P, "Name"), "value");
	cr_expect(!params_add(&P, "", "x"));
	char big[PARAMS_MAX_NAME + 2];
	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_expect(!params_add(&P, big, "x"));
	big[PARAMS_MAX_NAME] = '\0';
	cr_expect(params_add(&P, big, "x"));
	cr_expect_eq(P.n, 2);
}

/* ---- merging sources ----------------------------------------------------- */

Test(params, merge_query_and_body)
{
	/* Older SDKs: common params and Signature in the query, API params in
	 * the body (reference 2.6). */
	cr_assert(add("Action=CreateVpc&Signature=abc%2B%3D"));
	cr_assert(add("CidrBlock=10.0.0.0%2F8&VpcName=v1"));
	cr_expect_eq(P.n, 4);
	cr_expect_str_eq(params_get(&P, "Signature"), "abc+=");
	cr_expect_str_eq(params_get(&P, "CidrBlock"), "10.0.0.0/8");
	const char *dup = "unchanged";
	cr_expect(!params_has_duplicate(&P, &dup));
	cr_expect_str_eq(dup, "unchanged");

	/* The same name in both sources: first wins in get, and is reported. */
	cr_assert(add("Zeta=1&VpcName=v2&Action=x"));
	cr_expect_str_eq(params_get(&P, "VpcName"), "v1");
	cr_expect(params_has_duplicate(&P, &dup));
	cr_expect_str_eq(dup, "Action"); /* first arrived of the repeated names */
	cr_expect(params_has_duplicate(&P, NULL));
}

Test(params, captured_popcore_query_signs)
{
	/* Reference 3.2: decode the wire query, then the V1 text must be the
	 * one the server computed when the SDK's signature matched. */
	const char *q =
	    "AccessKeyId=testak&Action=CreateVpc&CidrBlock=10.0.0.0%2F8"
	    "&Description=a%20b%2Ac%21%27%28%29~%C3%A9&Format=JSON&RegionId=cn-hangzhou"
	    "&SignatureMethod=HMAC-SHA1&SignatureNonce=0e50a183d6140be893a39e1beba04be1"
	    "&SignatureVersion=1.0&Timestamp=2026-11-21T14%3A33%3A14Z&Version=2016-04-28"
	    "&VpcName=v1&Signature=S4GSb%2BY85kvW1wnrlNQn8lYmTso%3D";
	cr_assert(add(q));
	cr_expect_str_eq(params_get(&P, "Description"), "a b*c!'()~\xc3\xa9");
	char *sig = sign_v1("GET", P.kv, P.n, "testsecret");
	cr_assert_not_null(sig);
	cr_expect_str_eq(sig, params_get(&P, "Signature"));
	free(sig);
}

/* ---- scalars ------------------------------------------------------------- */

Test(params, int64_values)
{
	cr_assert(add("a=42&b=-7&c=9223372036854775807&d=-9223372036854775808&e=0&f=-0&g=007"));
	int64_t v = 99;
	cr_expect_eq(params_int64(&P, "a", &v), 1);
	cr_expect_eq(v, 42);
	cr_expect_eq(params_int64(&P, "b", &v), 1);
	cr_expect_eq(v, -7);
	cr_expect_eq(params_int64(&P, "c", &v), 1);
	cr_expect_eq(v, INT64_MAX);
	cr_expect_eq(params_int64(&P, "d", &v), 1);
	cr_expect_eq(v, INT64_MIN);
	cr_expect_eq(params_int64(&P, "e", &v), 1);
	cr_expect_eq(v, 0);
	cr_expect_eq(params_int64(&P, "f", &v), 1);
	cr_expect_eq(v, 0);
	cr_expect_eq(params_int64(&P, "g", &v), 1);
	cr_expect_eq(v, 7);
	v = 99;
	cr_expect_eq(params_int64(&P, "absent", &v), 0);
	cr_expect_eq(v, 99);
}

Test(params, int64_malformed)
{
	cr_assert(add("a=9223372036854775808&b=-9223372036854775809&c=&d=-&e=1.5&f=+1g"
		      "&g=+1&h=%201&i=1%20&j=0x10&k=99999999999999999999&l=--1"));
	static const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int64_t v = 99;
		cr_expect_eq(params_int64(&P, names[i], &v), -1, "%s=\"%s\"", names[i],
			     params_get(&P, names[i]));
		cr_expect_eq(v, 99);
	}
}

Test(params, bool_values)
{
	cr_assert(add("a=true&b=FALSE&c=True&d=1&e=yes&f=&g=truex"));
	bool v = false;
	cr_expect_eq(params_bool(&P, "a", &v), 1);
	cr_expect(v);
	cr_expect_eq(params_bool(&P, "b", &v), 1);
	cr_expect(!v);
	cr_expect_eq(params_bool(&P, "c", &v), 1);
	cr_expect(v);
	cr_expect_eq(params_bool(&P, "d", &v), -1);
	cr_expect_eq(params_bool(&P, "e", &v), -1);
	cr_expect_eq(params_bool(&P, "f", &v), -1);
	cr_expect_eq(params_bool(&P, "g", &v), -1);
	cr_expect_eq(params_bool(&P, "h", &v), 0);
	cr_expect(v); /* unchanged since "c" */
}

/* ---- Name.N lists -------------------------------------------------------- */

Test(params, list_ordered_with_gaps)
{
	cr_assert(add("X.3=c&Other=o&X.1=a&X.10=j&X.1000=m&XY.1=no&X=scalar"));
	const char **v;
	size_t n;
	cr_assert(params_list(&P, "X", &v, &n));
	cr_assert_eq(n, 4);
	cr_expect_str_eq(v[0], "a");
	cr_expect_str_eq(v[1], "c");
	cr_expect_str_eq(v[2], "j");
	cr_expect_str_eq(v[3], "m");
	cr_expect_eq(params_max_index(&P, "X"), 1000);
	free(v);

	cr_assert(params_list(&P, "Absent", &v, &n));
	cr_expect_null(v);
	cr_expect_eq(n, 0);
	cr_expect_eq(params_max_index(&P, "Absent"), 0);
}

Test(params, list_bad_indexes)
{
	static const char *bad[] = {
	    "X.0=a",	   "X.01=a",  "X.1001=a",    "X.99999999999=a", "X.a=a",
	    "X.1a=a",	   "X.=a",    "X.-1=a",	     "X.+1=a",		"X.%201=a",
	    "X.1%20=a",	   "X.1.Y=a", "X.1=a&X.1=b", /* index given twice */
	    "X.1=a&X.2=a",			     /* value repeated */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		params_fini(&P);
		params_init(&P);
		cr_assert(add(bad[i]), "decode \"%s\"", bad[i]);
		cr_assert(add("X.2=ok"));
		const char **v = (const char **)&v;
		size_t n = 7;
		cr_expect(!params_list(&P, "X", &v, &n), "accepted \"%s\"", bad[i]);
		cr_expect_null(v);
		cr_expect_eq(n, 0);
	}
}

Test(params, nested_list_names)
{
	cr_assert(add("NetworkInterface.1.SecurityGroupIds.2=sg-b"
		      "&NetworkInterface.1.SecurityGroupIds.1=sg-a"
		      "&NetworkInterface.2.SecurityGroupIds.1=sg-c"));
	const char **v;
	size_t n;
	cr_assert(params_list(&P, "NetworkInterface.1.SecurityGroupIds", &v, &n));
	cr_assert_eq(n, 2);
	cr_expect_str_eq(v[0], "sg-a");
	cr_expect_str_eq(v[1], "sg-b");
	free(v);
	/* the outer family is objects, not a list */
	cr_expect(!params_list(&P, "NetworkInterface", &v, &n));
	cr_expect_eq(params_max_index(&P, "NetworkInterface"), 2);
}

/* ---- Name.N.Field objects ------------------------------------------------ */

struct seen {
	int calls;
	int stop_after; /* 0: never */
	char log[512];
};

static bool record(void *arg, unsigned idx, const char *field, const char *value)
{
	struct seen *s = arg;
	s->calls++;
	char item[96];
	snprintf(item, sizeof(item), "%u:%s=%s;", idx, field, value);
	strncat(s->log, item, sizeof(s->log) - strlen(s->log) - 1);
	return s->stop_after == 0 || s->calls < s->stop_after;
}

Test(params, objects_ordered)
{
	cr_assert(add("Tag.2.Key=k2&Tag.1.Key=k1&Tag.5.Value=v5&Tag.2.Value=v2&Tag.1.Value=v1"
		      "&Tag.5.Key=k5&Tags.1.Key=other&Tag=scalar"
		      "&Permissions.1.SourceCidrIp=0.0.0.0%2F0"));
	struct seen s = {0};
	cr_assert(params_objects(&P, "Tag", record, &s));
	cr_expect_str_eq(s.log, "1:Key=k1;1:Value=v1;2:Key=k2;2:Value=v2;5:Value=v5;5:Key=k5;");
	cr_expect_eq(params_max_index(&P, "Tag"), 5);

	struct seen none = {0};
	cr_expect(params_objects(&P, "Absent", record, &none));
	cr_expect_eq(none.calls, 0);

	/* nested fields keep their dots */
	params_fini(&P);
	params_init(&P);
	cr_assert(add("NetworkInterface.1.SecurityGroupIds.1=sg-a&NetworkInterface.1.VSwitchId=v"));
	struct seen n = {0};
	cr_assert(params_objects(&P, "NetworkInterface", record, &n));
	cr_expect_str_eq(n.log, "1:SecurityGroupIds.1=sg-a;1:VSwitchId=v;");
}

Test(params, objects_refused_before_any_callback)
{
	static const char *bad[] = {"Tag.0.Key=k", "Tag.01.Key=k", "Tag.1001.Key=k",
				    "Tag.x.Key=k", "Tag.1=k",	   "Tag.1.=k",
				    "Tag..Key=k",  "Tag.1x.Key=k"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		params_fini(&P);
		params_init(&P);
		cr_assert(add("Tag.1.Key=good"));
		cr_assert(add(bad[i]));
		struct seen s = {0};
		cr_expect(!params_objects(&P, "Tag", record, &s), "accepted \"%s\"", bad[i]);
		cr_expect_eq(s.calls, 0, "\"%s\": callback ran", bad[i]);
	}
}

Test(params, objects_callback_stops)
{
	cr_assert(add("Tag.1.Key=a&Tag.2.Key=b&Tag.3.Key=c"));
	struct seen s = {.stop_after = 2};
	cr_expect(!params_objects(&P, "Tag", record, &s));
	cr_expect_eq(s.calls, 2);
}

Test(params, max_index_ignores_malformed)
{
	cr_assert(add("X.0=a&X.01=b&X.5000=c&X.7.F=d&X.3=e&X.x=f"));
	cr_expect_eq(params_max_index(&P, "X"), 7);
}

/* ---- JSON and comma lists ------------------------------------------------ */

Test(params, json_list)
{
	cr_assert(add("InstanceIds=%5B%22i-1%22%2C+%22i-2%22%5D&E=%5B%5D&U=%5B%22%5Cu00e9%22%5D"));
	char **v;
	size_t n;
	cr_assert(params_json_list(&P, "InstanceIds", &v, &n));
	cr_assert_eq(n, 2);
	cr_expect_str_eq(v[0], "i-1");
	cr_expect_str_eq(v[1], "i-2");
	params_free_strv(v, n);

	cr_assert(params_json_list(&P, "E", &v, &n));
	cr_expect_eq(n, 0);
	params_free_strv(v, n);

	cr_assert(params_json_list(&P, "U", &v, &n));
	cr_assert_eq(n, 1);
	cr_expect_str_eq(v[0], "\xc3\xa9");
	params_free_strv(v, n);

	cr_assert(params_json_list(&P, "Absent", &v, &n));
	cr_expect_null(v);
	cr_expect_eq(n, 0);
}

Test(params, json_list_refused)
{
	static const char *bad[] = {
	    "{\"a\":\"b\"}", "\"i-1\"",		"1",	     "null",
	    "[\"a\",1]",     "[\"a\",null]",	"[[\"a\"]]", "[\"a\"",
	    "[\"a\",]",	     "[\"a\\u0000b\"]", "",	     "i-1",
	    "[\"a\"] x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		params_fini(&P);
		params_init(&P);
		cr_assert(params_add(&P, "K", bad[i]));
		char **v = (char **)&v;
		size_t n = 7;
		cr_expect(!params_json_list(&P, "K", &v, &n), "accepted %s", bad[i]);
		cr_expect_null(v);
		cr_expect_eq(n, 0);
	}
}

Test(params, comma_list)
{
	cr_assert(add("VpcId=vpc-1%2Cvpc-2,vpc-3&One=vpc-9"));
	char **v;
	size_t n;
	cr_assert(params_comma_list(&P, "VpcId", &v, &n));
	cr_assert_eq(n, 3);
	cr_expect_str_eq(v[0], "vpc-1");
	cr_expect_str_eq(v[1], "vpc-2");
	cr_expect_str_eq(v[2], "vpc-3");
	params_free_strv(v, n);

	cr_assert(params_comma_list(&P, "One", &v, &n));
	cr_assert_eq(n, 1);
	cr_expect_str_eq(v[0], "vpc-9");
	params_free_strv(v, n);

	cr_assert(params_comma_list(&P, "Absent", &v, &n));
	cr_expect_null(v);
	cr_expect_eq(n, 0);
	params_free_strv(NULL, 0);

	static const char *bad[] = {"", ",", "a,", ",a", "a,,b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		params_fini(&P);
		params_init(&P);
		cr_assert(params_add(&P, "K", bad[i]));
		cr_expect(!params_comma_list(&P, "K", &v, &n), "accepted \"%s\"", bad[i]);
		cr_expect_null(v);
		cr_expect_eq(n, 0);
	}
}

/* ---- params_check: UTF-8 and indexes (issue 7, "Bytes") ----------------- */

#include "api/utf8.h"

Test(params, check_accepts_good_requests)
{
	const char *bad = NULL;
	cr_assert(add(
	    "VpcName=r%C3%A9seau-%E7%BD%91&Tag.1.Key=k&Tag.1000.Value=v&Ids.20=x&Sub.3.Inner.7=y"));
	cr_assert_eq(params_check(&P, &bad), PARAMS_OK);
}

Test(params, check_refuses_invalid_utf8_in_values_and_names)
{
	static const char *const cases[] = {
	    "VpcName=a%FFb",	      /* never valid */
	    "VpcName=%C0%AF",	      /* overlong '/' */
	    "Description=%ED%A0%80",  /* surrogate */
	    "Tag.1.Value=%E2%82",     /* truncated */
	    "Tag.1.Key=%F4%90%80%80", /* above U+10FFFF */
	    "Na%FFme=1",	      /* in the name */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct params p;
		params_init(&p);
		cr_assert(params_add_urlencoded(&p, cases[i], strlen(cases[i])), "%s", cases[i]);
		const char *bad = NULL;
		cr_assert_eq(params_check(&p, &bad), PARAMS_BAD_UTF8, "%s", cases[i]);
		cr_assert_not_null(bad);
		params_fini(&p);
	}
}

Test(params, check_refuses_malformed_indexes)
{
	static const char *const cases[] = {"Tag.0.Key=k",
					    "Tag.01.Key=k",
					    "Tag.1001.Key=k",
					    "Ids.0=x",
					    "Ids.007=x",
					    "A.1.B.0=x",
					    "Tag.99999999999999999999.Key=k"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct params p;
		params_init(&p);
		cr_assert(params_add_urlencoded(&p, cases[i], strlen(cases[i])));
		const char *bad = NULL;
		cr_assert_eq(params_check(&p, &bad), PARAMS_BAD_INDEX, "%s", cases[i]);
		params_fini(&p);
	}
}

Test(params, utf8_sanitize_replaces_bad_bytes)
{
	char *s = utf8_sanitize("a\xff"
				"b\xc3\xa9",
				5);
	cr_assert_str_eq(s, "a\xef\xbf\xbd"
			    "b\xc3\xa9");
	cr_assert(utf8_valid(s, strlen(s)));
	free(s);
}

Test(params, has_family)
{
	cr_assert(add("Tag.0.Key=k&Other=1"));
	cr_assert(params_has_family(&P, "Tag"));
	cr_assert_not(params_has_family(&P, "Ta"));
	cr_assert_eq(params_max_index(&P, "Tag"), 0);
}
