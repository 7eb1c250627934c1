/*
 * log: leveled logging to stderr, with a rate limit for messages that input
 * from outside can trigger (CONVENTIONS: "logs of it are rate-limited").
 */
#ifndef OPENVPC_LIB_LOG_H
#define OPENVPC_LIB_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Messages above this level are dropped. Default LOG_INFO. */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Token bucket shared by all rate-limited messages: at most `burst` lines and
 * then `per_sec` a second.  Returns true when a line may be written. */
bool log_ratelimit_ok(void);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
/* For events a remote party controls (bad requests, bad packets). */
#define log_rl(lvl, ...)                                                                           \
	do {                                                                                       \
		if ((lvl) <= log_get_level() && log_ratelimit_ok())                                \
			log_msg((lvl), __VA_ARGS__);                                               \
	} while (0)

/* Reports a broken invariant and aborts (CONVENTIONS "errors", kind 3). */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
