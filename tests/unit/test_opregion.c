/* SPDX-License-Identifier: MIT */
/*
 * test_opregion.c — the vGPU's OpRegion and VBT judged by the rules i915
 * 6.1 applies (intel_opregion_setup, intel_bios_is_valid_vbt, the block
 * walk, parse_general_definitions, dvo_port_to_port, the encoder
 * supports_* bits), re-implemented here from those rules, not from
 * opregion.c; and ASLS over the fake hypervisor: a RAM address gets the
 * bytes, any other is claimed and served, moves, reset and destroy
 * release the claim, hostile values are refused and logged.
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* What i915 would make of the VBT's ports: one entry per child device found. */
struct port_seen {
	int port;		/* 0 = A .. 3 = D, -1 = no DDI port */
	bool dp, dvi, hdmi, edp;
};

/*
 * intel_opregion_setup + intel_bios_is_valid_vbt + find_raw_section +
 * parse_general_definitions, as checks. Returns the number of child
 * devices, -1 if i915 would not take the VBT.
 */
static int
i915_parse(const uint8_t *opr, struct port_seen *seen, int max)
{
	/* dvo_port -> port of a DDI platform (intel_bios.c port_mapping, A-D). */
	static const int dvo_map[][2] = { { 0, 10 }, { 1, 7 }, { 2, 8 }, { 3, 9 } };
	const uint8_t *vbt = opr + 0x400, *bdb, *defs = NULL;
	uint32_t vbt_size, bdb_off, bdb_size, idx, child_size, n;
	uint8_t sum = 0;

	if (memcmp(opr, "IntelGraphicsMem", 16) != 0)
		return -1;
	CU_ASSERT_EQUAL(le32(opr + 0x10), 8);	/* size in KiB */
	CU_ASSERT(opr[0x17] >= 2);		/* version major */
	CU_ASSERT(le32(opr + 0x58) & (1u << 3)); /* mailbox 4: VBT */
	/* No ASLE mailbox: i915 takes the VBT from mailbox 4, 8 KiB - 1 KiB max. */
	CU_ASSERT_EQUAL(le32(opr + 0x58) & (1u << 2), 0);
	if (memcmp(vbt, "$VBT", 4) != 0)
		return -1;
	vbt_size = le16(vbt + 24);
	if (vbt_size > 8192 - 0x400)
		return -1;
	bdb_off = le32(vbt + 28);
	if (bdb_off > vbt_size || 22 > vbt_size - bdb_off)
		return -1;
	bdb = vbt + bdb_off;
	bdb_size = le16(bdb + 20);
	if (bdb_size > vbt_size - bdb_off)
		return -1;
	for (uint32_t i = 0; i < vbt_size; i++)
		sum = (uint8_t)(sum + vbt[i]);
	CU_ASSERT_EQUAL(sum, 0);
	CU_ASSERT_EQUAL(memcmp(bdb, "BIOS_DATA_BLOCK", 15), 0);
	/* Walk the blocks for block 2 (find_raw_section). */
	for (idx = le16(bdb + 18); idx + 3 < bdb_size;) {
		uint8_t id = bdb[idx];
		uint32_t size = le16(bdb + idx + 1);

		idx += 3;
		if (idx + size > bdb_size)
			return -1;
		if (id == 2) {
			defs = bdb + idx;
			n = size;
			break;
		}
		idx += size;
	}
	if (!defs || n < 5)
		return -1;
	child_size = defs[4];
	/* The child size i915 expects for the BDB version (111..194: 33). */
	CU_ASSERT(le16(bdb + 16) >= 111 && le16(bdb + 16) < 195);
	CU_ASSERT_EQUAL(child_size, 33);
	if (child_size < 33)
		return -1;
	int found = 0;
	for (uint32_t c = 0; c < (n - 5) / child_size && found < max; c++) {
		const uint8_t *ch = defs + 5 + c * child_size;
		uint16_t type = le16(ch + 2);
		struct port_seen *p = &seen[found];

		if (!type)
			continue;
		p->port = -1;
		for (int port = 0; port < 4; port++)
			if (ch[16] == dvo_map[port][0] || ch[16] == dvo_map[port][1])
				p->port = port;
		p->dp = type & (1u << 2);
		p->dvi = type & (1u << 4);
		p->hdmi = p->dvi && !(type & (1u << 11));
		p->edp = p->dp && (type & (1u << 12));
		found++;
	}
	return found;
}

