/*
 * nonce: see nonce.h for the invariants.
 *
 * The table is open-addressed over two independent keyed 64-bit hashes of
 * (akid, nonce): a false replay needs both to collide.  A slot is live while
 * its `expires` lies in the future; a dead slot is reused in place.  Live
 * counts (per account and in total) are kept in rings of NONCE_BUCKETS
 * buckets by expiry time, so a count never needs a scan and an expired
 * nonce leaves the count by itself when its bucket's time has passed.
 */
#include "api/nonce.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"

#define NONCE_MAX_PROBE 64
#define NONCE_BUCKETS 32
#define NONCE_PATH_MAX 4096

struct nonce_slot {
	uint64_t h1, h2;
	int64_t expires; /* 0: never used */
	uint64_t owner;
};

/* The on-disk record is the slot itself: 32 bytes, host byte order (the log
 * never leaves this host). */
_Static_assert(sizeof(struct nonce_slot) == 32, "nonce record layout");

/* Live entries by expiry bucket: bucket b holds expiries in
 * [b*width, (b+1)*width); ring index b % NONCE_BUCKETS, tagged with b. */
struct nonce_ring {
	uint32_t count[NONCE_BUCKETS];
	int64_t tag[NONCE_BUCKETS];
};

struct nonce_acct {
	uint64_t owner;
	bool used;
	struct nonce_ring ring;
};

struct nonce_cache {
	pthread_mutex_t lock; /* the table, the rings, the log's fd and offsets */
	struct nonce_slot *slots;
	size_t mask;
	size_t usable; /* live entries the table may hold (3/4 of the slots) */
	int64_t window, width;
	uint64_t k1, k2;
	struct nonce_ring total;
	struct nonce_acct *accts;
	size_t acct_cap, acct_n;

	/* The log (dir NULL: none). */
	char *dir;
	int fd, old_fd;	      /* current segment, and the previous one (closed later) */
	int64_t seg_start;    /* start of the current segment */
	uint64_t gen;	      /* bumped when the segment changes */
	uint64_t written;     /* records appended to the current segment */
	pthread_mutex_t sync; /* serializes nonce_cache_sync */
	uint64_t synced_gen, synced;
};

static uint64_t nonce_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t nonce_hash(uint64_t key, const char *a, const char *b)
{
	uint64_t h = key;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		h = nonce_mix(h ^ *p) + 0x9e3779b97f4a7c15ull;
	h = nonce_mix(h ^ 0x100);
	for (const unsigned char *p = (const unsigned char *)b; *p; p++)
		h = nonce_mix(h ^ *p) + 0x9e3779b97f4a7c15ull;
	return nonce_mix(h) | 1; /* never 0 */
}

/* ---- live counts -------------------------------------------------------- */

static void ring_add(struct nonce_ring *r, int64_t width, int64_t expires)
{
	int64_t b = expires / width;
	size_t i = (size_t)(b % NONCE_BUCKETS);
	if (r->tag[i] != b) {
		r->tag[i] = b;
		r->count[i] = 0;
	}
	r->count[i]++;
}

static size_t ring_live(const struct nonce_ring *r, int64_t width, int64_t now)
{
	int64_t cur = now / width;
	size_t n = 0;
	for (size_t i = 0; i < NONCE_BUCKETS; i++)
		if (r->tag[i] >= cur && r->count[i] > 0)
			n += r->count[i];
	return n;
}

/* The account's ring, created when missing; NULL without memory. */
static struct nonce_ring *acct_ring(struct nonce_cache *c, uint64_t owner, bool create)
{
	if (c->acct_cap > 0) {
		for (size_t i = nonce_mix(owner) & (c->acct_cap - 1);;
		     i = (i + 1) & (c->acct_cap - 1)) {
			if (!c->accts[i].used)
				break;
			if (c->accts[i].owner == owner)
				return &c->accts[i].ring;
		}
	}
	if (!create)
		return NULL;
	if (2 * (c->acct_n + 1) > c->acct_cap) {
		size_t cap = c->acct_cap ? 2 * c->acct_cap : 64;
		struct nonce_acct *a = calloc(cap, sizeof(*a));
		if (a == NULL)
			return NULL;
		for (size_t j = 0; j < c->acct_cap; j++) {
			if (!c->accts[j].used)
				continue;
			size_t i = nonce_mix(c->accts[j].owner) & (cap - 1);
			while (a[i].used)
				i = (i + 1) & (cap - 1);
			a[i] = c->accts[j];
		}
		free(c->accts);
		c->accts = a;
		c->acct_cap = cap;
	}
	size_t i = nonce_mix(owner) & (c->acct_cap - 1);
	while (c->accts[i].used)
		i = (i + 1) & (c->acct_cap - 1);
	c->accts[i] = (struct nonce_acct){.owner = owner, .used = true};
	for (size_t b = 0; b < NONCE_BUCKETS; b++)
		c->accts[i].ring.tag[b] = -1;
	c->acct_n++;
	return &c->accts[i].ring;
}

/* ---- the table ---------------------------------------------------------- */

