// SPDX-License-Identifier: LGPL-2.1-or-later
/* The per-process socket descriptor tables: sharded uthash, no malloc. */
#include "fdtable.h"
#include "compiler.h"
#include "sys.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#ifndef NS_FREESTANDING
#include <pthread.h>
#endif

static void *table_alloc(size_t sz);
static void table_free(void *p, size_t sz);

/* uthash allocates its bucket arrays through these; see the header. */
#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) table_alloc(sz)
#define uthash_free(p, sz) table_free(p, sz)

#define NSHARDS_LOG2 6
#define NSHARDS (1 << NSHARDS_LOG2)	/* descriptors spread by low bits */

/* Keys are descriptors, dense small numbers, and a shard holds those that
 * share the low bits: the rest of the number spreads them over the buckets
 * evenly, for a tenth of the default Jenkins hash's instructions. */
#define HASH_FUNCTION(keyptr, keylen, hashv)				\
	((hashv) = (unsigned)*(const int *)(keyptr) >> NSHARDS_LOG2)
#include <uthash.h>

#define SLAB_BYTES (64 * 1024)
#define SENTINEL (-1)	/* fd of the entry that keeps a shard's table */

struct entry {
	int fd;
	struct ns_fdinfo info;
	UT_hash_handle hh;
	struct entry *next_free;
};

struct shard {
	char lock;
	struct entry *head;
	struct entry *free;
} __attribute__((aligned(64)));	/* no false sharing between shards */

struct ns_fdtab {
	struct shard shards[NSHARDS];
	struct ns_fdtab *next_free;	/* in the pool of given-back tables */
};

struct ns_fdtab ns_fdtab_default;
bool ns_fd_on = true;	/* ns_fd_keep(false): the default table is off */
static struct shard *const shards = ns_fdtab_default.shards;

#ifdef NS_FREESTANDING
/*
 * No TLS in a static program (%fs is the program's), and no need: the
 * blob's handler runs with every asynchronous signal blocked (its
 * sa_mask), so a thread never re-enters the table while it holds a shard
 * and nothing is ever deferred. Threads still run it at once: the shard
 * locks stay.
 */
#define held 0
#define set_held(v) ((void)0)
#define npending 0

static void defer(struct ns_fdtab *t, unsigned first, unsigned last)
{
}

static void check_pending(void)
{
}
#else
/* Which shard this thread holds, plus one; 0 when none. */
static __thread int held __attribute__((tls_model("initial-exec")));
#define set_held(v) (held = (v))

/*
 * Ranges of numbers whose entries a signal handler could not update because
 * its thread held the table: it closed a socket there (the entry would go
 * stale) or made one (a stale entry would stay). Checked against the kernel
 * once the thread lets go of the table. Per thread, so only that thread and
 * its handlers touch them.
 */
#define NPENDING 8
struct range {
	unsigned first, last;
};

static __thread struct range pending[NPENDING]
	__attribute__((tls_model("initial-exec")));
static __thread int npending __attribute__((tls_model("initial-exec")));

/* Only the default table is touched from signal handlers (the shim's):
 * another table is never skipped, @t is checked for clarity. */
static void defer(struct ns_fdtab *t, unsigned first, unsigned last)
{
	int n = npending;

	if (t != &ns_fdtab_default || !ns_fd_on)
		return;		/* no table, nothing to put right */
	if (n == NPENDING) {	/* full: check everything instead */
		pending[n - 1] = (struct range){ 0, ~0U };
		return;
	}
	pending[n] = (struct range){ first, last };
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	npending = n + 1;
}

static void check_pending(void);
#endif

