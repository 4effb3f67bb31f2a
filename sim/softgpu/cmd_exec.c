/* SPDX-License-Identifier: MIT */
/*
 * cmd_exec.c — the command streamer of one engine: fetches commands from
 * the context's ring (GGTT) and the batch buffers it starts (GGTT or PPGTT
 * by the start's address-space bit), decodes them by the opcode table
 * (cmd_table.c) and executes the MI commands and PIPE_CONTROL here (the 2D
 * ones in blit.c). Every fetch and access is checked; what softgpu cannot
 * do faithfully is a fault, never a guess.
 *
 * Rules softgpu follows (docs/softgpu.md):
 * - The ring runs from head to tail; a command that would cross the tail
 *   is a hang (hardware would wait for the rest for ever).
 * - A batch start from the ring enters a first-level batch; inside one, a
 *   start with bit 22 calls a second-level batch (its end returns after
 *   the call), without it chains (replaces the batch). A second-level call
 *   inside a second-level batch, a predicated start, or more than
 *   SG_MAX_CHAIN starts inside one first-level batch is a fault.
 * - Address-space bits ("use GGTT") of memory commands are honoured
 *   wherever the command runs; commands without one (2D) use the address
 *   space of the buffer they came from (the ring: GGTT).
 * - Preemption happens only at ring-level arbitration points: MI_ARB_CHECK
 *   (while MI_ARB_ON_OFF allows) and an unsatisfied MI_SEMAPHORE_WAIT
 *   (which then runs again when the context comes back).
 */
#include <sched.h>
#include <time.h>

#include "sg_int.h"

#define BIT(n) (1u << (n))

static uint64_t
addr48(uint32_t lo, uint32_t hi, uint32_t align_mask)
{
	return ((uint64_t)(hi & 0xffff) << 32) | (lo & ~align_mask);
}

