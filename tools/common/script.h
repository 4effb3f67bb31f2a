/* SPDX-License-Identifier: MIT */
/*
 * script.h — the guest-script language of xengt-script (docs/guest-scripts.md):
 * one statement per line, parsed (and its expressions syntax-checked)
 * before anything runs.
 * Pure functions; the runner (tools/script/run.c) evaluates arguments at run time,
 * because `set NAME` defines variables as the script goes.
 */
#ifndef TOOLS_COMMON_SCRIPT_H
#define TOOLS_COMMON_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#define SCRIPT_ARG_MAX 128
#define SCRIPT_MAX_ARGS 5
#define SCRIPT_TEXT_MAX 256

enum script_op {
	SOP_READ,	/* readb|w|l|q ADDR */
	SOP_WRITE,	/* writeb|w|l|q ADDR VALUE */
	SOP_IN,		/* inb|w|l PORT */
	SOP_OUT,	/* outb|w|l PORT VALUE */
	SOP_CFGR,	/* cfgr OFF SIZE: config read through CF8/CFC */
	SOP_CFGW,	/* cfgw OFF SIZE VALUE */
	SOP_MEMR,	/* memr GPA SIZE: guest RAM, bypassing the routing (set-up) */
	SOP_MEMW,	/* memw GPA SIZE VALUE */
	SOP_EXPECT,	/* expect VALUE [MASK]: against the last read */
	SOP_WAIT_MSI,	/* wait-msi [MS] */
	SOP_SET,	/* set NAME [EXPR]: store the last read (or EXPR) */
	SOP_ECHO,	/* echo TEXT: print a heading */
	SOP_MARK,	/* mark: snapshot the sim's route counters */
	SOP_TRAPS,	/* traps: last read = trapped accesses since mark */
	SOP_DIRECT,	/* direct: last read = direct (aperture) accesses since mark */
	SOP_MEMFILL,	/* memfill GPA COUNT SIZE VALUE [STEP]: COUNT items into guest RAM */
	SOP_WRITEFILL,	/* writefill ADDR COUNT SIZE VALUE [STEP]: COUNT guest writes */
	SOP_GMR,	/* gmr GMA SIZE: graphics memory through the guest's GGTT entries */
	SOP_GMW,	/* gmw GMA SIZE VALUE */
	SOP_WAIT_MEM,	/* wait-mem GPA SIZE VALUE [MASK [MS]]: until guest RAM matches */
	SOP_WAIT_READL,	/* wait-readl ADDR VALUE [MASK [MS]]: until a register matches */
};

/* One parsed statement. Arguments stay text until run time. */
struct script_stmt {
	enum script_op op;
	const char *name;     /* keyword as in the table ("readl") */
	unsigned int size;    /* access size in bytes for sized keywords */
	unsigned int line;    /* 1-based line in the file */
	unsigned int nargs;
	char args[SCRIPT_MAX_ARGS][SCRIPT_ARG_MAX];
	char text[SCRIPT_TEXT_MAX]; /* echo */
};

struct script {
	struct script_stmt *stmts;
	size_t n;
};

/*
 * Parse one line. Returns 1 and fills *st for a statement, 0 for a blank or
 * comment line, -EINVAL with err = "line N: <what> '<token>'" otherwise.
 */
int script_parse_line(const char *line, unsigned int lineno,
		      struct script_stmt *st, char *err, size_t errlen);

/* Parse a whole text (lines separated by \n). 0 or the first line's error. */
int script_parse_text(const char *text, struct script *s, char *err, size_t errlen);
/* Read and parse a file. 0, -errno (I/O) or -EINVAL (err says where). */
int script_load(const char *path, struct script *s, char *err, size_t errlen);
void script_free(struct script *s);

/* expect: does last match value under mask? */
static inline int
script_expect_ok(uint64_t last, uint64_t value, uint64_t mask)
{
	return (last & mask) == (value & mask);
}

#endif
