/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-ins: vmalloc() and friends on the C heap. */
#ifndef SHIM_LINUX_VMALLOC_H
#define SHIM_LINUX_VMALLOC_H
#include <stdlib.h>
#define vmalloc(n) malloc(n)
#define vzalloc(n) calloc(1, (n))
#define vfree(p) free(p)
#endif