int
sg_check_attention(struct sg_run *r, bool arb_point)
{
	struct sg_engine *e = r->e;
	int rc = SG_OK;

	if (!__atomic_load_n(&e->attention, __ATOMIC_ACQUIRE))
		return SG_OK;
	pthread_mutex_lock(&e->lock);
	if (e->reset_req || e->stop)
		rc = SG_ABORT;
	else if (arb_point && r->arb && r->level == 0 && e->has_pending)
		rc = SG_PREEMPT;
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* The graphics address of byte off from the current command position. */
static uint64_t
cur_addr(const struct sg_run *r, uint32_t off)
{
	if (r->level == 0)
		return r->ring_start + (r->head + off) % r->ring_size;
	return r->bb_addr[r->level] + off;
}

static int
fetch(struct sg_run *r, uint64_t gma, bool ppgtt, uint32_t *dw)
{
	uint64_t page = gma & ~(uint64_t)(SG_PAGE - 1);

	if (!r->fc_valid || r->fc_page != page || r->fc_ppgtt != ppgtt) {
		uint8_t *host;
		uint32_t avail;

		r->fc_valid = false;
		if (sg_gm_page(r, ppgtt, gma, false, &host, &avail) < 0)
			return SG_FAULT;
		r->fc_host = host - (gma & (SG_PAGE - 1));
		r->fc_page = page;
		r->fc_ppgtt = ppgtt;
		r->fc_valid = true;
	}
	*dw = __atomic_load_n((const uint32_t *)(const void *)(r->fc_host + (gma & (SG_PAGE - 1))),
			      __ATOMIC_RELAXED);
	return SG_OK;
}

static void
advance(struct sg_run *r, uint32_t bytes)
{
	if (r->level == 0)
		r->head = (r->head + bytes) % r->ring_size;
	else
		r->bb_addr[r->level] += bytes;
}

int
sg_run_context(struct sg_run *r)
{
	struct sg_engine *e = r->e;

	for (;;) {
		const struct sg_cmd *row;
		uint32_t dw0, n;
		uint64_t a;
		bool ppgtt;
		int rc;

		if (r->level == 0 && r->head == r->tail)
			return SG_OK;
		rc = sg_check_attention(r, false);
		if (rc)
			return rc;
		ppgtt = r->level ? r->bb_ppgtt[r->level] : false;
		a = cur_addr(r, 0);
		if (!r->budget)
			return sg_fault(r, SOFTGPU_FAULT_HANG, a,
					"instruction budget exhausted (endless batch?)");
		r->budget--;
		if (fetch(r, a, ppgtt, &dw0) < 0)
			return SG_FAULT;
		row = sg_cmd_lookup(dw0);
		if (!row)
			return sg_fault(r, SOFTGPU_FAULT_OPCODE, a, "unknown command 0x%08x", dw0);
		if (!(row->engines & SG_E(e->id)))
			return sg_fault(r, SOFTGPU_FAULT_OPCODE, a, "%s on %s", row->name,
					sg_engine_info[e->id].name);
		n = row->len_mask ? (dw0 & row->len_mask) + row->bias : row->bias;
		if (n < row->min || n > row->max)
			return sg_fault(r, SOFTGPU_FAULT_OPCODE, a, "%s with %u dwords", row->name,
					n);
		if (r->level == 0 && n * 4 > (r->tail + r->ring_size - r->head) % r->ring_size)
			return sg_fault(r, SOFTGPU_FAULT_HANG, a,
					"%s crosses the ring tail (0x%x)", row->name, r->tail);
		r->cmd[0] = dw0;
		for (uint32_t i = 1; i < n; i++)
			if (fetch(r, cur_addr(r, 4 * i), ppgtt, &r->cmd[i]) < 0)
				return SG_FAULT;
		r->cmd_addr = a;
		r->cmd_ppgtt = ppgtt;
		advance(r, 4 * n);
		r->n_cmds++;
		if (!row->exec) {
			r->n_skipped++;
			__atomic_fetch_add(&e->skips[sg_cmd_key(dw0)], 1, __ATOMIC_RELAXED);
			continue;
		}
		rc = row->exec(r, r->cmd, n);
		if (rc)
			return rc;
	}
}

/* ---- MI commands ---- */

int
sg_mi_noop(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	(void)r, (void)c, (void)n;
	return SG_OK;
}

int
sg_mi_user_interrupt(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	(void)c, (void)n;
	r->n_user++;
	sg_user_interrupt(r->e, r->ctx_id, r->head);
	return SG_OK;
}

int
sg_mi_arb_check(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	(void)c, (void)n;
	return sg_check_attention(r, true);
}

int
sg_mi_arb_on_off(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	(void)n;
	r->arb = c[0] & 1;
	return SG_OK;
}

int
sg_mi_bb_end(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	(void)c, (void)n;
	if (r->level > 0) {
		r->level--;
		r->fc_valid = false;
	}
	return SG_OK;	/* in the ring itself: nothing to return from */
}

int
sg_mi_bb_start(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	uint64_t addr = addr48(c[1], c[2], 3);
	bool ppgtt = c[0] & BIT(8), second = c[0] & BIT(22);
	unsigned int to;

	(void)n;
	if (c[0] & BIT(15))
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"predicated MI_BATCH_BUFFER_START not supported");
	if (r->level == 0) {
		to = 1;
		r->chain = 0;
	} else {
		if (++r->chain > SG_MAX_CHAIN)
			return sg_fault(r, SOFTGPU_FAULT_HANG, r->cmd_addr,
					"more than %u batch starts in one batch", SG_MAX_CHAIN);
		if (second && r->level == 2)
			return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
					"second-level batch start inside a second-level batch");
		to = second ? 2 : r->level;
	}
	r->level = to;
	r->bb_addr[to] = addr;
	r->bb_ppgtt[to] = ppgtt;
	r->fc_valid = false;
	r->n_batches++;
	return SG_OK;
}

int
sg_mi_lri(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	if (!(n & 1))
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"MI_LOAD_REGISTER_IMM with %u dwords (pairs expected)", n);
	for (unsigned int i = 1; i + 1 < n; i += 2) {
		uint32_t reg = c[i] & 0x7ffffc;

		if (reg < SOFTGPU_MMIO_SIZE)
			sg_reg_write(r->g, reg, c[i + 1]);
	}
	return SG_OK;
}

