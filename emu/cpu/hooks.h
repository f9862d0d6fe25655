// hooks.h declares paddock's Unicorn hooks. They are written in C so that a
// syscall costs one C-to-Go call: the hook reads the argument registers in C,
// calls into Go once, and writes RAX back in C.
#ifndef PADDOCK_HOOKS_H
#define PADDOCK_HOOKS_H

#include <stdint.h>
#include <unicorn/unicorn.h>
#include <pthread.h>
#include <time.h>

// Exit kinds recorded by the hooks (kept in sync with exit.go).
enum {
	PD_EXIT_NONE = 0,
	PD_EXIT_STOP = 1,
	PD_EXIT_INTR = 2,
	PD_EXIT_DEBUG = 3,
};

// The most breakpoints a debugger may set at once.
enum { PD_MAX_BREAKPOINTS = 64 };

// pd_block is a basic block the guest executed, as the block hook records
// it; pd_step is an instruction about to run with the registers before it.
typedef struct {
	uint64_t addr;
	uint32_t size;
	uint32_t pad;
} pd_block;

enum { PD_STEP_REGS = 17 };

typedef struct {
	uint64_t addr;
	uint64_t regs[PD_STEP_REGS]; // rax rbx rcx rdx rsi rdi rbp rsp r8-r15 rflags
} pd_step;

// The trace buffers hold this many records; a full buffer goes to Go.
enum { PD_TRACE_BUF = 8192 };

// pd_state is shared between the hooks and Go; one per engine, allocated in
// C so that Unicorn may keep a pointer to it.
typedef struct {
	// Syscall registers, read by the hook: rax, rdi, rsi, rdx, r10, r8, r9,
	// rip (the address of the syscall instruction).
	uint64_t sys[8];
	uint64_t ret;     // value for RAX after the syscall
	int32_t set_ret;  // write ret into RAX when the hook returns
	int32_t exit;     // PD_EXIT_*
	int32_t intno;    // interrupt vector for PD_EXIT_INTR
	int32_t fault_type;  // uc_mem_type of the last invalid access
	uint64_t fault_addr;
	int32_t fault_size;
	uintptr_t handle;  // cgo.Handle of the Go engine
	// CPU time of the host thread running the engine: the clock and its
	// reading when the current run began (valid while running is set), and
	// what the last run used.
	volatile int32_t running;
	volatile uint32_t run_seq; // counts runs, to detect a run ending mid-read
	clockid_t clock;
	int64_t run_start_ns;
	int64_t last_run_ns;
	// Tracing: executed blocks and instruction steps not yet handed to Go.
	pd_block *blocks;
	int32_t nblocks;
	pd_step *steps;
	int32_t nsteps;
	// Debugging: breakpoint addresses; step is set while single-stepping
	// from step_from; skip is a breakpoint address to pass (the one a
	// resumed thread stands on) until execution leaves it.
	uint64_t bps[PD_MAX_BREAKPOINTS];
	int32_t nbps;
	int32_t step;
	uint64_t step_from;
	uint64_t skip;
} pd_state;

uc_err pd_install_hooks(uc_engine *uc, pd_state *st);
// pd_run runs the engine from begin, timing the run on the host thread's
// CPU clock.
uc_err pd_run(uc_engine *uc, pd_state *st, uint64_t begin);
// pd_run_cpu returns the CPU time the run in progress has used so far, or
// -1 if none is in progress. Any thread may call it.
int64_t pd_run_cpu(pd_state *st);
// pd_watch_writes reports every guest store to goMemWrite (tracing);
// pd_unwatch removes the hook.
uc_err pd_watch_writes(uc_engine *uc, pd_state *st, uc_hook *h);
uc_err pd_unwatch(uc_engine *uc, uc_hook h);
// pd_trace_blocks records every executed block in st->blocks;
// pd_trace_steps records every instruction with the registers before it
// in st->steps. A full buffer goes to goTraceFull.
uc_err pd_trace_blocks(uc_engine *uc, pd_state *st, uc_hook *h);
uc_err pd_trace_steps(uc_engine *uc, pd_state *st, uc_hook *h);
// pd_debug stops the engine (PD_EXIT_DEBUG) before an instruction at a
// breakpoint, or after one instruction while stepping.
uc_err pd_debug(uc_engine *uc, pd_state *st, uc_hook *h);
uc_err pd_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end);
uc_err pd_flush_tlb(uc_engine *uc);
// pd_reset unmaps all memory and drops every translation and TLB entry, so
// that the engine can serve a new address space.
uc_err pd_reset(uc_engine *uc, pd_state *st);

#endif

// pd_fxsave writes the x87 and SSE state as the 512-byte FXSAVE image
// (64-bit layout); pd_fxrstor loads it back.
void pd_fxsave(uc_engine *uc, uint8_t *buf);
void pd_fxrstor(uc_engine *uc, const uint8_t *buf);