/* Finds (h1, h2) among the live slots, or the first slot it may take.
 * Returns the live match, or NULL with *free_slot set (NULL: no room). */
static struct nonce_slot *table_find(struct nonce_cache *c, uint64_t h1, uint64_t h2, int64_t now,
				     struct nonce_slot **free_slot)
{
	*free_slot = NULL;
	for (size_t i = 0; i < NONCE_MAX_PROBE; i++) {
		struct nonce_slot *s = &c->slots[(h1 + i) & c->mask];
		bool live = s->expires > now;
		if (live && s->h1 == h1 && s->h2 == h2)
			return s;
		if (!live && !*free_slot)
			*free_slot = s;
		if (s->expires == 0)
			break; /* a never-used slot ends the probe chain */
	}
	return NULL;
}

/* Takes a record into the table and the counts (no share check: loading). */
static bool table_put(struct nonce_cache *c, const struct nonce_slot *rec, int64_t now)
{
	struct nonce_slot *slot;
	if (table_find(c, rec->h1, rec->h2, now, &slot) != NULL)
		return true;
	struct nonce_ring *ar = acct_ring(c, rec->owner, true);
	if (slot == NULL || ar == NULL)
		return false;
	*slot = *rec;
	ring_add(&c->total, c->width, rec->expires);
	ring_add(ar, c->width, rec->expires);
	return true;
}

/* ---- the log ------------------------------------------------------------ */

static int nonce_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* Reads or creates the hash keys, so hashes stay comparable across restarts. */
static int nonce_keys(struct nonce_cache *c)
{
	char path[NONCE_PATH_MAX];
	snprintf(path, sizeof(path), "%s/key", c->dir);
	uint64_t k[2];
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, k, sizeof(k));
		close(fd);
		if (n != (ssize_t)sizeof(k))
			return -EIO;
	} else {
		if (errno != ENOENT)
			return -errno;
		if (getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k))
			return -EIO;
		char tmp[NONCE_PATH_MAX + 8];
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return -errno;
		bool ok = write(fd, k, sizeof(k)) == (ssize_t)sizeof(k) && fsync(fd) == 0;
		close(fd);
		if (!ok || rename(tmp, path) < 0)
			return -EIO;
		int rc = nonce_fsync_dir(c->dir);
		if (rc < 0)
			return rc;
	}
	c->k1 = k[0];
	c->k2 = k[1];
	return 0;
}

/* Loads the live records of every segment; deletes expired segments. */
static int nonce_load(struct nonce_cache *c, int64_t now)
{
	DIR *d = opendir(c->dir);
	if (d == NULL)
		return -errno;
	struct dirent *e;
	size_t loaded = 0, lost = 0;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long long start = strtoll(e->d_name, &end, 10);
		if (end == e->d_name || strcmp(end, ".log") != 0)
			continue;
		char path[NONCE_PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", c->dir, e->d_name);
		if (start + 3 * c->window < now) {
			unlink(path);
			continue;
		}
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		struct nonce_slot buf[256];
		ssize_t n;
		/* A torn last record (power loss mid-append) is ignored. */
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			for (size_t i = 0; i < (size_t)n / sizeof(buf[0]); i++) {
				if (buf[i].expires <= now)
					continue;
				if (table_put(c, &buf[i], now))
					loaded++;
				else
					lost++;
			}
		}
		close(fd);
	}
	closedir(d);
	if (lost > 0)
		log_warn("nonce log: %zu live nonces did not fit the table", lost);
	log_info("nonce log: %zu live nonces loaded from %s", loaded, c->dir);
	return 0;
}

/* Makes the segment for `now` current.  Called with c->lock held. */
static int nonce_segment(struct nonce_cache *c, int64_t now)
{
	int64_t start = now - now % c->window;
	if (c->fd >= 0 && start == c->seg_start)
		return 0;
	char path[NONCE_PATH_MAX];
	snprintf(path, sizeof(path), "%s/%" PRId64 ".log", c->dir, start);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* Drop a torn tail so appends stay aligned. */
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size % (off_t)sizeof(struct nonce_slot) != 0 &&
	    ftruncate(fd, st.st_size - st.st_size % (off_t)sizeof(struct nonce_slot)) < 0) {
		close(fd);
		return -errno;
	}
	if (c->fd >= 0) {
		/* Everything in the old segment becomes durable now, so a sync in
		 * the new one covers all that came before. */
		fdatasync(c->fd);
		if (c->old_fd >= 0)
			close(c->old_fd);
		c->old_fd = c->fd;
		/* Segments nobody can need any more. */
		char old[NONCE_PATH_MAX];
		snprintf(old, sizeof(old), "%s/%" PRId64 ".log", c->dir, start - 3 * c->window);
		unlink(old);
	}
	nonce_fsync_dir(c->dir);
	c->fd = fd;
	c->seg_start = start;
	c->gen++;
	c->written = 0;
	return 0;
}

/* ---- the interface -------------------------------------------------------- */

