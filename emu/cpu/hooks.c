#include "hooks.h"
#include <stdlib.h>
#include <string.h>
#include "_cgo_export.h"

static const int sys_regs[8] = {
	UC_X86_REG_RAX, UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX,
	UC_X86_REG_R10, UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_RIP,
};

static void pd_syscall(uc_engine *uc, void *user)
{
	pd_state *st = user;
	void *ptrs[8];
	int i;

	for (i = 0; i < 8; i++)
		ptrs[i] = &st->sys[i];
	uc_reg_read_batch(uc, (int *)sys_regs, ptrs, 8);
	st->set_ret = 0;
	goSyscall(st->handle);
	if (st->set_ret)
		uc_reg_write(uc, UC_X86_REG_RAX, &st->ret);
}

static bool pd_mem_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr,
			   int size, int64_t value, void *user)
{
	pd_state *st = user;

	st->fault_type = type;
	st->fault_addr = addr;
	st->fault_size = size;
	// Only a missing page can be fixed up (a stack growing down); a
	// protection fault always goes to the guest as a signal.
	if (type == UC_MEM_READ_UNMAPPED || type == UC_MEM_WRITE_UNMAPPED ||
	    type == UC_MEM_FETCH_UNMAPPED)
		return goUnmapped(st->handle, addr, size, type);
	return false;
}

static void pd_intr(uc_engine *uc, uint32_t intno, void *user)
{
	pd_state *st = user;

	st->exit = PD_EXIT_INTR;
	st->intno = intno;
	uc_emu_stop(uc);
}

uc_err pd_install_hooks(uc_engine *uc, pd_state *st)
{
	uc_hook h;
	uc_err err;

	err = uc_hook_add(uc, &h, UC_HOOK_INSN, pd_syscall, st, 1, 0, UC_X86_INS_SYSCALL);
	if (err)
		return err;
	err = uc_hook_add(uc, &h, UC_HOOK_MEM_INVALID, pd_mem_invalid, st, 1, 0);
	if (err)
		return err;
	return uc_hook_add(uc, &h, UC_HOOK_INTR, pd_intr, st, 1, 0);
}

static void pd_mem_write(uc_engine *uc, uc_mem_type type, uint64_t addr,
			 int size, int64_t value, void *user)
{
	pd_state *st = user;

	goMemWrite(st->handle, addr, size, (uint64_t)value);
}

uc_err pd_watch_writes(uc_engine *uc, pd_state *st, uc_hook *h)
{
	return uc_hook_add(uc, h, UC_HOOK_MEM_WRITE, pd_mem_write, st, 1, 0);
}

static void pd_block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	pd_state *st = user;
	pd_block *b = &st->blocks[st->nblocks++];

	b->addr = addr;
	b->size = size;
	if (st->nblocks == PD_TRACE_BUF)
		goTraceFull(st->handle);
}

uc_err pd_trace_blocks(uc_engine *uc, pd_state *st, uc_hook *h)
{
	if (!st->blocks)
		st->blocks = calloc(PD_TRACE_BUF, sizeof(pd_block));
	if (!st->blocks)
		return UC_ERR_NOMEM;
	st->nblocks = 0;
	return uc_hook_add(uc, h, UC_HOOK_BLOCK, pd_block_hook, st, 1, 0);
}

static const int step_regs[PD_STEP_REGS] = {
	UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX,
	UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP,
	UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
	UC_X86_REG_EFLAGS,
};

static void pd_step_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	pd_state *st = user;
	pd_step *s = &st->steps[st->nsteps++];
	void *ptrs[PD_STEP_REGS];
	int i;

	s->addr = addr;
	for (i = 0; i < PD_STEP_REGS; i++) {
		s->regs[i] = 0;
		ptrs[i] = &s->regs[i];
	}
	uc_reg_read_batch(uc, (int *)step_regs, ptrs, PD_STEP_REGS);
	if (st->nsteps == PD_TRACE_BUF)
		goTraceFull(st->handle);
}

uc_err pd_trace_steps(uc_engine *uc, pd_state *st, uc_hook *h)
{
	if (!st->steps)
		st->steps = calloc(PD_TRACE_BUF, sizeof(pd_step));
	if (!st->steps)
		return UC_ERR_NOMEM;
	st->nsteps = 0;
	return uc_hook_add(uc, h, UC_HOOK_CODE, pd_step_hook, st, 1, 0);
}

// The hook may run more than once for one instruction: a run that starts
// where the last one was stopped from this hook can leave the block at its
// first instruction and enter it again. So a step ends at the first
// instruction at another address, and a passed breakpoint stays passed
// until execution is elsewhere.
static void pd_debug_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	pd_state *st = user;
	int i;

	if (st->step) {
		if (addr != st->step_from)
			goto stop;
		return;
	}
	if (addr == st->skip)
		return;
	st->skip = ~(uint64_t)0;
	for (i = 0; i < st->nbps; i++)
		if (st->bps[i] == addr)
			goto stop;
	return;
stop:
	st->step = 0;
	st->skip = ~(uint64_t)0;
	st->exit = PD_EXIT_DEBUG;
	uc_emu_stop(uc);
}

uc_err pd_debug(uc_engine *uc, pd_state *st, uc_hook *h)
{
	st->skip = ~(uint64_t)0;
	return uc_hook_add(uc, h, UC_HOOK_CODE, pd_debug_hook, st, 1, 0);
}

uc_err pd_unwatch(uc_engine *uc, uc_hook h)
{
	return uc_hook_del(uc, h);
}

uc_err pd_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end)
{
	return uc_ctl_remove_cache(uc, begin, end);
}

