/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-ins: hash_long() as the kernel's hash_64(). */
#ifndef SHIM_LINUX_HASH_H
#define SHIM_LINUX_HASH_H
#include <linux/types.h>
static inline u32 hash_long(unsigned long val, unsigned int bits)
{
	return (u32)(((u64)val * 0x61C8864680B583EBull) >> (64 - bits));
}
#endif
