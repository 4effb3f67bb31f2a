/* SPDX-License-Identifier: MIT */
/*
 * log.h — logging for every layer: a tag naming the domain and vGPU on
 * each line, log-once-per-cause for anything a guest can trigger, and
 * runtime-selected debug areas. Output goes to stderr (the daemon's
 * journal) with a level prefix.
 */
#ifndef MEDIATOR_LOG_H
#define MEDIATOR_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Debug areas, selected with log_set_debug("mmio,gtt") or XENGT_DEBUG. */
enum dbg_area {
	DBG_IOREQ = 1u << 0,
	DBG_MMIO = 1u << 1,
	DBG_CFG = 1u << 2,
	DBG_GTT = 1u << 3,
	DBG_IRQ = 1u << 4,
	DBG_DISPLAY = 1u << 5,
	DBG_SIM = 1u << 6,
};

void log_set_level(enum log_level lvl);
/* Parse a comma list of area names; returns 0 or -EINVAL naming nothing valid. */
int log_set_debug(const char *areas);
bool log_debug_on(enum dbg_area area);
/* Lines logged so far at any level (tests assert a guest error logged). */
uint64_t log_lines(void);

void log_msg(enum log_level lvl, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level lvl, const char *tag, const char *fmt, va_list ap);

#define log_err(...)  log_msg(LOG_ERR, NULL, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define log_dbg(area, ...)                                   \
	do {                                                 \
		if (log_debug_on(area))                      \
			log_msg(LOG_DEBUG, NULL, __VA_ARGS__); \
	} while (0)

#endif
