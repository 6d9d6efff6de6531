// SPDX-License-Identifier: LGPL-2.1-or-later
/* Callers of a hooked call through libunwind, for NETSHIM_BACKTRACE. */
#include "shim.h"
#include "../src/buf.h"

#ifdef HAVE_LIBUNWIND
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <string.h>

const bool ns_have_backtrace = true;

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
	ns_buf_init(&b, out, NS_FRAME_MAX - 1);
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
	struct {
		unw_word_t ip;
		bool skip;
		char text[NS_FRAME_MAX];
	} slot[NAME_CACHE];
} names __attribute__((tls_model("initial-exec")));

static void frame_text(unw_cursor_t *cur, unw_word_t ip, const void *self,
		       char *out, bool *skip)
{
	unsigned h = (unsigned)(ip >> 4) & (NAME_CACHE - 1);

	if (names.busy) {
		name_frame(cur, ip, self, out, skip);
		return;
	}
	names.busy = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (names.slot[h].ip != ip) {
		name_frame(cur, ip, self, names.slot[h].text,
			   &names.slot[h].skip);
		names.slot[h].ip = ip;
	}
	*skip = names.slot[h].skip;
	if (!*skip)
		memcpy(out, names.slot[h].text, NS_FRAME_MAX);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	names.busy = false;
}

int ns_backtrace(char (*frames)[NS_FRAME_MAX], int max)
{
	static const void *self;	/* our base; the same for everyone */
	unw_context_t uc;
	unw_cursor_t cur;
	int n = 0;

	if (!self) {
		Dl_info di;

		if (!dladdr((void *)ns_backtrace, &di))
			return 0;
		self = di.dli_fbase;
	}
	if (unw_getcontext(&uc) || unw_init_local(&cur, &uc))
		return 0;
	while (n < max && unw_step(&cur) > 0) {
		unw_word_t ip;
		bool skip;

		if (unw_get_reg(&cur, UNW_REG_IP, &ip))
			break;
		frame_text(&cur, ip, self, frames[n], &skip);
		if (!skip)
			n++;
	}
	return n;
}
#else
const bool ns_have_backtrace = false;

int ns_backtrace(char (*frames)[NS_FRAME_MAX], int max)
{
	(void)frames;
	(void)max;
	return 0;
}
#endif
