/*
 * log.c: stderr logging with a monotonic timestamp; see log.h.
 */
#include "bgp/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum bgp_log_level level = BGP_LOG_INFO;

void bgp_log_set_level(enum bgp_log_level l)
{
	level = l;
}

int64_t bgp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bgp_log(enum bgp_log_level l, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (l > level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld bgpd %s: ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, names[l]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool bgp_ratelimit_ok(struct bgp_ratelimit *rl)
{
	int64_t now = bgp_now_ms();

	if (!rl->burst)
		rl->burst = 10;
	if (now - rl->window_start >= 10000) {
		if (rl->suppressed)
			bgp_log(BGP_LOG_WARN, "%u similar log lines suppressed", rl->suppressed);
		rl->window_start = now;
		rl->used = 0;
		rl->suppressed = 0;
	}
	if (rl->used < rl->burst) {
		rl->used++;
		return true;
	}
	rl->suppressed++;
	return false;
}
