/*
 * log: see log.h.  Lines are written with one write(2) each so that lines of
 * concurrent threads never interleave.
 */
#include "lib/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_RL_BURST 20
#define LOG_RL_PER_SEC 5

static enum log_level log_level_cur = LOG_INFO;
static pthread_mutex_t log_rl_lock = PTHREAD_MUTEX_INITIALIZER;
static double log_rl_tokens = LOG_RL_BURST;
static struct timespec log_rl_last;

void log_set_level(enum log_level lvl)
{
	log_level_cur = lvl;
}

enum log_level log_get_level(void)
{
	return log_level_cur;
}

static void log_vwrite(const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s ", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, tag);
	if (n < 0)
		return;
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const tags[] = {"ERR", "WARN", "INFO", "DEBUG"};
	if (lvl > log_level_cur)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(tags[lvl], fmt, ap);
	va_end(ap);
}

bool log_ratelimit_ok(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&log_rl_lock);
	double dt = (double)(now.tv_sec - log_rl_last.tv_sec) +
		    (double)(now.tv_nsec - log_rl_last.tv_nsec) / 1e9;
	log_rl_last = now;
	log_rl_tokens += dt * LOG_RL_PER_SEC;
	if (log_rl_tokens > LOG_RL_BURST)
		log_rl_tokens = LOG_RL_BURST;
	bool ok = log_rl_tokens >= 1.0;
	if (ok)
		log_rl_tokens -= 1.0;
	pthread_mutex_unlock(&log_rl_lock);
	return ok;
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite("FATAL", fmt, ap);
	va_end(ap);
	abort();
}