static void
check_vbt(bool hdmi)
{
	uint8_t opr[OPREGION_SIZE];
	struct port_seen seen[8];

	opregion_build(opr, hdmi);
	CU_ASSERT_EQUAL_FATAL(i915_parse(opr, seen, 8), 1);
	CU_ASSERT_EQUAL(seen[0].port, 3); /* DDI D, where the monitor is */
	CU_ASSERT_EQUAL(seen[0].dp, !hdmi);
	CU_ASSERT_EQUAL(seen[0].hdmi, hdmi);
	CU_ASSERT_EQUAL(seen[0].dvi, hdmi);
	CU_ASSERT(!seen[0].edp);
	CU_ASSERT_EQUAL(opregion_vbt_sum(opr), 0);
}

static void
test_vbt_dp(void)
{
	check_vbt(false);
}

static void
test_vbt_hdmi(void)
{
	check_vbt(true);
}

/* A damaged VBT fails the same rules: the checker can fail. */
static void
test_vbt_checker_rejects(void)
{
	uint8_t opr[OPREGION_SIZE];
	struct port_seen seen[8];

	opregion_build(opr, false);
	opr[0x400] = '#';
	CU_ASSERT_EQUAL(i915_parse(opr, seen, 8), -1);
	opregion_build(opr, false);
	opr[0x400 + 24] = 0xff; /* vbt_size past mailbox 4 */
	opr[0x400 + 25] = 0x1f;
	CU_ASSERT_EQUAL(i915_parse(opr, seen, 8), -1);
	opregion_build(opr, false);
	opr[0x400 + 100]++;
	CU_ASSERT_NOT_EQUAL(opregion_vbt_sum(opr), 0);
}

/* ---- ASLS over the fake hypervisor ---- */

static struct fake_setup s;

static struct vgpu *
setup(bool hdmi)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	cfg.monitor_hdmi = hdmi;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_FATAL(fake_setup_whole(&s, 3, &cfg) == 0);
	return s.v;
}

static uint32_t
asls(struct vgpu *v)
{
	uint32_t val = 0;

	CU_ASSERT_EQUAL(vgpu_cfg_access(v, false, 0xfc, 4, &val), 0);
	return val;
}

static void
asls_write(struct vgpu *v, unsigned int reg, unsigned int size, uint32_t val)
{
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, true, reg, size, &val), 0);
}

/* Is exactly [start, end] a live MMIO claim (not just inside one)? */
static bool
claimed_exactly(struct hv *hv, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < hv->nr_claims; i++)
		if (hv->claims[i].live && hv->claims[i].kind == 'm' &&
		    hv->claims[i].start == start && hv->claims[i].end == end)
			return true;
	return false;
}

static unsigned int
live_mmio_claims(struct hv *hv)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < hv->nr_claims; i++)
		n += hv->claims[i].live && hv->claims[i].kind == 'm';
	return n;
}

/* hvmloader's first mem_hole_alloc(3): below 0xfe000000, not RAM (16 MiB here). */
#define HOLE_ASLS 0xfdffd000u
#define RAM_ASLS  0x00f00000u

static void
test_asls_ram(void)
{
	struct vgpu *v = setup(true);
	uint8_t want[OPREGION_SIZE];
	struct port_seen seen[8];

	CU_ASSERT_EQUAL(asls(v), 0);
	asls_write(v, 0xfc, 4, RAM_ASLS);
	CU_ASSERT_EQUAL(asls(v), RAM_ASLS);
	opregion_build(want, true);
	CU_ASSERT_EQUAL(memcmp(s.hv->ram + RAM_ASLS, want, OPREGION_SIZE), 0);
	CU_ASSERT_EQUAL(i915_parse(s.hv->ram + RAM_ASLS, seen, 8), 1);
	CU_ASSERT(seen[0].hdmi && !seen[0].dp);
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 0); /* RAM: nothing trapped */
	fake_teardown(&s);
}

