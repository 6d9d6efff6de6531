// SPDX-License-Identifier: LGPL-2.1-or-later
/* Callers of a hooked call through libunwind, for NETSHIM_BACKTRACE. */
#include "shim.h"
#include "../src/buf.h"

#ifdef HAVE_LIBUNWIND
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <libunwind.h>
#include <string.h>

const bool shim_have_backtrace = true;

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

/* "function+0xoff (module)" for the frame at @ip; @skip when the frame
 * is netshim's own (its module's base is @self). */
static void name_frame(unw_cursor_t *cur, unw_word_t ip, const void *self,
		       char *out, bool *skip)
{
	char name[512];	/* C++ names run long; the frame is cut */
	unw_word_t off;
	struct ns_buf b;
	Dl_info di;

	*skip = false;
	if (!dladdr((void *)ip, &di)) {
		di.dli_fname = NULL;
	} else if (di.dli_fbase == self) {
		*skip = true;
		return;
	}
	ns_buf_init(&b, out, SHIM_FRAME_MAX - 1);
	if (unw_get_proc_name(cur, name, sizeof(name), &off) == 0) {
		ns_buf_str(&b, name);
		ns_buf_putc(&b, '+');
		ns_buf_hex(&b, off);
	} else {
		ns_buf_hex(&b, ip);
	}
	ns_buf_str(&b, " (");
	ns_buf_str(&b, base_name(di.dli_fname));
	ns_buf_putc(&b, ')');
	out[b.len] = '\0';
}

/*
 * Naming a frame is the slow part: libunwind maps the frame's ELF file to
 * read its symbol table, and dladdr walks the loaded objects (hundreds of
 * microseconds an event). A program calls from the same few places, so
 * each thread keeps the names of the return addresses it has seen. A
 * signal handler arriving while the cache is in use names on its own.
 */
#define NAME_CACHE 64	/* a power of two */

static __thread struct {
	bool busy;
	unsigned victim;
	struct {
		unw_word_t ip;
		bool skip;
		char text[SHIM_FRAME_MAX];
	} slot[NAME_CACHE];
} names __attribute__((tls_model("initial-exec")));

/* The slot that holds @ip, or the one to name it into: four neighbours
 * are tried, as two frames of one event sharing a slot (a dozen addresses
 * in 64 slots often do) named one of them again on every event. */
static unsigned slot_of(unw_word_t ip)
{
	unsigned h = (unsigned)(ip >> 4), i;

	for (i = 0; i < 4; i++) {
		unsigned k = (h + i) & (NAME_CACHE - 1);

		if (names.slot[k].ip == ip || !names.slot[k].ip)
			return k;
	}
	/* All four hold others: evict them in turn. */
	return (h + names.victim++ % 4) & (NAME_CACHE - 1);
}

static void frame_text(unw_cursor_t *cur, unw_word_t ip, const void *self,
		       char *out, bool *skip)
{
	unsigned k;

	if (names.busy) {
		name_frame(cur, ip, self, out, skip);
		return;
	}
	names.busy = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	k = slot_of(ip);
	if (names.slot[k].ip != ip) {
		name_frame(cur, ip, self, names.slot[k].text,
			   &names.slot[k].skip);
		names.slot[k].ip = ip;
	}
	*skip = names.slot[k].skip;
	if (!*skip)
		memcpy(out, names.slot[k].text, SHIM_FRAME_MAX);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	names.busy = false;
}

/* Where netshim's own code is loaded: its frames are left out of every
 * backtrace without looking them up. */
static uintptr_t self_lo, self_hi;

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0, me = (uintptr_t)arg;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (a < lo)
			lo = a;
		if (a + ph->p_memsz > hi)
			hi = a + ph->p_memsz;
	}
	if (me < lo || me >= hi)
		return 0;
	self_lo = lo;
	self_hi = hi;
	return 1;
}

/* Frames of netshim's own on top of the program's, at most: what the
 * fast walk asks for beyond @max. */
#define SELF_FRAMES 16

/*
 * The walk when every frame's name is cached, which is the steady state:
 * unw_backtrace keeps a per-thread cache of frame layouts and walks
 * without unw_step's locking, which blocks every signal twice a frame
 * (sixteen sigprocmask calls an event). Returns -1 when a frame is not
 * cached or the walk may have stopped short; the slow walk names it.
 */
static int from_cache(char (*frames)[SHIM_FRAME_MAX], int max)
{
	void *ips[NS_BACKTRACE_MAX + SELF_FRAMES];
	int got, n = 0;

	if (names.busy)
		return -1;
	got = unw_backtrace(ips, max + SELF_FRAMES);
	names.busy = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < got && n < max; i++) {
		unw_word_t ip = (unw_word_t)ips[i];
		unsigned k;

		if (ip >= self_lo && ip < self_hi)
			continue;
		k = slot_of(ip);
		if (names.slot[k].ip != ip) {
			n = -1;
			break;
		}
		if (!names.slot[k].skip)
			memcpy(frames[n++], names.slot[k].text, SHIM_FRAME_MAX);
	}
	if (n >= 0 && n < max && got == max + SELF_FRAMES)
		n = -1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	names.busy = false;
	return n;
}

int shim_backtrace(char (*frames)[SHIM_FRAME_MAX], int max)
{
	static const void *self;	/* our base; the same for everyone */
	unw_context_t uc;
	unw_cursor_t cur;
	int n = 0;

	if (!self) {
		Dl_info di;

		if (!dladdr((void *)shim_backtrace, &di))
			return 0;
		dl_iterate_phdr(find_self, (void *)shim_backtrace);
		self = di.dli_fbase;
	}
	if ((n = from_cache(frames, max)) >= 0)
		return n;
	n = 0;
	if (unw_getcontext(&uc) || unw_init_local(&cur, &uc))
		return 0;
	while (n < max && unw_step(&cur) > 0) {
		unw_word_t ip;
		bool skip;

		if (unw_get_reg(&cur, UNW_REG_IP, &ip))
			break;
		if (ip >= self_lo && ip < self_hi)
			continue;
		frame_text(&cur, ip, self, frames[n], &skip);
		if (!skip)
			n++;
	}
	return n;
}
#else
const bool shim_have_backtrace = false;

int shim_backtrace(char (*frames)[SHIM_FRAME_MAX], int max)
{
	(void)frames;
	(void)max;
	return 0;
}
#endif