int
sg_mi_lrm(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	uint32_t reg = c[1] & 0x7ffffc, v;

	(void)n;
	if (sg_gm_read32(r, !(c[0] & BIT(22)), addr48(c[2], c[3], 3), &v) < 0)
		return SG_FAULT;
	if (reg < SOFTGPU_MMIO_SIZE)
		sg_reg_write(r->g, reg, v);
	return SG_OK;
}

int
sg_mi_lrr(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	uint32_t src = c[1] & 0x7ffffc, dst = c[2] & 0x7ffffc;

	(void)n;
	if (dst < SOFTGPU_MMIO_SIZE)
		sg_reg_write(r->g, dst, src < SOFTGPU_MMIO_SIZE ? sg_reg_read_live(r, src) : 0);
	return SG_OK;
}

int
sg_mi_srm(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	uint32_t reg = c[1] & 0x7ffffc;

	(void)n;
	return sg_gm_write32(r, !(c[0] & BIT(22)), addr48(c[2], c[3], 3),
			     reg < SOFTGPU_MMIO_SIZE ? sg_reg_read_live(r, reg) : 0);
}

/* MI_STORE_DATA_IMM: bit 22 GGTT, bit 21 qword; then the dwords in order. */
int
sg_mi_sdi(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	bool ppgtt = !(c[0] & BIT(22));
	uint64_t a = addr48(c[1], c[2], 3);

	if ((c[0] & BIT(21)) && n == 5)
		return sg_gm_write64(r, ppgtt, a & ~7ull, c[3] | (uint64_t)c[4] << 32);
	for (unsigned int i = 3; i < n; i++, a += 4)
		if (sg_gm_write32(r, ppgtt, a, c[i]) < 0)
			return SG_FAULT;
	return SG_OK;
}

/*
 * The status page a store-index command writes: with `per_process`, the
 * context's own (the first page of its image, LRCA), else the engine's
 * (HWS_PGA). Both in the GGTT.
 */
static uint64_t
hwsp_base(struct sg_run *r, bool per_process)
{
	if (per_process)
		return r->lrca;
	return sg_reg_read(r->g, sg_engine_info[r->e->id].base + SG_HWS_PGA) & ~(SG_PAGE - 1);
}

/* MI_STORE_DATA_INDEX: bit 21 per-process status page; offset bits 11:2. */
int
sg_mi_store_index(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	uint64_t a = hwsp_base(r, c[0] & BIT(21)) + (c[1] & 0xffc);

	if (n == 4)
		return sg_gm_write64(r, false, a & ~7ull, c[2] | (uint64_t)c[3] << 32);
	return sg_gm_write32(r, false, a, c[2]);
}

/* MI_COPY_MEM_MEM: bit 22 source GGTT, bit 21 destination GGTT; destination first. */
int
sg_mi_copy_mem(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	uint32_t v;

	(void)n;
	if (sg_gm_read32(r, !(c[0] & BIT(22)), addr48(c[3], c[4], 3), &v) < 0)
		return SG_FAULT;
	return sg_gm_write32(r, !(c[0] & BIT(21)), addr48(c[1], c[2], 3), v);
}

/*
 * A post-sync write (MI_FLUSH_DW, PIPE_CONTROL): op 1 the immediate data
 * (a dword if the command has one data dword, else a qword), op 2 the
 * PS_DEPTH_COUNT register, op 3 the timestamp. Qword writes ignore
 * address bits 2:0.
 */
static int
post_sync(struct sg_run *r, unsigned int op, bool ppgtt, uint64_t a, const uint32_t *data,
	  unsigned int ndata)
{
	uint64_t v;

	switch (op) {
	case 0:
		return SG_OK;
	case 1:
		if (ndata == 1)
			return sg_gm_write32(r, ppgtt, a, data[0]);
		return sg_gm_write64(r, ppgtt, a & ~7ull, data[0] | (uint64_t)data[1] << 32);
	case 2:
		v = sg_reg_read(r->g, SG_PS_DEPTH_COUNT) |
		    (uint64_t)sg_reg_read(r->g, SG_PS_DEPTH_COUNT + 4) << 32;
		return sg_gm_write64(r, ppgtt, a & ~7ull, v);
	default:
		return sg_gm_write64(r, ppgtt, a & ~7ull, sg_timestamp());
	}
}