static uint64_t
memr(struct vgpu *v, uint64_t gpa, unsigned int size)
{
	uint64_t val = 0;

	CU_ASSERT_EQUAL(vgpu_mem_access(v, false, gpa, size, &val), 0);
	return val;
}

static void
memw(struct vgpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	CU_ASSERT_EQUAL(vgpu_mem_access(v, true, gpa, size, &val), 0);
}

static void
test_asls_mmio(void)
{
	struct vgpu *v = setup(false);
	uint8_t want[OPREGION_SIZE], got[OPREGION_SIZE];
	struct trap_entry rows[16];
	struct port_seen seen[8];
	size_t n;
	bool row = false;

	asls_write(v, 0xfc, 4, HOLE_ASLS);
	CU_ASSERT_EQUAL(asls(v), HOLE_ASLS);
	CU_ASSERT(claimed_exactly(s.hv, HOLE_ASLS, HOLE_ASLS + OPREGION_SIZE - 1));
	/* Every byte reads as the OpRegion, in any access size. */
	opregion_build(want, false);
	for (unsigned int off = 0; off < OPREGION_SIZE; off += 8) {
		uint64_t q = memr(v, HOLE_ASLS + off, 8);

		memcpy(got + off, &q, 8);
	}
	CU_ASSERT_EQUAL(memcmp(got, want, OPREGION_SIZE), 0);
	CU_ASSERT_EQUAL(i915_parse(got, seen, 8), 1);
	CU_ASSERT(seen[0].dp && !seen[0].hdmi);
	CU_ASSERT_EQUAL(memr(v, HOLE_ASLS + 0x400, 4), le32((const uint8_t *)"$VBT"));
	CU_ASSERT_EQUAL(memr(v, HOLE_ASLS + 0x401, 1), 'V');
	/* Mailbox 1 takes writes; the header and the VBT do not. */
	memw(v, HOLE_ASLS + 0x100, 4, 0x12345678);
	CU_ASSERT_EQUAL(memr(v, HOLE_ASLS + 0x100, 4), 0x12345678);
	memw(v, HOLE_ASLS, 4, 0);
	CU_ASSERT_EQUAL(memr(v, HOLE_ASLS, 4), le32(want));
	memw(v, HOLE_ASLS + 0x400, 8, 0);
	CU_ASSERT_EQUAL(memr(v, HOLE_ASLS + 0x400, 4), le32(want + 0x400));
	/* Past the end: all-ones, counted, no crash. */
	uint64_t bad = s.v->stats.bad_access;
	CU_ASSERT_EQUAL(memr(v, HOLE_ASLS + OPREGION_SIZE - 2, 4), ~0ull);
	CU_ASSERT_EQUAL(s.v->stats.bad_access, bad + 1);
	/* The trap map shows the claim. */
	n = vgpu_trap_map(v, rows, 16);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].what, "OpRegion")) {
			row = true;
			CU_ASSERT_EQUAL(rows[i].mech, TRAP_IOREQ_MMIO);
			CU_ASSERT_EQUAL(rows[i].start, HOLE_ASLS);
			CU_ASSERT_EQUAL(rows[i].end, HOLE_ASLS + OPREGION_SIZE - 1);
			CU_ASSERT(rows[i].traps >= OPREGION_SIZE / 8);
		}
	CU_ASSERT(row);
	fake_teardown(&s);
}

