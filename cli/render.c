/*
 * render: tables, "Field: value" blocks and cells from response bodies.
 * See render.h for the path and cell rules.
 */
#include "cli/render.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A growable string whose appends record ENOMEM in ok. */
struct rbuf {
	char *s;
	size_t n, cap;
	bool ok;
};

static void rbuf_put(struct rbuf *b, const char *s, size_t len)
{
	if (!b->ok)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->ok = false;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n] = '\0';
}

static void rbuf_puts(struct rbuf *b, const char *s)
{
	rbuf_put(b, s, strlen(s));
}

static char *rbuf_take(struct rbuf *b)
{
	if (!b->ok) {
		free(b->s);
		return NULL;
	}
	return b->s ? b->s : strdup("");
}

size_t cli_utf8_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* A one-key object whose value is an array: {"VSwitchId":[...]}. */
static const json_t *cli_unwrap(const json_t *v)
{
	if (json_is_object(v) && json_object_size(v) == 1) {
		const json_t *inner = json_object_iter_value(json_object_iter((json_t *)v));
		if (json_is_array(inner))
			return inner;
	}
	return v;
}

/* The tag pair of a {Key,Value} or {TagKey,TagValue} object, or false. */
static bool cli_tag_pair(const json_t *v, const char **k, const char **val)
{
	const json_t *jk = json_object_get(v, "Key"), *jv = json_object_get(v, "Value");
	if (!jk) {
		jk = json_object_get(v, "TagKey");
		jv = json_object_get(v, "TagValue");
	}
	if (!json_is_string(jk) || (jv && !json_is_string(jv)) ||
	    json_object_size(v) != (jv ? 2u : 1u))
		return false;
	*k = json_string_value(jk);
	*val = jv ? json_string_value(jv) : "";
	return true;
}

