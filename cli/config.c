/*
 * config: profiles in ~/.openvpc/config, the order of the sources of each
 * setting, and the atomic rewrite of the file.  See config.h.
 */
#include "cli/config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_profile_free(struct cli_profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->endpoint);
	free(p->region);
	free(p->akid);
	free(p->secret);
	memset(p, 0, sizeof(*p));
}

char *cli_config_path(void)
{
	const char *env = getenv("OPENVPC_CONFIG");
	if (env && *env)
		return strdup(env);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	char *path;
	if (asprintf(&path, "%s/.openvpc/config", home) < 0)
		return NULL;
	return path;
}

/* The profile a section header names: "profile NAME" or "NAME". */
static const char *cli_section_profile(const char *section)
{
	if (strncmp(section, "profile", 7) == 0 && (section[7] == ' ' || section[7] == '\t')) {
		section += 7;
		while (*section == ' ' || *section == '\t')
			section++;
	}
	return section;
}

/* The field of p that a key in the file sets, or NULL for an unknown key. */
static char **cli_profile_field(struct cli_profile *p, const char *key)
{
	if (!strcmp(key, "endpoint"))
		return &p->endpoint;
	if (!strcmp(key, "region"))
		return &p->region;
	if (!strcmp(key, "access_key_id"))
		return &p->akid;
	if (!strcmp(key, "access_key_secret"))
		return &p->secret;
	return NULL;
}

struct cli_ini_all {
	struct cli_profile *p;
	size_t n, cap;
	bool oom;
};

static int cli_ini_all_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cli_ini_all *a = user;
	const char *pname = cli_section_profile(section);
	if (!*pname)
		return 1;
	struct cli_profile *p = NULL;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->p[i].name, pname) == 0)
			p = &a->p[i];
	if (!p) {
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 4;
			struct cli_profile *np = realloc(a->p, cap * sizeof(*np));
			if (!np) {
				a->oom = true;
				return 0;
			}
			a->p = np;
			a->cap = cap;
		}
		p = &a->p[a->n];
		memset(p, 0, sizeof(*p));
		p->name = strdup(pname);
		if (!p->name) {
			a->oom = true;
			return 0;
		}
		a->n++;
	}
	/* inih calls with name == NULL for a section with no keys (when built
	 * with INI_CALL_HANDLER_ON_NEW_SECTION); the profile exists anyway. */
	if (!name)
		return 1;
	char **field = cli_profile_field(p, name);
	if (field) {
		free(*field);
		*field = strdup(value);
		if (!*field) {
			a->oom = true;
			return 0;
		}
	}
	return 1;
}

int cli_config_read_all(const char *path, struct cli_profile **out, size_t *n, char *err,
			size_t errsz)
{
	*out = NULL;
	*n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	struct cli_ini_all a = {0};
	int line = ini_parse_file(f, cli_ini_all_handler, &a);
	fclose(f);
	if (line != 0 || a.oom) {
		for (size_t i = 0; i < a.n; i++)
			cli_profile_free(&a.p[i]);
		free(a.p);
		if (a.oom)
			snprintf(err, errsz, "out of memory reading %s", path);
		else
			snprintf(err, errsz, "%s: syntax error on line %d", path, line);
		return -1;
	}
	*out = a.p;
	*n = a.n;
	return 0;
}

int cli_config_read(const char *path, const char *name, struct cli_profile *p, char *err,
		    size_t errsz)
{
	struct cli_profile *all;
	size_t n;
	memset(p, 0, sizeof(*p));
	if (cli_config_read_all(path, &all, &n, err, errsz) < 0)
		return -1;
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		if (!found && strcmp(all[i].name, name) == 0) {
			*p = all[i];
			found = 1;
			continue;
		}
		cli_profile_free(&all[i]);
	}
	free(all);
	if (!found) {
		p->name = strdup(name);
		if (!p->name) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
	}
	return found;
}