static void
test_asls_move_reset_destroy(void)
{
	struct vgpu *v = setup(false);
	const uint32_t other = 0xfbff0000u;

	asls_write(v, 0xfc, 4, HOLE_ASLS);
	CU_ASSERT(claimed_exactly(s.hv, HOLE_ASLS, HOLE_ASLS + OPREGION_SIZE - 1));
	/* Moved: the old range is released before the new one is claimed. */
	asls_write(v, 0xfc, 4, other);
	CU_ASSERT(!claimed_exactly(s.hv, HOLE_ASLS, HOLE_ASLS + OPREGION_SIZE - 1));
	CU_ASSERT(claimed_exactly(s.hv, other, other + OPREGION_SIZE - 1));
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 1);
	{
		uint64_t val = 0;

		/* The old address is no longer this vGPU's. */
		CU_ASSERT_EQUAL(vgpu_mem_access(v, false, HOLE_ASLS, 4, &val), -ENOENT);
	}
	/* Byte writes compose: the high word first, then the low word. */
	asls_write(v, 0xfe, 2, HOLE_ASLS >> 16);
	CU_ASSERT_EQUAL(asls(v), (HOLE_ASLS & 0xffff0000u));
	asls_write(v, 0xfc, 2, HOLE_ASLS & 0xffff);
	CU_ASSERT_EQUAL(asls(v), HOLE_ASLS);
	CU_ASSERT(claimed_exactly(s.hv, HOLE_ASLS, HOLE_ASLS + OPREGION_SIZE - 1));
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 1);
	/* To RAM: the claim goes, the bytes land there. */
	asls_write(v, 0xfc, 4, RAM_ASLS);
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 0);
	CU_ASSERT_EQUAL(memcmp(s.hv->ram + RAM_ASLS, "IntelGraphicsMem", 16), 0);
	/* Zero: nothing published. */
	asls_write(v, 0xfc, 4, HOLE_ASLS);
	asls_write(v, 0xfc, 4, 0);
	CU_ASSERT_EQUAL(asls(v), 0);
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 0);
	/* A whole-device reset clears ASLS and the claim; a GDRST-style domain reset does not. */
	asls_write(v, 0xfc, 4, HOLE_ASLS);
	pthread_mutex_lock(&v->lock);
	vgpu_reset_domains(v, 1u);
	pthread_mutex_unlock(&v->lock);
	CU_ASSERT_EQUAL(asls(v), HOLE_ASLS);
	pthread_mutex_lock(&v->lock);
	vgpu_reset_domains(v, VGPU_RESET_ALL);
	pthread_mutex_unlock(&v->lock);
	CU_ASSERT_EQUAL(asls(v), 0);
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 0);
	/* Destroy releases a live claim. */
	asls_write(v, 0xfc, 4, HOLE_ASLS);
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 1);
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 0);
	fake_teardown(&s);
}

static int
set_asls_locked(struct vgpu *v, uint32_t val)
{
	int rc;

	pthread_mutex_lock(&v->lock);
	rc = opregion_set_asls(v, val);
	pthread_mutex_unlock(&v->lock);
	return rc;
}

