/*
 * config: where the CLI finds its endpoint, region and AccessKey pair, and
 * how `openvpc configure` stores them.
 *
 * The file is ~/.openvpc/config, or $OPENVPC_CONFIG, in INI form with one
 * section per profile:
 *
 *     [profile default]
 *     endpoint = 127.0.0.1:8080
 *     region = cn-hangzhou
 *     access_key_id = LTAI...
 *     access_key_secret = ...
 *
 * ("[NAME]" without the word "profile" is read too.)  Each setting is taken
 * from the first source that has it (cli_config_resolve):
 *   1. the command line (--endpoint, --region, --access-key-id/-secret);
 *   2. the environment (OPENVPC_ENDPOINT, OPENVPC_REGION,
 *      OPENVPC_ACCESS_KEY_ID/_SECRET, then the aliyun CLI's
 *      ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET and ALIBABA_CLOUD_REGION_ID);
 *   3. the profile in the file: --profile NAME, else $OPENVPC_PROFILE,
 *      else "default";
 *   4. the defaults, 127.0.0.1:8080 and cn-hangzhou.
 * One exception: a profile named with --profile on the command line ranks
 * with the command line, above the environment, because asking for it there
 * is the most specific request the user made.  The AccessKey id and secret
 * always come as a pair from one source: an id from one place is never
 * signed with a secret from another.
 *
 * Saving rewrites only the keys being set inside the one section, keeps
 * everything else in the file byte for byte, and replaces the file
 * atomically (temporary file, fsync, rename) with mode 0600 in a directory
 * created with mode 0700.
 */
#ifndef OPENVPC_CLI_CONFIG_H
#define OPENVPC_CLI_CONFIG_H

#include <stddef.h>

#define CLI_DEFAULT_ENDPOINT "127.0.0.1:8080"
#define CLI_DEFAULT_REGION "cn-hangzhou"
#define CLI_DEFAULT_PROFILE "default"

/* A profile; every field is an owned heap string or NULL (not set). */
struct cli_profile {
	char *name;
	char *endpoint;
	char *region;
	char *akid;
	char *secret;
};

void cli_profile_free(struct cli_profile *p);

/* The config file path ($OPENVPC_CONFIG, else $HOME/.openvpc/config).
 * Heap string; NULL when neither OPENVPC_CONFIG nor a home is known. */
char *cli_config_path(void);

/* Reads profile `name` of the file at path into p (p->name is set; fields
 * the file does not give stay NULL).  Returns 1 when the profile exists,
 * 0 when it (or the file) does not, -1 when the file cannot be read or
 * parsed (message in err). */
int cli_config_read(const char *path, const char *name, struct cli_profile *p, char *err,
		    size_t errsz);

/* Every profile in the file, in file order: *out is a heap array of *n
 * profiles (free each, then the array).  Returns 0 (also when the file does
 * not exist) or -1 with a message in err. */
int cli_config_read_all(const char *path, struct cli_profile **out, size_t *n, char *err,
			size_t errsz);

/* Writes the non-NULL fields of p into the section of profile p->name,
 * creating the file, its directory or the section as needed.  Returns 0 or
 * -1 with a message in err. */
int cli_config_save(const char *path, const struct cli_profile *p, char *err, size_t errsz);

/* What the command line gave (each NULL when not given). */
struct cli_sources {
	const char *endpoint;
	const char *region;
	const char *akid;
	const char *secret;
	const char *profile;
};

/* Resolves the settings in effect (see the top of this file) into out,
 * which is fully set except akid/secret, NULL when no source has a key.
 * Returns 0, or -1 with a message in err: an id without its secret, a
 * profile named explicitly that the file lacks, an unreadable file. */
int cli_config_resolve(const struct cli_sources *cmdline, struct cli_profile *out, char *err,
		       size_t errsz);

#endif