/* Reads a whole file into a NUL-terminated heap buffer; "" when absent. */
static char *cli_slurp(const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return strdup("");
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	bool bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		free(buf);
		snprintf(err, errsz, "cannot read %s", path);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Creates the directories leading to path (each mode 0700). */
static int cli_mkdirs(const char *path, char *err, size_t errsz)
{
	char *dir = strdup(path);
	if (!dir) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return 0;
}

/* Writes text to path through a temporary file and rename(2), mode 0600. */
static int cli_write_atomic(const char *path, const char *text, char *err, size_t errsz)
{
	if (cli_mkdirs(path, err, errsz) < 0)
		return -1;
	char *tmp;
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errsz, "cannot create a file next to %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	size_t len = strlen(text), off = 0;
	bool ok = fchmod(fd, 0600) == 0;
	while (ok && off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok)
			off += (size_t)w;
	}
	ok = ok && fsync(fd) == 0;
	int saved = errno;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp, path) < 0) {
		saved = errno;
		ok = false;
	}
	if (!ok) {
		snprintf(err, errsz, "cannot write %s: %s", path, strerror(saved));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

/* One line of the file: [s, s+len), without its newline. */
struct cli_line {
	const char *s;
	size_t len;
};

static void cli_trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
		(*len)--;
}