static void
test_asls_hostile(void)
{
	struct vgpu *v = setup(false);
	uint64_t lines = log_lines();

	/* Unaligned: refused with a log line, ASLS reads 0, nothing claimed. */
	asls_write(v, 0xfc, 4, HOLE_ASLS + 0x10);
	CU_ASSERT_EQUAL(asls(v), 0);
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), 0);
	CU_ASSERT_EQUAL(v->opr.refused, 1);
	CU_ASSERT_EQUAL(log_lines() - lines, 1);
	/* The errno of each refusal. */
	CU_ASSERT_EQUAL(set_asls_locked(v, HOLE_ASLS + 0x10), -EINVAL);
	CU_ASSERT_EQUAL(set_asls_locked(v, 0xfffff000u), -EINVAL); /* runs past 4 GiB */
	CU_ASSERT_EQUAL(set_asls_locked(v, 0xffffe000u), 0);	    /* the last 8 KiB fit */
	CU_ASSERT_EQUAL(set_asls_locked(v, 0), 0);
	fake_place_bars(v);
	unsigned int bars = live_mmio_claims(s.hv);
	CU_ASSERT_EQUAL(set_asls_locked(v, (uint32_t)FAKE_BAR0 + 0x1000), -EINVAL);
	CU_ASSERT_EQUAL(set_asls_locked(v, (uint32_t)FAKE_BAR0 - 0x1000), -EINVAL); /* straddles */
	CU_ASSERT_EQUAL(set_asls_locked(v, (uint32_t)FAKE_BAR2), -EINVAL);	  /* aperture */
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), bars);
	CU_ASSERT_EQUAL(asls(v), 0);
	/* RAM refused and the claim refused too: the hypervisor's errno, ASLS 0. */
	s.hv->fail_next = -ENOSPC;
	s.hv->fail_skip = 1; /* write_gpa passes the injection and finds no RAM */
	CU_ASSERT_EQUAL(set_asls_locked(v, HOLE_ASLS), -ENOSPC);
	CU_ASSERT_EQUAL(asls(v), 0);
	CU_ASSERT_EQUAL(live_mmio_claims(s.hv), bars);
	/* An unclaim refused: kept, the move refused (-EBUSY), retried next time. */
	CU_ASSERT_EQUAL(set_asls_locked(v, HOLE_ASLS), 0);
	s.hv->fail_next = -EIO;
	CU_ASSERT_EQUAL(set_asls_locked(v, 0xfbff0000u), -EBUSY);
	CU_ASSERT_EQUAL(asls(v), 0);
	CU_ASSERT(claimed_exactly(s.hv, HOLE_ASLS, HOLE_ASLS + OPREGION_SIZE - 1));
	CU_ASSERT_EQUAL(v->opr.release_failed, 1);
	CU_ASSERT_EQUAL(set_asls_locked(v, 0xfbff0000u), 0);
	CU_ASSERT(!claimed_exactly(s.hv, HOLE_ASLS, HOLE_ASLS + OPREGION_SIZE - 1));
	CU_ASSERT(claimed_exactly(s.hv, 0xfbff0000u, 0xfbff0000u + OPREGION_SIZE - 1));
	CU_ASSERT_EQUAL(v->opr.refused, 8);
	fake_teardown(&s);
}

/* Each vGPU has its own OpRegion, from its own monitor type. */
static void
test_per_vgpu(void)
{
	struct vgpu_config cfg;
	struct hv *hv2;
	struct vgpu *v2;
	struct port_seen seen[8];

	setup(false);
	vgpu_config_default(&cfg);
	cfg.monitor_hdmi = true;
	cfg.dev = 3;
	snprintf(cfg.type, sizeof(cfg.type), "%s", "xengt_small");
	CU_ASSERT_FATAL(vgpu_type_apply(&cfg) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 4, &cfg, false, &hv2, &v2) == 0);
	asls_write(s.v, 0xfc, 4, RAM_ASLS);
	asls_write(v2, 0xfc, 4, RAM_ASLS);
	CU_ASSERT_EQUAL(i915_parse(s.hv->ram + RAM_ASLS, seen, 8), 1);
	CU_ASSERT(seen[0].dp && !seen[0].hdmi);
	CU_ASSERT_EQUAL(i915_parse(hv2->ram + RAM_ASLS, seen, 8), 1);
	CU_ASSERT(seen[0].hdmi && !seen[0].dp);
	vgpu_destroy(v2);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

void suite_opregion(void);

void
suite_opregion(void)
{
	static const struct test_case cases[] = {
		{ "VBT for monitor=dp: one DP-only child on DDI D", test_vbt_dp },
		{ "VBT for monitor=hdmi: one HDMI-only child on DDI D", test_vbt_hdmi },
		{ "the i915 rules reject a damaged VBT", test_vbt_checker_rejects },
		{ "ASLS in guest RAM: the OpRegion copied there", test_asls_ram },
		{ "ASLS outside RAM: claimed exactly, served, mailbox writes", test_asls_mmio },
		{ "ASLS moves, zero, reset and destroy release the claim", test_asls_move_reset_destroy },
		{ "hostile ASLS values refused with errno and a log line", test_asls_hostile },
		{ "each vGPU's OpRegion follows its monitor", test_per_vgpu },
		{ NULL, NULL },
	};

	test_add_suite("opregion", cases);
}
