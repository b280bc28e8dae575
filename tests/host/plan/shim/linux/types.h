/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-ins for what src/plan.c uses of the kernel: types. */
#ifndef SHIM_LINUX_TYPES_H
#define SHIM_LINUX_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#define U32_MAX UINT32_MAX
#endif