static void *table_alloc(size_t sz)
{
	/* By system call: MAP_FAILED or -errno (sys.h) are both in the
	 * last page of the address space. */
	long p = ns_syscall(SYS_mmap, NULL, sz, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return (unsigned long)p > -4096UL ? NULL : (void *)p;
}

static void table_free(void *p, size_t sz)
{
	ns_syscall(SYS_munmap, p, sz);
}

/*
 * `held` is set before the lock is taken and cleared after it is released,
 * with compiler barriers, so a signal handler arriving at any point between
 * sees it and skips the table instead of spinning on its own thread's lock.
 */
static struct shard *lock_shard(struct ns_fdtab *t, int fd)
{
	struct shard *s = &t->shards[(unsigned)fd & (NSHARDS - 1)];

	if (unlikely(held | (t == &ns_fdtab_default && !ns_fd_on)))
		return NULL;	/* re-entered from a signal handler, or off */
	set_held((int)(s - t->shards) + 1);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	while (__atomic_test_and_set(&s->lock, __ATOMIC_ACQUIRE)) {
		for (int i = 0; i < 64 && __atomic_load_n(&s->lock,
						__ATOMIC_RELAXED); i++)
			__builtin_ia32_pause();
		if (__atomic_load_n(&s->lock, __ATOMIC_RELAXED))
			ns_syscall(SYS_sched_yield);
	}
	return s;
}

bool ns_fd_busy(void)
{
	return held != 0;
}

void ns_fd_keep(bool keep)
{
	ns_fd_on = keep;
}

static void unlock_shard(struct shard *s)
{
	__atomic_clear(&s->lock, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	set_held(0);
	if (unlikely(npending))
		check_pending();
}

static struct entry *find(struct shard *s, int fd)
{
	struct entry *e;

	HASH_FIND_INT(s->head, &fd, e);
	return e;
}

static struct entry *new_entry(struct shard *s)
{
	struct entry *e = s->free;

	if (!e) {
		struct entry *slab = table_alloc(SLAB_BYTES);
		size_t n = SLAB_BYTES / sizeof(*slab);

		if (!slab)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			slab[i].next_free = s->free;
			s->free = &slab[i];
		}
		e = s->free;
	}
	s->free = e->next_free;
	return e;
}

static void drop(struct shard *s, struct entry *e)
{
	HASH_DEL(s->head, e);
	e->next_free = s->free;
	s->free = e;
}

/* uthash calls this when growing its buckets fails; the entry is not in. */
#undef uthash_nonfatal_oom
#define uthash_nonfatal_oom(e) do {					\
		(e)->next_free = s->free;				\
		s->free = (e);						\
	} while (0)

void ns_fdtab_put(struct ns_fdtab *t, int fd, const struct ns_fdinfo *info)
{
	struct shard *s;
	struct entry *e;

	if (fd < 0)
		return;
	if (!(s = lock_shard(t, fd))) {
		defer(t, (unsigned)fd, (unsigned)fd);
		return;
	}
	/* uthash frees its buckets when a table empties and allocates them
	 * again on the next add: a socket/close loop would mmap and munmap
	 * every time. A sentinel that is never looked up keeps it alive. */
	if (unlikely(!s->head) && (e = new_entry(s))) {
		e->fd = SENTINEL;
		HASH_ADD_INT(s->head, fd, e);
	}
	e = find(s, fd);
	if (e) {
		/* A stale entry: the number came back. */
		e->info = *info;
	} else if ((e = new_entry(s))) {
		e->fd = fd;
		e->info = *info;
		HASH_ADD_INT(s->head, fd, e);
	}
	unlock_shard(s);
}

bool ns_fdtab_get(struct ns_fdtab *t, int fd, struct ns_fdinfo *out)
{
	struct shard *s;
	struct entry *e;

	if (fd < 0)
		return false;
	/* The caller goes on as if @fd were unknown; close() then closes
	 * it without forgetting it: look again later. */
	if (!(s = lock_shard(t, fd))) {
		defer(t, (unsigned)fd, (unsigned)fd);
		return false;
	}
	e = find(s, fd);
	if (e)
		*out = e->info;
	unlock_shard(s);
	return e != NULL;
}

void ns_fdtab_set_state(struct ns_fdtab *t, int fd, uint32_t bits)
{
	struct shard *s;
	struct entry *e;

	if (fd < 0 || !(s = lock_shard(t, fd)))
		return;
	e = find(s, fd);
	if (e)
		e->info.state |= bits;
	unlock_shard(s);
}

void ns_fdtab_listen(struct ns_fdtab *t, int fd, int backlog)
{
	struct shard *s;
	struct entry *e;

	if (fd < 0 || !(s = lock_shard(t, fd)))
		return;
	e = find(s, fd);
	if (e) {
		e->info.state |= NS_FD_LISTENING;
		e->info.backlog = backlog;
	}
	unlock_shard(s);
}

void ns_fdtab_add_opt(struct ns_fdtab *t, int fd, int level, int name,
		      const void *val, unsigned len)
{
	struct shard *s;
	struct entry *e;

	if (fd < 0 || !(s = lock_shard(t, fd)))
		return;
	e = find(s, fd);
	if (e) {
		struct ns_fdinfo *in = &e->info;
		uint8_t i;

		/* Setting an option again replaces its recorded value. */
		for (i = 0; i < in->nopts; i++)
			if (in->opts[i].level == level &&
			    in->opts[i].name == name)
				break;
		if (i < NS_FD_MAXOPTS && val && len <= NS_FD_OPTVAL) {
			in->opts[i].level = level;
			in->opts[i].name = name;
			in->opts[i].len = (uint8_t)len;
			memcpy(in->opts[i].val, val, len);
			if (i == in->nopts)
				in->nopts++;
		} else {
			/* An older value of it must not be replayed. */
			if (i < in->nopts)
				in->opts[i] = in->opts[--in->nopts];
			in->state |= NS_FD_OPTS_LOST;
		}
	}
	unlock_shard(s);
}

