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

int ns_backtrace(char (*frames)[NS_FRAME_MAX], int max)
{
	unw_context_t uc;
	unw_cursor_t cur;
	Dl_info self, di;
	int n = 0;

	if (!dladdr((void *)ns_backtrace, &self) || unw_getcontext(&uc) ||
	    unw_init_local(&cur, &uc))
		return 0;
	while (n < max && unw_step(&cur) > 0) {
		unw_word_t ip, off;
		char name[512];	/* C++ names run long; the frame is cut */
		struct ns_buf b;

		if (unw_get_reg(&cur, UNW_REG_IP, &ip))
			break;
		if (!dladdr((void *)ip, &di))
			di.dli_fname = NULL;
		else if (di.dli_fbase == self.dli_fbase)
			continue;	/* netshim's own frames */
		ns_buf_init(&b, frames[n], NS_FRAME_MAX - 1);
		if (unw_get_proc_name(&cur, name, sizeof(name), &off) == 0) {
			ns_buf_str(&b, name);
			ns_buf_putc(&b, '+');
			ns_buf_hex(&b, off);
		} else {
			ns_buf_hex(&b, ip);
		}
		ns_buf_str(&b, " (");
		ns_buf_str(&b, base_name(di.dli_fname));
		ns_buf_putc(&b, ')');
		frames[n][b.len] = '\0';
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
