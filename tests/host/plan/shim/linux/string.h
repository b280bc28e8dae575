/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-ins: the C library's string functions. */
#include <string.h>