/* The section a line opens ("[...]" trimmed), copied into out, or false. */
static bool cli_line_section(struct cli_line l, char *out, size_t outsz)
{
	const char *s = l.s;
	size_t len = l.len;
	cli_trim(&s, &len);
	if (len < 2 || s[0] != '[' || s[len - 1] != ']')
		return false;
	s++;
	len -= 2;
	cli_trim(&s, &len);
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

/* The key of a "key = value" line, copied into out, or false. */
static bool cli_line_key(struct cli_line l, char *out, size_t outsz)
{
	const char *eq = memchr(l.s, '=', l.len);
	if (!eq)
		return false;
	const char *s = l.s;
	size_t len = (size_t)(eq - l.s);
	cli_trim(&s, &len);
	if (len == 0 || len >= outsz || s[0] == ';' || s[0] == '#')
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

int cli_config_save(const char *path, const struct cli_profile *p, char *err, size_t errsz)
{
	static const char *const keys[] = {"endpoint", "region", "access_key_id",
					   "access_key_secret"};
	const char *vals[] = {p->endpoint, p->region, p->akid, p->secret};
	bool done[4] = {false, false, false, false};
	for (size_t k = 0; k < 4; k++) {
		if (vals[k] && strpbrk(vals[k], "\r\n")) {
			snprintf(err, errsz, "%s may not contain a line break", keys[k]);
			return -1;
		}
	}
	char *text = cli_slurp(path, err, errsz);
	if (!text)
		return -1;
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	if (!o) {
		free(text);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	bool in_target = false, found = false;
	/* Where the target section's last non-blank line ended: missing keys
	 * go there, before any blank lines that separate it from the next. */
	const char *s = text;
	size_t pending_blank = 0; /* blank lines held back inside the target */
	while (*s) {
		const char *nl = strchr(s, '\n');
		struct cli_line l = {s, nl ? (size_t)(nl - s) : strlen(s)};
		const char *next = nl ? nl + 1 : s + l.len;
		char name[256];
		bool is_section = cli_line_section(l, name, sizeof(name));
		if (is_section && in_target) {
			for (size_t k = 0; k < 4; k++)
				if (vals[k] && !done[k])
					fprintf(o, "%s = %s\n", keys[k], vals[k]);
			memset(done, 1, sizeof(done));
			in_target = false;
		}
		if (in_target) {
			const char *t = l.s;
			size_t tl = l.len;
			cli_trim(&t, &tl);
			if (tl == 0) {
				pending_blank++;
				s = next;
				continue;
			}
		}
		for (; pending_blank; pending_blank--)
			fputc('\n', o);
		char key[64];
		size_t k = 4;
		if (in_target && cli_line_key(l, key, sizeof(key)))
			for (k = 0; k < 4 && strcmp(keys[k], key) != 0; k++)
				;
		if (k < 4 && vals[k]) {
			fprintf(o, "%s = %s\n", keys[k], vals[k]);
			done[k] = true;
		} else {
			fwrite(l.s, 1, l.len, o);
			fputc('\n', o);
		}
		if (is_section && !found && strcmp(cli_section_profile(name), p->name) == 0) {
			in_target = true;
			found = true;
		}
		s = next;
	}
	if (in_target)
		for (size_t k = 0; k < 4; k++)
			if (vals[k] && !done[k])
				fprintf(o, "%s = %s\n", keys[k], vals[k]);
	for (; pending_blank; pending_blank--)
		fputc('\n', o);
	if (!found) {
		if (text[0])
			fputc('\n', o);
		fprintf(o, "[profile %s]\n", p->name);
		for (size_t k = 0; k < 4; k++)
			if (vals[k])
				fprintf(o, "%s = %s\n", keys[k], vals[k]);
	}
	free(text);
	if (fclose(o) != 0) {
		free(out);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	int rc = cli_write_atomic(path, out, err, errsz);
	free(out);
	return rc;
}

static const char *cli_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int cli_set(char **field, const char *a, const char *b, const char *c, const char *d)
{
	const char *v = a ? a : b ? b : c ? c : d;
	*field = v ? strdup(v) : NULL;
	return v && !*field ? -1 : 0;
}

int cli_config_resolve(const struct cli_sources *cl, struct cli_profile *out, char *err,
		       size_t errsz)
{
	memset(out, 0, sizeof(*out));
	const char *name = cl->profile ? cl->profile : cli_env("OPENVPC_PROFILE");
	bool named = name != NULL;
	if (!name)
		name = CLI_DEFAULT_PROFILE;
	char *path = cli_config_path();
	struct cli_profile file = {0};
	int found = 0;
	if (path) {
		found = cli_config_read(path, name, &file, err, errsz);
		if (found < 0) {
			free(path);
			return -1;
		}
	}
	if (named && !found) {
		snprintf(
		    err, errsz,
		    "no profile \"%s\" in %s (create it with: openvpc configure --profile %s ...)",
		    name, path ? path : "the config file", name);
		free(path);
		cli_profile_free(&file);
		return -1;
	}
	free(path);

	/* The key pair: the first source that names an id, whole. */
	struct {
		const char *id, *secret, *what;
	} pairs[] = {
	    {cl->akid, cl->secret, "--access-key-id"},
	    {NULL, NULL, NULL}, /* the profile, when --profile ranks it here */
	    {cli_env("OPENVPC_ACCESS_KEY_ID"), cli_env("OPENVPC_ACCESS_KEY_SECRET"),
	     "OPENVPC_ACCESS_KEY_ID"},
	    {cli_env("ALIBABA_CLOUD_ACCESS_KEY_ID"), cli_env("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
	     "ALIBABA_CLOUD_ACCESS_KEY_ID"},
	    {file.akid, file.secret, "the profile"},
	};
	if (cl->secret && !cl->akid) {
		snprintf(err, errsz, "--access-key-secret needs --access-key-id");
		cli_profile_free(&file);
		return -1;
	}
	if (cl->profile) {
		pairs[1].id = file.akid;
		pairs[1].secret = file.secret;
		pairs[1].what = "the profile";
	}
	const char *id = NULL, *secret = NULL;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (!pairs[i].id)
			continue;
		if (!pairs[i].secret) {
			snprintf(err, errsz, "%s gives an AccessKey id but no secret",
				 pairs[i].what);
			cli_profile_free(&file);
			return -1;
		}
		id = pairs[i].id;
		secret = pairs[i].secret;
		break;
	}
	/* --profile on the command line puts the file above the environment. */
	const char *env_ep = cli_env("OPENVPC_ENDPOINT");
	const char *env_rg = cli_env("OPENVPC_REGION");
	if (!env_rg)
		env_rg = cli_env("ALIBABA_CLOUD_REGION_ID");
	const char *mid_ep = cl->profile ? file.endpoint : env_ep;
	const char *low_ep = cl->profile ? env_ep : file.endpoint;
	const char *mid_rg = cl->profile ? file.region : env_rg;
	const char *low_rg = cl->profile ? env_rg : file.region;
	int rc = 0;
	rc |= cli_set(&out->name, name, NULL, NULL, NULL);
	rc |= cli_set(&out->endpoint, cl->endpoint, mid_ep, low_ep, CLI_DEFAULT_ENDPOINT);
	rc |= cli_set(&out->region, cl->region, mid_rg, low_rg, CLI_DEFAULT_REGION);
	rc |= cli_set(&out->akid, id, NULL, NULL, NULL);
	rc |= cli_set(&out->secret, id ? secret : NULL, NULL, NULL, NULL);
	cli_profile_free(&file);
	if (rc < 0) {
		cli_profile_free(out);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}
