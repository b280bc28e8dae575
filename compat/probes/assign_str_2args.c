// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_ASSIGN_STR_2ARGS: TP_fast_assign()'s __assign_str(dst, src) takes
 * the source string.  v6.10, "tracing: Remove second parameter to
 * __assign_str()", made it __assign_str(dst): the source is the one given
 * to __string().
 */
#define CREATE_TRACE_POINTS
#include "assign_str_2args_trace.h"
