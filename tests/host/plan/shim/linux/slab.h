/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-ins: GFP flags and errno values. */
#ifndef SHIM_LINUX_SLAB_H
#define SHIM_LINUX_SLAB_H
#include <errno.h>
#define GFP_KERNEL 0
#endif
