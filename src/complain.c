// SPDX-License-Identifier: LGPL-2.1-or-later
/* The NETSHIM_* variables' names and the one line that complains about a
 * bad value, for the parsers of config.c and fault_parse.c alike. */
#include "complain.h"
#include "buf.h"

/* How much of a bad value a complaint repeats. */
#define SHOW_MAX 64

const char *const ns_var_names[NS_VAR_COUNT] = {
#define NS_X(name) [NS_VAR_##name] = "NETSHIM_" #name,
	NS_VARS(NS_X)
#undef NS_X
};

/* "netshim: NAME=VALUE " then @what; one line, bounded, escaped. */
void ns_config_complain(const struct ns_config_io *io, const char *name,
			const char *value, const char *what, const char *what2)
{
	char mem[512];
	struct ns_buf b;

	ns_buf_init(&b, mem, sizeof(mem) - 1);
	ns_buf_str(&b, "netshim: ");
	ns_buf_esc(&b, name, SHOW_MAX);
	if (value) {
		ns_buf_putc(&b, '=');
		/* The value may be huge or hold control bytes. */
		ns_buf_esc(&b, value, SHOW_MAX);
	}
	ns_buf_putc(&b, ' ');
	ns_buf_str(&b, what);
	if (what2)
		ns_buf_str(&b, what2);
	if (b.overflow)
		b.len = b.cap;
	b.p[b.len++] = '\n';
	io->warn(b.p, b.len, io->ctx);
}