void ns_fdtab_del(struct ns_fdtab *t, int fd)
{
	struct shard *s;
	struct entry *e;

	if (fd < 0)
		return;
	if (!(s = lock_shard(t, fd))) {
		defer(t, (unsigned)fd, (unsigned)fd);
		return;
	}
	e = find(s, fd);
	if (e)
		drop(s, e);
	unlock_shard(s);
}

void ns_fdtab_del_range(struct ns_fdtab *t, unsigned first, unsigned last)
{
	for (int i = 0; i < NSHARDS; i++) {
		struct shard *s = lock_shard(t, i);
		struct entry *e, *tmp;

		if (!s) {
			defer(t, first, last);
			return;
		}
		HASH_ITER(hh, s->head, e, tmp)
			if (e->fd != SENTINEL && (unsigned)e->fd >= first &&
			    (unsigned)e->fd <= last)
				drop(s, e);
		unlock_shard(s);
	}
}

static bool (*still)(int fd, const struct ns_fdinfo *info);

void ns_fd_set_check(bool (*fn)(int fd, const struct ns_fdinfo *info))
{
	still = fn;
}

#ifndef NS_FREESTANDING
static bool still_there(int fd, const struct ns_fdinfo *info)
{
	return still && still(fd, info);
}

/* Drops the entries of @r that the front's check denies. */
static void check_range(struct range r)
{
	for (int i = 0; i < NSHARDS; i++) {
		struct shard *s;
		struct entry *e, *tmp;

		if (r.first == r.last && i != (int)(r.first & (NSHARDS - 1)))
			continue;
		s = lock_shard(&ns_fdtab_default, i);
		if (!s)
			return;	/* cannot be: held is 0 here */
		HASH_ITER(hh, s->head, e, tmp)
			if (e->fd != SENTINEL && (unsigned)e->fd >= r.first &&
			    (unsigned)e->fd <= r.last &&
			    !still_there(e->fd, &e->info))
				drop(s, e);
		__atomic_clear(&s->lock, __ATOMIC_RELEASE);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		held = 0;
	}
}

/* Takes the last range off, unless a handler added one meanwhile. */
static void check_pending(void)
{
	int n;

	while ((n = npending) > 0) {
		struct range r = pending[n - 1];

		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (__atomic_compare_exchange_n(&npending, &n, n - 1, false,
						__ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			check_range(r);
	}
}

#endif

/* The pool serves the seccomp front, which runs in netshim itself. */
#ifndef NS_FREESTANDING
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ns_fdtab *pool;

struct ns_fdtab *ns_fdtab_new(void)
{
	struct ns_fdtab *t;

	pthread_mutex_lock(&pool_lock);
	t = pool;
	if (t)
		pool = t->next_free;
	pthread_mutex_unlock(&pool_lock);
	if (!t)
		t = table_alloc(sizeof(*t));	/* zeroed: empty shards */
	return t;
}

/* Entries go back to their shard's free list and the sentinels stay, so
 * the table's memory serves the next process the front watches. */
void ns_fdtab_free(struct ns_fdtab *t)
{
	if (!t || t == &ns_fdtab_default)
		return;
	ns_fdtab_del_range(t, 0, ~0u);
	pthread_mutex_lock(&pool_lock);
	t->next_free = pool;
	pool = t;
	pthread_mutex_unlock(&pool_lock);
}
#endif

#define ALL_HELD (NSHARDS + 1)
/* Without `held` (freestanding), lock_all's caller pairs it itself. */
#ifdef NS_FREESTANDING
#define NS_FREESTANDING_ONLY 1
#else
#define NS_FREESTANDING_ONLY 0
#endif

/* `held` covers the whole of fork() too: a signal handler running between
 * the prepare and the parent or child handler must skip the table. */
void ns_fd_lock_all(void)
{
	if (held)
		return;	/* fork() from a handler that interrupted us */
	set_held(ALL_HELD);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < NSHARDS; i++)
		while (__atomic_test_and_set(&shards[i].lock, __ATOMIC_ACQUIRE))
			ns_syscall(SYS_sched_yield);
}

void ns_fd_unlock_all_child(void)
{
	if (NS_FREESTANDING_ONLY || held == ALL_HELD || !held) {
		ns_fd_unlock_all();
		return;
	}
	/* Only this thread is left; it finishes its own shard when the
	 * handler returns. */
	for (int i = 0; i < NSHARDS; i++) {
		if (i == held - 1 ||
		    !__atomic_load_n(&shards[i].lock, __ATOMIC_RELAXED))
			continue;
		shards[i].head = NULL;	/* its memory is lost, not reused */
		shards[i].free = NULL;
		__atomic_clear(&shards[i].lock, __ATOMIC_RELEASE);
	}
}

void ns_fd_unlock_all(void)
{
	if (!NS_FREESTANDING_ONLY && held != ALL_HELD)
		return;
	for (int i = 0; i < NSHARDS; i++)
		__atomic_clear(&shards[i].lock, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	set_held(0);
	if (unlikely(npending))
		check_pending();
}
