/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmds.h — xengt-script --ctl: xengt-ctl commands run against the
 * daemon after the guests finished and before it is stopped, with the
 * text DOMID expanded to each domain in turn.
 */
#ifndef TOOLS_SCRIPT_CTL_CMDS_H
#define TOOLS_SCRIPT_CTL_CMDS_H

#include <stdint.h>

#define CTL_CMDS_MAX 16		/* --ctl options */
#define CTL_CMD_WORDS 28	/* words in one command */

/* Check one --ctl argument: 1..CTL_CMD_WORDS words. 0 or -EINVAL (message printed). */
int ctl_cmd_check(const char *cmd);

/*
 * Run `xengt-ctl -s SOCK CMD` for each command in order, its output on our
 * stdout under a "$ xengt-ctl CMD" heading. A command with DOMID in a word
 * (shot-DOMID.png) runs once per domain, DOMID replaced by the domain's id. Returns the
 * number of runs that did not exit 0.
 */
unsigned int ctl_cmds_run(const char *sock, const char *const *cmds, unsigned int ncmds,
			  const uint32_t *domids, unsigned int ndom);

#endif