static struct nonce_cache *nonce_alloc(size_t capacity, int64_t window)
{
	size_t n = 1024;
	while (n < capacity)
		n <<= 1;
	struct nonce_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slots = calloc(n, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	c->usable = n / 4 * 3;
	c->window = window > 0 ? window : 900;
	/* Expiries lie in (now, now + 2*window + 1]: NONCE_BUCKETS - 2 buckets
	 * cover that span with one to spare at each end. */
	c->width = (2 * c->window + 2 + NONCE_BUCKETS - 3) / (NONCE_BUCKETS - 2);
	for (size_t b = 0; b < NONCE_BUCKETS; b++)
		c->total.tag[b] = -1;
	c->fd = c->old_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->sync, NULL);
	return c;
}

struct nonce_cache *nonce_cache_create(size_t capacity, int64_t window)
{
	struct nonce_cache *c = nonce_alloc(capacity, window);
	if (c && (getrandom(&c->k1, sizeof(c->k1), 0) != sizeof(c->k1) ||
		  getrandom(&c->k2, sizeof(c->k2), 0) != sizeof(c->k2)))
		fatal("getrandom failed");
	return c;
}

int nonce_cache_open(const char *dir, size_t capacity, int64_t window, int64_t now,
		     struct nonce_cache **out)
{
	if (dir == NULL) {
		*out = nonce_cache_create(capacity, window);
		return *out ? 0 : -ENOMEM;
	}
	struct nonce_cache *c = nonce_alloc(capacity, window);
	if (c == NULL)
		return -ENOMEM;
	int rc = -ENOMEM;
	c->dir = strdup(dir);
	if (c->dir == NULL)
		goto fail;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		goto fail;
	}
	if ((rc = nonce_keys(c)) < 0 || (rc = nonce_load(c, now)) < 0 ||
	    (rc = nonce_segment(c, now)) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	log_err("nonce log %s: %s", dir, strerror(-rc));
	nonce_cache_destroy(c);
	return rc;
}

void nonce_cache_destroy(struct nonce_cache *c)
{
	if (!c)
		return;
	if (c->fd >= 0) {
		fdatasync(c->fd);
		close(c->fd);
	}
	if (c->old_fd >= 0)
		close(c->old_fd);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->sync);
	free(c->accts);
	free(c->slots);
	free(c->dir);
	free(c);
}

enum nonce_result nonce_cache_check(struct nonce_cache *c, uint64_t owner, const char *akid,
				    const char *nonce, int64_t ts, int64_t now)
{
	struct nonce_slot rec = {
	    .h1 = nonce_hash(c->k1, akid, nonce),
	    .h2 = nonce_hash(c->k2, akid, nonce),
	    .expires = (ts > now ? ts : now) + c->window + 1,
	    .owner = owner,
	};
	enum nonce_result res = NONCE_FULL;
	pthread_mutex_lock(&c->lock);
	struct nonce_slot *slot;
	if (table_find(c, rec.h1, rec.h2, now, &slot) != NULL) {
		res = NONCE_REPLAYED;
		goto out;
	}
	struct nonce_ring *ar = acct_ring(c, owner, true);
	if (slot == NULL || ar == NULL)
		goto out;
	size_t mine = ring_live(ar, c->width, now);
	size_t all = ring_live(&c->total, c->width, now);
	if (all >= c->usable)
		goto out;
	if (2 * mine + (all - mine) >= c->usable) {
		res = NONCE_OVER_SHARE;
		goto out;
	}
	if (c->dir != NULL) {
		/* Logged before it counts as seen: a nonce we cannot persist is
		 * refused, never accepted and then forgotten by a restart. */
		if (nonce_segment(c, now) < 0 || write(c->fd, &rec, sizeof(rec)) != sizeof(rec)) {
			log_err("nonce log: cannot append: %s", strerror(errno));
			goto out;
		}
		c->written++;
	}
	*slot = rec;
	ring_add(&c->total, c->width, rec.expires);
	ring_add(ar, c->width, rec.expires);
	res = NONCE_FRESH;
out:
	pthread_mutex_unlock(&c->lock);
	return res;
}

int nonce_cache_sync(struct nonce_cache *c)
{
	if (c->dir == NULL)
		return 0;
	pthread_mutex_lock(&c->sync);
	pthread_mutex_lock(&c->lock);
	uint64_t gen = c->gen, target = c->written;
	int fd = c->fd; /* stays open until two segment changes from now */
	pthread_mutex_unlock(&c->lock);
	int rc = 0;
	if (gen != c->synced_gen || target > c->synced) {
		/* One fdatasync covers every caller that queued behind us. */
		rc = fdatasync(fd) < 0 ? -errno : 0;
		if (rc == 0) {
			c->synced_gen = gen;
			c->synced = target;
		}
	}
	pthread_mutex_unlock(&c->sync);
	return rc;
}

size_t nonce_cache_live(struct nonce_cache *c, uint64_t owner, int64_t now)
{
	pthread_mutex_lock(&c->lock);
	size_t n = 0;
	if (owner == 0) {
		n = ring_live(&c->total, c->width, now);
	} else {
		struct nonce_ring *r = acct_ring(c, owner, false);
		n = r ? ring_live(r, c->width, now) : 0;
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}
