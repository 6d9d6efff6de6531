// SPDX-License-Identifier: LGPL-2.1-or-later
/* Where libc's code is, and whether the program is Go (NETSHIM_RAW=auto):
 * what the library's trap front asks before it builds its filter. */
#include "trap.h"
#include "../src/sys.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

static int find_text(struct dl_phdr_info *info, size_t size, void *arg)
{
	uint64_t want = (uint64_t)(uintptr_t)arg;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) ||
		    want < lo || want >= lo + ph->p_memsz)
			continue;
		trap_libc.lo = lo;
		trap_libc.hi = lo + ph->p_memsz;
		return 1;
	}
	return 0;
}

/*
 * libc's executable segment, from the loaded libc's program headers: the
 * one that holds syscall(2). syscall(2) itself is the way a C program makes
 * a raw call, so its own instruction is found (the first syscall opcode,
 * 0f 05, in its first bytes) and traps like any call from outside libc.
 */
bool trap_find_libc(void)
{
	const unsigned char *p = (const unsigned char *)(uintptr_t)&syscall;

	if (!dl_iterate_phdr(find_text, (void *)(uintptr_t)p))
		return false;
	for (int i = 0; i < 64; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x05) {
			trap_libc.syscall_ip = (uint64_t)(uintptr_t)p + i + 2;
			return true;
		}
	return false;
}

/* Go links a .go.buildinfo section (Go 1.13 on) and a .note.go.buildid
 * note into every program (cmd/link); the command's cli/reach.c looks for
 * the same names. */
bool trap_is_go(void)
{
	ElfW(Ehdr) eh;
	ElfW(Shdr) sh, str;
	char name[24];
	bool go = false;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_shentsize != sizeof(sh) || eh.e_shstrndx >= eh.e_shnum ||
	    pread(fd, &str, sizeof(str),
		  (off_t)(eh.e_shoff + eh.e_shstrndx * sizeof(sh))) !=
		    sizeof(str))
		goto out;
	for (int i = 0; i < eh.e_shnum && !go; i++) {
		ssize_t n;

		if (pread(fd, &sh, sizeof(sh),
			  (off_t)(eh.e_shoff + i * sizeof(sh))) != sizeof(sh))
			break;
		n = pread(fd, name, sizeof(name) - 1,
			  (off_t)(str.sh_offset + sh.sh_name));
		if (n <= 0)
			continue;
		name[n] = '\0';
		go = !strcmp(name, ".go.buildinfo") ||
		     !strcmp(name, ".note.go.buildid");
	}
out:
	ns_sys_close(fd);
	return go;
}

