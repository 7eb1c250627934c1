/*
 * log: the speaker's log lines on stderr, and a rate limiter for lines a
 * peer can cause (CONVENTIONS: logs of outside input are rate-limited).
 */
#ifndef OPENVPC_BGP_LOG_H
#define OPENVPC_BGP_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum bgp_log_level { BGP_LOG_ERR = 0, BGP_LOG_WARN = 1, BGP_LOG_INFO = 2, BGP_LOG_DEBUG = 3 };

/* Lines above this level are dropped (default BGP_LOG_INFO). */
void bgp_log_set_level(enum bgp_log_level l);
void bgp_log(enum bgp_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Allows `burst` lines per 10-second window; counts the rest. */
struct bgp_ratelimit {
	int64_t window_start;
	uint32_t burst;
	uint32_t used;
	uint32_t suppressed;
};

/* True when a line may be logged now; when a window closes with suppressed
 * lines, logs how many were dropped. */
bool bgp_ratelimit_ok(struct bgp_ratelimit *rl);

/* Monotonic clock in milliseconds. */
int64_t bgp_now_ms(void);

#endif
