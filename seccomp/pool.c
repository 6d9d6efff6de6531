// SPDX-License-Identifier: LGPL-2.1-or-later
/* The seccomp front's threads for calls that block: a connect, an accept
 * or a send waits on one of them while the loop serves other threads. */
#include "front.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
/* Detached calls under way; processes are not swept then (proc.c). */
static int workers;

/*
 * A pool of threads: a blocking call is handed to an idle one, or to a
 * new one while there are fewer than MAX_THREADS; beyond that it waits in
 * the queue for the first to be free (the loop goes on either way).
 * Threads stay for the next call: making one per call cost more than a
 * loopback connect.
 */
#define MAX_THREADS 256

struct worker {
	struct sc_call c;
	void (*fn)(struct sc_call *c);
	struct worker *next;
};

static struct worker *queue, **qtail = &queue;
static int queued, idlers, threads;
static pthread_cond_t job = PTHREAD_COND_INITIALIZER;

static void run_job(struct worker *w)
{
	w->fn(&w->c);
	sc_flush(&w->c);
	if (!w->c.answered)
		sc_continue(&w->c);
	if (w->c.dup >= 0)
		close(w->c.dup);
	free(w->c.data);
	free(w);
	pthread_mutex_lock(&lock);
	if (__atomic_sub_fetch(&workers, 1, __ATOMIC_RELAXED) == 0)
		pthread_cond_broadcast(&idle);
	pthread_mutex_unlock(&lock);
}

static void *work(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		run_job(w);
		pthread_mutex_lock(&lock);
		idlers++;
		while (!queue)
			pthread_cond_wait(&job, &lock);
		idlers--;
		w = queue;
		queue = w->next;
		if (!queue)
			qtail = &queue;
		queued--;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* Under the lock. */
static void enqueue(struct worker *w)
{
	w->next = NULL;
	*qtail = w;
	qtail = &w->next;
	queued++;
	pthread_cond_signal(&job);
}

static bool spawn(struct worker *w)
{
	pthread_attr_t attr;
	pthread_t th;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	err = pthread_create(&th, &attr, work, w);
	pthread_attr_destroy(&attr);
	return err == 0;
}

bool sc_detach(struct sc_call *c, void (*fn)(struct sc_call *c))
{
	struct worker *w;
	bool ok = true;

	if (c->worker)
		return false;	/* already on one: the caller goes on */
	w = malloc(sizeof(*w));
	if (!w)
		return false;
	w->c = *c;
	w->c.worker = true;
	w->fn = fn;
	/* The copy's pointers into the call (a policy note, the socket's
	 * description) must point into the copy. */
	if (c->ev.policy == c->note)
		w->c.ev.policy = w->c.note;
	if (c->ev.sock == &c->sock)
		w->c.ev.sock = &w->c.sock;
	pthread_mutex_lock(&lock);
	__atomic_add_fetch(&workers, 1, __ATOMIC_RELAXED);
	if (idlers > queued || threads >= MAX_THREADS) {
		enqueue(w);
	} else {
		threads++;
		pthread_mutex_unlock(&lock);
		if (spawn(w))
			goto taken;
		pthread_mutex_lock(&lock);
		threads--;
		if (threads > 0) {
			enqueue(w);	/* the next free thread takes it */
		} else {
			__atomic_sub_fetch(&workers, 1, __ATOMIC_RELAXED);
			free(w);
			ok = false;
		}
	}
	pthread_mutex_unlock(&lock);
	if (!ok)
		return false;
taken:
	/* The worker owns the duplicate, the data and the answer now. */
	c->dup = -1;
	c->data = NULL;
	c->answered = true;
	return true;
}

bool sc_pool_busy(void)
{
	return __atomic_load_n(&workers, __ATOMIC_RELAXED) != 0;
}

void sc_pool_drain(int seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&lock);
	while (__atomic_load_n(&workers, __ATOMIC_RELAXED) > 0 &&
	       pthread_cond_timedwait(&idle, &lock, &until) == 0)
		;
	pthread_mutex_unlock(&lock);
}
