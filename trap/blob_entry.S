/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The blob's entry point: netshim calls it in the stopped program with
 * rdi and rsi as trap/blob.h says, and waits for the int3 after it. */
	.section .text.entry,"ax",@progbits
	.globl	trap_blob_entry
	.hidden	trap_blob_entry
trap_blob_entry:
	call	trap_blob_init
	int3
	.section .note.GNU-stack,"",@progbits
