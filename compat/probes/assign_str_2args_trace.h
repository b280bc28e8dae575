/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sr_probe

#if !defined(SR_PROBE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SR_PROBE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(sr_probe,
	    TP_PROTO(const char *s),
	    TP_ARGS(s),
	    TP_STRUCT__entry(__string(s, s)),
	    TP_fast_assign(__assign_str(s, s);),
	    TP_printk("%s", __get_str(s)));

#endif

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE assign_str_2args_trace
#include <trace/define_trace.h>
