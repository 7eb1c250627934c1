/*
 * utf8: strict UTF-8 checking for bytes a client sent.
 *
 * Every string the API stores or echoes ends up in a JSON document, and
 * jansson refuses invalid UTF-8 (json_string() returns NULL), which used to
 * turn a bad name into a silently dropped field.  So the API refuses invalid
 * UTF-8 at the door (utf8_valid) and renders whatever it must echo back
 * through utf8_sanitize, so an error message stays valid JSON.
 *
 * "Valid" is RFC 3629: shortest form only, no surrogates (U+D800..DFFF),
 * nothing above U+10FFFF.
 */
#ifndef OPENVPC_API_UTF8_H
#define OPENVPC_API_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8. */
bool utf8_valid(const char *s, size_t len);
/* A malloc'd, NUL-terminated copy of s[0..len) in which every byte that is
 * not part of a well-formed sequence is replaced by U+FFFD.  NULL when out
 * of memory.  The caller frees it. */
char *utf8_sanitize(const char *s, size_t len);

#endif
