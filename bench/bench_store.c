/*
 * bench_store: how fast the store commits and reads on this machine.
 *
 * Durable single-key commits (each store_commit() returns after SQLite has
 * synced its WAL, synchronous=FULL) from 1 thread and from 16, the latter
 * also with group commit turned off ("?batch=1") to show what it buys, then
 * read transactions (begin + one get + end) from 1 thread and from as many
 * threads as the machine has CPUs, while nothing writes, and last both at
 * once (readers should not slow down: they never wait for the writer).
 * Prints one line per figure.  Not a test: nothing here fails on a slow disk.
 *
 *   bench_store [DIR] [SECONDS-PER-FIGURE]     (defaults: $TMPDIR or /tmp, 2)
 */
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_KEYS 10000

static struct store *bs;
static double bench_secs = 2.0;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct worker {
	pthread_t th;
	int id;
	bool write;
	double stop;
	unsigned long ops;
	double lat_sum, lat_max;
	int err;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned seed = (unsigned)w->id * 7919u + 1;
	char key[32], val[128];
	memset(val, 'x', sizeof(val));
	while (now_s() < w->stop) {
		snprintf(key, sizeof(key), "bench/%05d", rand_r(&seed) % BENCH_KEYS);
		double t0 = now_s();
		struct store_txn *t;
		int r = store_begin(bs, w->write, &t);
		if (r < 0) {
			w->err = r;
			break;
		}
		if (w->write) {
			r = store_put(t, key, val, sizeof(val), NULL);
			if (r == 0)
				r = store_commit(t, NULL);
			else
				store_abort(t);
		} else {
			char *v = NULL;
			r = store_get(t, key, &v, NULL, NULL);
			free(v);
			store_abort(t);
		}
		if (r < 0 && r != -ENOENT) {
			w->err = r;
			break;
		}
		double dt = now_s() - t0;
		w->ops++;
		w->lat_sum += dt;
		if (dt > w->lat_max)
			w->lat_max = dt;
	}
	return NULL;
}

struct tally {
	unsigned long ops;
	double lat, lat_max;
};

static void report(const char *what, int nthreads, const struct tally *t, double secs)
{
	printf("%-24s %2d threads: %9.0f /s  mean %7.3f ms  max %8.3f ms\n", what, nthreads,
	       (double)t->ops / secs, t->ops ? t->lat / (double)t->ops * 1e3 : 0.0,
	       t->lat_max * 1e3);
}

/* Runs nwriters committing threads and nreaders reading threads together
 * for bench_secs and prints a line for each kind that ran. */
static int run(const char *wwhat, int nwriters, const char *rwhat, int nreaders)
{
	int n = nwriters + nreaders;
	struct worker *w = calloc((size_t)n, sizeof(*w));
	if (!w)
		return -1;
	uint64_t rev0 = store_revision(bs);
	double start = now_s();
	for (int i = 0; i < n; i++) {
		w[i].id = i;
		w[i].write = i < nwriters;
		w[i].stop = start + bench_secs;
		pthread_create(&w[i].th, NULL, worker_main, &w[i]);
	}
	struct tally tw = {0}, tr = {0};
	int err = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		struct tally *t = w[i].write ? &tw : &tr;
		t->ops += w[i].ops;
		t->lat += w[i].lat_sum;
		if (w[i].lat_max > t->lat_max)
			t->lat_max = w[i].lat_max;
		if (w[i].err)
			err = w[i].err;
	}
	double secs = now_s() - start;
	free(w);
	if (err) {
		fprintf(stderr, "error %d (%s)\n", err, strerror(-err));
		return -1;
	}
	if (nwriters)
		report(wwhat, nwriters, &tw, secs);
	if (nreaders)
		report(rwhat, nreaders, &tr, secs);
	/* Every commit took exactly one revision. */
	if (store_revision(bs) - rev0 != tw.ops) {
		fprintf(stderr, "%lu commits but %llu revisions\n", tw.ops,
			(unsigned long long)(store_revision(bs) - rev0));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/bench-store-XXXXXX",
		 argc > 1      ? argv[1]
		 : tmp && *tmp ? tmp
			       : "/tmp");
	if (argc > 2)
		bench_secs = atof(argv[2]);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char uri[300], path[300];
	snprintf(uri, sizeof(uri), "sqlite:%s/db", dir);
	int r = store_open(uri, &bs);
	if (r < 0) {
		fprintf(stderr, "store_open %s: %s\n", uri, strerror(-r));
		return 1;
	}
	/* Fill the key space so that reads find their keys. */
	struct store_txn *t;
	char key[32];
	if (store_begin(bs, true, &t) < 0)
		return 1;
	for (int i = 0; i < BENCH_KEYS; i++) {
		snprintf(key, sizeof(key), "bench/%05d", i);
		if (store_put(t, key, "seed", 4, NULL) < 0)
			return 1;
	}
	if (store_commit(t, NULL) < 0)
		return 1;

	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = 0;
	int nr = ncpu > 1 ? (int)ncpu : 2;
	printf("store %s, %g s per figure, synchronous=FULL\n", uri, bench_secs);
	rc |= run("durable commits", 1, NULL, 0);
	rc |= run("durable commits", 16, NULL, 0);
	/* The same store again without group commit. */
	char uri1[320];
	snprintf(uri1, sizeof(uri1), "%s?batch=1", uri);
	store_close(bs);
	if (store_open(uri1, &bs) < 0)
		return 1;
	rc |= run("  without group commit", 16, NULL, 0);
	store_close(bs);
	if (store_open(uri, &bs) < 0)
		return 1;
	rc |= run(NULL, 0, "read txn + get", 1);
	rc |= run(NULL, 0, "read txn + get", nr);
	/* One CPU is left to the writers: else busy readers starve them of CPU
	 * (not of locks) on a small machine. */
	rc |= run("durable commits (mixed)", 16, "reads during commits", nr > 2 ? nr - 1 : 1);

	store_close(bs);
	static const char *const sfx[] = {"db", "db-wal", "db-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sfx[i]);
		unlink(path);
	}
	rmdir(dir);
	return rc ? 1 : 0;
}
