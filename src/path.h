/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving the directory part of a trace path without following the
 * symbolic links fs.protected_symlinks protects against. */
#ifndef NS_PATH_H
#define NS_PATH_H

#include <stdbool.h>

#define NS_PATH_DIR_MAX 4096

/*
 * Opens (O_PATH) the directory that holds the last name of @path, walking
 * its directories one name at a time from / or the working directory.
 * Links are followed as the kernel would, except one in a sticky
 * world-writable directory that is neither ours nor the directory owner's:
 * -1 with EACCES then, as with fs.protected_symlinks=1 (proc_sys_fs(5)),
 * whatever that sysctl says. *@last points into @path at the last name,
 * which the caller opens with O_NOFOLLOW relative to the descriptor.
 * Returns -1 with errno on failure (-errno in the freestanding build:
 * sys.h).
 */
int ns_path_dir(const char *path, const char **last);

#endif