static void cli_cell_into(struct rbuf *b, const json_t *v)
{
	char num[64];
	v = cli_unwrap(v);
	switch (json_typeof(v)) {
	case JSON_STRING:
		rbuf_put(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		rbuf_puts(b, num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		rbuf_puts(b, num);
		break;
	case JSON_TRUE:
		rbuf_puts(b, "true");
		break;
	case JSON_FALSE:
		rbuf_puts(b, "false");
		break;
	case JSON_NULL:
		break;
	case JSON_ARRAY: {
		size_t i;
		const json_t *e;
		bool first = true;
		json_array_foreach(v, i, e)
		{
			size_t before = b->n;
			if (!first)
				rbuf_puts(b, ",");
			size_t mark = b->n;
			cli_cell_into(b, e);
			if (b->ok && b->n == mark) { /* an empty item adds nothing */
				b->n = before;
				if (b->s)
					b->s[b->n] = '\0';
				continue;
			}
			first = false;
		}
		break;
	}
	case JSON_OBJECT: {
		const char *tk, *tv;
		if (cli_tag_pair(v, &tk, &tv)) {
			rbuf_puts(b, tk);
			rbuf_puts(b, "=");
			rbuf_puts(b, tv);
			break;
		}
		const char *key;
		const json_t *e;
		bool first = true;
		json_object_foreach((json_t *)v, key, e)
		{
			if (!first)
				rbuf_puts(b, ",");
			first = false;
			rbuf_puts(b, key);
			rbuf_puts(b, "=");
			cli_cell_into(b, e);
		}
		break;
	}
	}
}

char *cli_cell_value(const json_t *v)
{
	struct rbuf b = {.ok = true};
	if (v)
		cli_cell_into(&b, v);
	return rbuf_take(&b);
}

/* Collects into acc every value at the dotted path (len bytes) below v. */
static void cli_walk(const json_t *v, const char *path, size_t len, json_t *acc)
{
	if (!v)
		return;
	if (len == 0) {
		json_array_append(acc, (json_t *)v);
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		const json_t *e;
		json_array_foreach(v, i, e)
		{
			cli_walk(e, path, len, acc);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	const char *dot = memchr(path, '.', len);
	size_t seg = dot ? (size_t)(dot - path) : len;
	char key[128];
	if (seg >= sizeof(key))
		return;
	memcpy(key, path, seg);
	key[seg] = '\0';
	const json_t *child = json_object_get(v, key);
	if (!child) {
		/* Look through a list wrapper: Links.InstanceId == Links.Link.InstanceId. */
		const json_t *inner = cli_unwrap(v);
		if (inner != v)
			cli_walk(inner, path, len, acc);
		return;
	}
	size_t rest = dot ? len - seg - 1 : 0;
	cli_walk(child, dot ? dot + 1 : path + len, rest, acc);
}

char *cli_cell(const json_t *v, const char *path)
{
	const char *alt = path;
	for (;;) {
		size_t len = strcspn(alt, "|");
		json_t *acc = json_array();
		if (!acc)
			return NULL;
		cli_walk(v, alt, len, acc);
		char *s = json_array_size(acc) == 1 ? cli_cell_value(json_array_get(acc, 0))
						    : cli_cell_value(acc);
		json_decref(acc);
		if (!s || s[0] || alt[len] == '\0')
			return s;
		free(s);
		alt += len + 1;
	}
}

json_t *cli_list_at(const json_t *body, const char *path)
{
	const json_t *v = body;
	const char *s = path;
	while (v && *s) {
		size_t seg = strcspn(s, ".");
		char key[128];
		if (seg >= sizeof(key))
			return NULL;
		memcpy(key, s, seg);
		key[seg] = '\0';
		v = json_object_get(v, key);
		s += seg;
		if (*s == '.')
			s++;
	}
	return json_is_array(v) ? (json_t *)v : NULL;
}

static void cli_pad(FILE *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(' ', out);
}

int cli_render_table(FILE *out, const json_t *items, const struct cli_column *cols, int indent)
{
	size_t nc = 0, nr = json_array_size(items);
	while (cols[nc].header)
		nc++;
	if (nc == 0)
		return 0;
	char **cells = calloc((nr + 1) * nc, sizeof(*cells));
	size_t *width = calloc(nc, sizeof(*width));
	int rc = -1;
	if (!cells || !width)
		goto out;
	for (size_t c = 0; c < nc; c++) {
		cells[c] = strdup(cols[c].header);
		if (!cells[c])
			goto out;
	}
	for (size_t r = 0; r < nr; r++) {
		for (size_t c = 0; c < nc; c++) {
			char *s = cli_cell(json_array_get(items, r), cols[c].path);
			if (!s)
				goto out;
			/* A cell is one line: a newline would break the columns. */
			for (char *p = s; *p; p++)
				if (*p == '\n' || *p == '\t' || *p == '\r')
					*p = ' ';
			cells[(r + 1) * nc + c] = s;
		}
	}
	for (size_t i = 0; i < (nr + 1) * nc; i++) {
		size_t w = cli_utf8_width(cells[i]);
		if (w > width[i % nc])
			width[i % nc] = w;
	}
	for (size_t r = 0; r <= nr; r++) {
		/* Empty cells at the end of a row print nothing: no trailing blanks. */
		size_t last = nc;
		while (last > 1 && cells[r * nc + last - 1][0] == '\0')
			last--;
		cli_pad(out, (size_t)indent);
		for (size_t c = 0; c < last; c++) {
			const char *s = cells[r * nc + c];
			fputs(s, out);
			if (c + 1 < last)
				cli_pad(out, width[c] - cli_utf8_width(s) + 2);
		}
		fputc('\n', out);
	}
	rc = 0;
out:
	if (cells)
		for (size_t i = 0; i < (nr + 1) * nc; i++)
			free(cells[i]);
	free(cells);
	free(width);
	return rc;
}

/* The "Name: value" lines of a show block, collected before printing so
 * the values can be aligned. */
struct cli_lines {
	char **name, **val;
	size_t n, cap;
	bool ok;
};

static void cli_lines_add(struct cli_lines *l, const char *name, char *val)
{
	if (!l->ok || !val) {
		free(val);
		l->ok = false;
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		char **nn = realloc(l->name, cap * sizeof(*nn));
		if (nn)
			l->name = nn;
		char **nv = realloc(l->val, cap * sizeof(*nv));
		if (nv)
			l->val = nv;
		if (!nn || !nv) {
			free(val);
			l->ok = false;
			return;
		}
		l->cap = cap;
	}
	l->name[l->n] = strdup(name);
	if (!l->name[l->n]) {
		free(val);
		l->ok = false;
		return;
	}
	l->val[l->n++] = val;
}

static bool cli_is_scalar_list(const json_t *arr)
{
	size_t i;
	const json_t *e;
	const char *k, *v;
	json_array_foreach(arr, i, e)
	{
		if (json_is_object(e) && !cli_tag_pair(e, &k, &v))
			return false;
		if (json_is_array(e))
			return false;
	}
	return true;
}

static void cli_show_into(struct cli_lines *l, const char *prefix, const json_t *obj,
			  const char *const *skip)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		bool skipped = false;
		for (size_t i = 0; skip && skip[i]; i++)
			skipped |= strcmp(skip[i], key) == 0;
		if (skipped)
			continue;
		char name[512];
		snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "." : "", key);
		const json_t *u = cli_unwrap(v);
		if (json_is_array(u) && !cli_is_scalar_list(u)) {
			size_t i;
			const json_t *e;
			json_array_foreach(u, i, e)
			{
				char sub[600];
				snprintf(sub, sizeof(sub), "%s.%zu", name, i + 1);
				if (json_is_object(e))
					cli_show_into(l, sub, e, NULL);
				else
					cli_lines_add(l, sub, cli_cell_value(e));
			}
		} else if (json_is_object(u)) {
			const char *tk, *tv;
			if (cli_tag_pair(u, &tk, &tv) || json_object_size(u) == 0)
				cli_lines_add(l, name, cli_cell_value(u));
			else
				cli_show_into(l, name, u, NULL);
		} else {
			cli_lines_add(l, name, cli_cell_value(u));
		}
	}
}

int cli_render_show(FILE *out, const json_t *obj, const char *const *skip)
{
	struct cli_lines l = {.ok = true};
	cli_show_into(&l, "", obj, skip);
	size_t w = 0;
	for (size_t i = 0; i < l.n; i++) {
		size_t n = cli_utf8_width(l.name[i]);
		if (n > w)
			w = n;
	}
	if (l.ok) {
		for (size_t i = 0; i < l.n; i++) {
			fprintf(out, "%s:", l.name[i]);
			if (l.val[i][0]) {
				cli_pad(out, w - cli_utf8_width(l.name[i]) + 1);
				fputs(l.val[i], out);
			}
			fputc('\n', out);
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		free(l.name[i]);
		free(l.val[i]);
	}
	free(l.name);
	free(l.val);
	return l.ok ? 0 : -1;
}