uc_err pd_flush_tlb(uc_engine *uc)
{
	return uc_ctl_flush_tlb(uc);
}

uc_err pd_reset(uc_engine *uc, pd_state *st)
{
	uc_mem_region *regions;
	uint32_t n, i;
	uc_err err;

	err = uc_mem_regions(uc, &regions, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++)
		err = uc_mem_unmap(uc, regions[i].begin, regions[i].end - regions[i].begin + 1);
	uc_free(regions);
	if (err)
		return err;
	err = uc_ctl_flush_tb(uc);
	if (err)
		return err;
	err = uc_ctl_flush_tlb(uc);
	if (err)
		return err;
	st->exit = PD_EXIT_NONE;
	st->fault_type = -1;
	st->set_ret = 0;
	return UC_ERR_OK;
}


void pd_fxsave(uc_engine *uc, uint8_t *buf)
{
	uint16_t fcw = 0, fsw = 0, ftw = 0, fop = 0;
	uint64_t fip = 0, fdp = 0;
	uint32_t mxcsr = 0;
	int i;

	memset(buf, 0, 512);
	uc_reg_read(uc, UC_X86_REG_FPCW, &fcw);
	uc_reg_read(uc, UC_X86_REG_FPSW, &fsw);
	uc_reg_read(uc, UC_X86_REG_FPTAG, &ftw);
	uc_reg_read(uc, UC_X86_REG_FOP, &fop);
	uc_reg_read(uc, UC_X86_REG_FIP, &fip);
	uc_reg_read(uc, UC_X86_REG_FDP, &fdp);
	uc_reg_read(uc, UC_X86_REG_MXCSR, &mxcsr);
	memcpy(buf + 0, &fcw, 2);
	memcpy(buf + 2, &fsw, 2);
	// The abridged tag word: one bit per physical register, set when the
	// register is not empty (tag != 11).
	for (i = 0; i < 8; i++)
		if (((ftw >> (2 * i)) & 3) != 3)
			buf[4] |= 1 << i;
	memcpy(buf + 6, &fop, 2);
	memcpy(buf + 8, &fip, 8);
	memcpy(buf + 16, &fdp, 8);
	memcpy(buf + 24, &mxcsr, 4);
	uint32_t mask = 0xffff;
	memcpy(buf + 28, &mask, 4);
	for (i = 0; i < 8; i++)
		uc_reg_read(uc, UC_X86_REG_ST0 + i, buf + 32 + 16 * i);
	for (i = 0; i < 16; i++)
		uc_reg_read(uc, UC_X86_REG_XMM0 + i, buf + 160 + 16 * i);
}

void pd_fxrstor(uc_engine *uc, const uint8_t *buf)
{
	uint16_t fcw, fsw, fop, ftw = 0;
	uint64_t fip, fdp;
	uint32_t mxcsr;
	int i;

	memcpy(&fcw, buf + 0, 2);
	memcpy(&fsw, buf + 2, 2);
	memcpy(&fop, buf + 6, 2);
	memcpy(&fip, buf + 8, 8);
	memcpy(&fdp, buf + 16, 8);
	memcpy(&mxcsr, buf + 24, 4);
	for (i = 0; i < 8; i++)
		if (!(buf[4] & (1 << i)))
			ftw |= 3 << (2 * i);
	uc_reg_write(uc, UC_X86_REG_FPCW, &fcw);
	// FSW carries the stack top, which decides where ST(i) lands.
	uc_reg_write(uc, UC_X86_REG_FPSW, &fsw);
	uc_reg_write(uc, UC_X86_REG_FPTAG, &ftw);
	uc_reg_write(uc, UC_X86_REG_FOP, &fop);
	uc_reg_write(uc, UC_X86_REG_FIP, &fip);
	uc_reg_write(uc, UC_X86_REG_FDP, &fdp);
	uc_reg_write(uc, UC_X86_REG_MXCSR, &mxcsr);
	for (i = 0; i < 8; i++)
		uc_reg_write(uc, UC_X86_REG_ST0 + i, buf + 32 + 16 * i);
	for (i = 0; i < 16; i++)
		uc_reg_write(uc, UC_X86_REG_XMM0 + i, buf + 160 + 16 * i);
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uc_err pd_run(uc_engine *uc, pd_state *st, uint64_t begin)
{
	uc_err err;

	// The run stays on this thread from start to end (uc_emu_start and
	// the hooks it calls), so this thread's CPU clock times it exactly:
	// time the host takes the thread away does not count, as it would on
	// a wall clock.
	pthread_getcpuclockid(pthread_self(), &st->clock);
	st->run_start_ns = clock_ns(st->clock);
	st->run_seq++;
	__atomic_store_n(&st->running, 1, __ATOMIC_RELEASE);
	err = uc_emu_start(uc, begin, ~(uint64_t)0, 0, 0);
	__atomic_store_n(&st->running, 0, __ATOMIC_RELEASE);
	st->last_run_ns = clock_ns(st->clock) - st->run_start_ns;
	return err;
}

int64_t pd_run_cpu(pd_state *st)
{
	uint32_t seq = __atomic_load_n(&st->run_seq, __ATOMIC_ACQUIRE);
	int64_t ns;

	if (!__atomic_load_n(&st->running, __ATOMIC_ACQUIRE))
		return -1;
	ns = clock_ns(st->clock) - st->run_start_ns;
	// The clock read is only the run's if the run is still the same one.
	if (!__atomic_load_n(&st->running, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&st->run_seq, __ATOMIC_ACQUIRE) != seq)
		return -1;
	return ns > 0 ? ns : 0;
}
