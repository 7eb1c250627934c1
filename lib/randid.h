/*
 * randid: random identifiers from the kernel's CSPRNG: resource IDs shaped
 * like the product's ("vpc-" + 20 lowercase alphanumerics, G-3), request IDs
 * (upper-case UUID text), and AccessKey pairs.
 */
#ifndef OPENVPC_LIB_RANDID_H
#define OPENVPC_LIB_RANDID_H

#include <stddef.h>

#define RANDID_BODY 20 /* random characters after the prefix */
#define RANDID_MAX 48  /* room for any prefix + "-" + body + NUL */

/* Writes "<prefix>-<20 chars of [0-9a-z]>" into buf (RANDID_MAX bytes). */
char *randid_make(char *buf, const char *prefix);
/* Writes n random characters of [0-9a-zA-Z] (alnum=1) or [0-9a-z] into buf, plus NUL. */
void randid_chars(char *buf, size_t n, int mixed_case);
/* Writes an upper-case RFC 4122 version 4 UUID (36 chars + NUL) into buf. */
char *randid_uuid(char buf[37]);

#endif