/*
 * MI_FLUSH_DW: post-sync op bits 15:14, bit 21 store-data-index (offset
 * into the context's status page, the PPHWSP: execlist mode); address
 * bits 31:3 with bit 2 "use GGTT".
 */
int
sg_mi_flush_dw(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	unsigned int op = (c[0] >> 14) & 3;
	bool ppgtt = !(c[1] & BIT(2));
	uint64_t a = addr48(c[1], c[2], 7);

	if (op == 2)
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"MI_FLUSH_DW post-sync op 2 is reserved");
	if (c[0] & BIT(21)) {
		a = hwsp_base(r, true) + (c[1] & 0xff8);
		ppgtt = false;
	}
	return post_sync(r, op, ppgtt, a, c + 3, n - 3);
}

/*
 * PIPE_CONTROL: dw1 post-sync op bits 15:14, bit 21 store-data-index
 * (an offset into the PPHWSP, as for MI_FLUSH_DW: i915 flushes to
 * LRC_PPHWSP_SCRATCH this way), bit 24 GGTT; dw2/3 the address, dw4(/5)
 * the immediate data.
 */
int
sg_pipe_control(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	unsigned int op = (c[1] >> 14) & 3;
	bool ppgtt = !(c[1] & BIT(24));
	uint64_t a = addr48(c[2], c[3], 3);

	if (c[1] & BIT(21)) {
		a = hwsp_base(r, true) + (c[2] & 0xffc);
		ppgtt = false;
	}
	return post_sync(r, op, ppgtt, a, c + 4, n - 4);
}

static bool
sem_compare(unsigned int op, uint32_t mem, uint32_t data)
{
	switch (op) {
	case 0:
		return mem > data;
	case 1:
		return mem >= data;
	case 2:
		return mem < data;
	case 3:
		return mem <= data;
	case 4:
		return mem == data;
	default:
		return mem != data;
	}
}

/*
 * MI_SEMAPHORE_WAIT: bit 22 GGTT, compare op bits 14:12 (memory OP data);
 * both wait modes poll. Unsatisfied, it is an arbitration point (in the
 * ring), and a hang after the semaphore timeout.
 */
int
sg_mi_semaphore_wait(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	bool ppgtt = !(c[0] & BIT(22));
	unsigned int op = (c[0] >> 12) & 7;
	uint64_t a = addr48(c[2], c[3], 3), deadline = 0;
	uint32_t mem, head0 = (r->head + r->ring_size - 4 * n) % r->ring_size;

	if (op > 5)
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"MI_SEMAPHORE_WAIT compare op %u", op);
	for (unsigned long polls = 0;; polls++) {
		int rc;

		if (sg_gm_read32(r, ppgtt, a, &mem) < 0)
			return SG_FAULT;
		if (sem_compare(op, mem, c[1]))
			return SG_OK;
		if (!polls) {
			pthread_mutex_lock(&r->e->lock);
			r->e->st.sem_waits++;
			pthread_mutex_unlock(&r->e->lock);
		}
		rc = sg_check_attention(r, true);
		if (rc == SG_PREEMPT)
			r->head = head0; /* it runs again when the context comes back */
		if (rc)
			return rc;
		if (!deadline)
			deadline = sg_now_ns() +
				   (uint64_t)__atomic_load_n(&r->x->sem_timeout_ms,
							     __ATOMIC_RELAXED) * 1000000ull;
		else if (sg_now_ns() > deadline)
			return sg_fault(r, SOFTGPU_FAULT_HANG, a,
					"MI_SEMAPHORE_WAIT on 0x%llx never satisfied (0x%x vs 0x%x)",
					(unsigned long long)a, mem, c[1]);
		if (polls < 64) {
			sched_yield();
		} else {
			struct timespec ts = { 0, 50000 };

			nanosleep(&ts, NULL);
		}
	}
}
