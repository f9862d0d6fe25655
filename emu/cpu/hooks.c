#include "hooks.h"
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

uc_err pd_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end)
{
	return uc_ctl_remove_cache(uc, begin, end);
}

uc_err pd_flush_tlb(uc_engine *uc)
{
	return uc_ctl_flush_tlb(uc);
}

