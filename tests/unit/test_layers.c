/* SPDX-License-Identifier: MIT */
/*
 * test_layers.c — tools/check-layers.sh (run by `make check-layers`) on
 * small trees made here: each include rule of ARCHITECTURE.md must fail a
 * tree that breaks it, name the file, and pass the tree without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/test_util.h"

#define SCRIPT "tools/check-layers.sh"

/* Make root/rel (with its directory) holding text. */
static void
put_file(const char *root, const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* Run the checker on root; its exit status, its output in out. */
static int
run_check(const char *root, char *out, size_t len)
{
	char script[512], cmd[1200];
	FILE *p;
	size_t n;
	int st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(SCRIPT, script));
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' 2>&1", script, root);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A tree that follows every rule. */
static void
clean_tree(const char *root)
{
	put_file(root, "mediator/vgpu.c", "#include \"mediator/hv.h\"\n#include <stdio.h>\n");
	put_file(root, "xen-glue/hv_xen.c", "#include <xenctrl.h>\n#include \"glue_int.h\"\n"
		 "#include \"mediator/vgpu.h\"\n");
	put_file(root, "dm/instance.c", "#include \"dm/glue_ops.h\"\n#include \"mediator/log.h\"\n");
	put_file(root, "xen-glue/glue.h", "#include \"dm/glue_ops.h\"\n");
	put_file(root, "sim/xc.c", "#include <xenctrl.h>\n");
}

static const struct {
	const char *file, *text, *rule;
} bad_trees[] = {
	{ "mediator/ggtt.c", "#include \"xen-glue/glue.h\"\n", "mediator/ includes" },
	{ "mediator/ggtt.c", "#include \"../dm/instance.h\"\n", "mediator/ includes" },
	{ "mediator/ggtt.c", "#include \"sim/xensim.h\"\n", "mediator/ includes" },
	{ "mediator/ggtt.c", "#include <xen/hvm/ioreq.h>\n", "Xen header" },
	{ "dm/main.c", "#include <xenctrl.h>\n", "Xen header" },
	{ "tools/ctl/list.c", "#include <xenstore.h>\n", "Xen header" },
	{ "dm/main.c", "#include \"xen-glue/glue_int.h\"\n", "glue_int.h" },
	{ "dm/vgpu_spec.c", "#include \"mediator/gm.h\"\n", "mediator-internal" },
	{ "mediator/ggtt.c", "#include <xen-glue/glue.h>\n", "mediator/ includes" },
	{ "mediator/ggtt.c", "  #  include \"sim/xensim.h\"\n", "mediator/ includes" },
	{ "dm/main.c", "#include <mediator/vgpu_int.h>\n", "mediator-internal" },
	{ "xen-glue/hv_xen.c", "#include \"mediator/vgpu.h\"\n#include \"mediator/vgpu_int.h\"\n",
	  "mediator-internal" },
	{ "qemu-glue/proxy.c", "#include \"xen-glue/glue.h\"\n", "qemu-glue/ includes" },
	{ "xen-glue/hv_xen.c", "#include \"dm/instance.h\"\n", "a glue includes dm/" },
	{ "dm/instance.c", "#include \"xen-glue/glue.h\"\n", "dm/ includes xen-glue/" },
};

static void
test_rules(void)
{
	char root[] = "/tmp/xengt-layers-XXXXXX", out[2048], cmd[600];

	if (access(SCRIPT, R_OK)) {
		test_skip("tools/check-layers.sh not found (run from the source tree)");
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	clean_tree(root);
	CU_ASSERT_EQUAL(run_check(root, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "check-layers: ok"));
	for (size_t i = 0; i < sizeof(bad_trees) / sizeof(bad_trees[0]); i++) {
		char path[600], expect[300];

		put_file(root, bad_trees[i].file, bad_trees[i].text);
		CU_ASSERT_EQUAL(run_check(root, out, sizeof(out)), 1);
		snprintf(expect, sizeof(expect), "%s: ", bad_trees[i].file);
		if (!strstr(out, expect) || !strstr(out, bad_trees[i].rule))
			fprintf(stderr, "\ncase %zu (%s): %s\n", i, bad_trees[i].file, out);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, expect));
		CU_ASSERT_PTR_NOT_NULL(strstr(out, bad_trees[i].rule));
		snprintf(path, sizeof(path), "%s/%s", root, bad_trees[i].file);
		unlink(path);
		clean_tree(root);
		CU_ASSERT_EQUAL(run_check(root, out, sizeof(out)), 0);
	}
	/* The project's own tree passes. */
	CU_ASSERT_EQUAL(run_check(".", out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

void suite_layers(void);
void
suite_layers(void)
{
	static const struct test_case cases[] = {
		{ "each include rule fails a tree that breaks it", test_rules },
		{ NULL, NULL },
	};

	test_add_suite("layers", cases);
}
