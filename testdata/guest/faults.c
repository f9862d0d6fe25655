/* faults: processor exceptions delivered as signals with Linux's si_code,
 * si_addr and ucontext (general registers, trap number, error code, CR2
 * and the FPU state); handlers that edit the context and return; faults
 * left with siglongjmp; and a stack overflow caught on an alternate
 * stack. */
#include "guest.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_rip, got_cr2, got_trapno, got_err;
static volatile long got_r12, got_r13, got_rbx;
static volatile uint32_t got_mxcsr;
static volatile uint64_t got_xmm0;
static volatile int on_altstack;
static char *alt;

static void grab(int sig, siginfo_t *si, ucontext_t *uc)
{
	got_sig = sig;
	got_code = si->si_code;
	got_addr = (uintptr_t)si->si_addr;
	mcontext_t *m = &uc->uc_mcontext;
	got_rip = m->gregs[REG_RIP];
	got_cr2 = m->gregs[REG_CR2];
	got_trapno = m->gregs[REG_TRAPNO];
	got_err = m->gregs[REG_ERR];
	got_r12 = m->gregs[REG_R12];
	got_r13 = m->gregs[REG_R13];
	got_rbx = m->gregs[REG_RBX];
	got_mxcsr = m->fpregs ? m->fpregs->mxcsr : 0;
	got_xmm0 = m->fpregs ? ((uint64_t)m->fpregs->_xmm[0].element[1] << 32 | m->fpregs->_xmm[0].element[0]) : 0;
}

/* jump leaves the handler with siglongjmp. */
static void jump(int sig, siginfo_t *si, void *uc)
{
	grab(sig, si, uc);
	char here;
	on_altstack = alt && &here >= alt && &here < alt + SIGSTKSZ * 4;
	siglongjmp(env, 1);
}

/* skip returns from the handler past the faulting instruction, whose
 * length the test puts in R14, and sets R15 to show the edit took. */
static void skip(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;
	grab(sig, si, uc);
	uc->uc_mcontext.gregs[REG_RIP] += uc->uc_mcontext.gregs[REG_R14];
	uc->uc_mcontext.gregs[REG_R15] = 0x5151;
}

static void on(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | flags;
	MUST(sigaction(sig, &sa, NULL));
}

static void report(const char *what)
{
	say("%s: sig %d code %d trapno %lu err %lu\n", what, got_sig, got_code, (unsigned long)got_trapno, (unsigned long)got_err);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(int n)
{
	volatile char pad[512];
	pad[0] = n;
	return recurse(n + 1) + pad[0];
}

extern char ud2_at[], int3_after[], div_at[], load_at[], store_at[];

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);

	/* A null write, left with siglongjmp: SEGV_MAPERR at address 0, page
	 * fault error code "user write, not present". */
	on(SIGSEGV, jump, 0);
	if (sigsetjmp(env, 1) == 0)
		*(volatile int *)badptr() = 1;
	report("null write");
	say("addr %#lx cr2 %#lx\n", (unsigned long)got_addr, (unsigned long)got_cr2);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	say("SEGV unblocked after siglongjmp: %d\n", !sigismember(&cur, SIGSEGV));

	/* A read of a page mapped without permission: SEGV_ACCERR. */
	char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sigsetjmp(env, 1) == 0)
		(void)*(volatile char *)(page + 8);
	report("PROT_NONE read");
	say("addr is page+8: %d\n", got_addr == (uintptr_t)page + 8);
	mprotect(page, 4096, PROT_READ);
	/* Read first: a page Linux has populated faults as "present". */
	say("page reads %d\n", *(volatile char *)page);
	if (sigsetjmp(env, 1) == 0)
		*(volatile char *)(page + 16) = 1;
	report("read-only write");
	say("addr is page+16: %d\n", got_addr == (uintptr_t)page + 16);

	/* The handler sees the registers at the fault and edits them. */
	on(SIGSEGV, skip, 0);
	long r15;
	__asm__ volatile(
		"mov $0x1212, %%r12\n"
		"mov $0x1313, %%r13\n"
		"mov $0x0b0b, %%rbx\n"
		"mov $3, %%r14\n"
		"xor %%r15, %%r15\n"
		"xor %%eax, %%eax\n"
		".globl load_at\n"
		"load_at: mov (%%rax), %%rax\n" /* 3 bytes */
		"mov %%r15, %0\n"
		: "=r"(r15) : : "rax", "rbx", "r12", "r13", "r14", "r15", "memory");
	report("handler edits context");
	say("r12 %#lx r13 %#lx rbx %#lx rip at load %d r15 after %#lx\n", got_r12, got_r13, got_rbx, got_rip == (uintptr_t)load_at, r15);

	/* The FPU state is in the frame: MXCSR and XMM0 as they were. */
	__asm__ volatile(
		"mov $0x1122334455667788, %%rax\n"
		"movq %%rax, %%xmm0\n"
		"mov $3, %%r14\n"
		"xor %%eax, %%eax\n"
		".globl store_at\n"
		"store_at: mov %%rax, (%%rax)\n"
		: : : "rax", "r14", "r15", "xmm0", "memory");
	say("fpstate: mxcsr %#x xmm0 %#llx rip at store %d\n", got_mxcsr, (unsigned long long)got_xmm0, got_rip == (uintptr_t)store_at);

	/* ud2: SIGILL, ILL_ILLOPN at the instruction. */
	on(SIGILL, skip, 0);
	__asm__ volatile("mov $2, %%r14\n.globl ud2_at\nud2_at: ud2\n" : : : "r14", "r15");
	report("ud2");
	say("addr at ud2 %d rip at ud2 %d\n", got_addr == (uintptr_t)ud2_at, got_rip == (uintptr_t)ud2_at);

	/* int3: SIGTRAP, SI_KERNEL, RIP after the instruction. */
	on(SIGTRAP, skip, 0);
	__asm__ volatile("xor %%r14, %%r14\nint3\n.globl int3_after\nint3_after: nop\n" : : : "r14", "r15");
	report("int3");
	say("rip after int3 %d\n", got_rip == (uintptr_t)int3_after);

	/* Integer division by zero: SIGFPE, FPE_INTDIV at the instruction. */
	on(SIGFPE, skip, 0);
	__asm__ volatile("mov $2, %%r14\nmov $1, %%eax\nxor %%edx, %%edx\nxor %%ecx, %%ecx\n.globl div_at\ndiv_at: div %%ecx\n" : : : "rax", "rcx", "rdx", "r14", "r15");
	report("div by zero");
	say("addr at div %d\n", got_addr == (uintptr_t)div_at);
	on(SIGFPE, jump, 0);
	volatile int zero = 0, big = -2147483647 - 1, minus1 = -1;
	if (sigsetjmp(env, 1) == 0)
		say("%d\n", big / minus1);
	report("INT_MIN / -1");
	if (sigsetjmp(env, 1) == 0)
		say("%d\n", 5 % zero);
	report("mod by zero");

	/* A stack overflow is caught only on an alternate stack. */
	stack_t ss = { 0 };
	alt = malloc(SIGSTKSZ * 4);
	ss.ss_sp = alt;
	ss.ss_size = SIGSTKSZ * 4;
	CHECK(sigaltstack(&ss, NULL));
	stack_t now;
	CHECK(sigaltstack(NULL, &now));
	say("altstack flags %d size ok %d\n", now.ss_flags, now.ss_size == SIGSTKSZ * 4);
	on(SIGSEGV, jump, SA_ONSTACK);
	if (sigsetjmp(env, 1) == 0)
		recurse(0);
	report("stack overflow");
	say("handled on the alternate stack %d\n", on_altstack);
	ss.ss_size = 100;
	CHECK(sigaltstack(&ss, NULL));
	ss.ss_flags = 77;
	ss.ss_size = SIGSTKSZ;
	CHECK(sigaltstack(&ss, NULL));
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL));
	CHECK(sigaltstack(NULL, &now));
	say("disabled flags %d\n", now.ss_flags);
	CHECK(syscall(SYS_sigaltstack, badptr(), NULL));

	/* A fault with SIGSEGV blocked kills the process whatever the
	 * handler: checked in a child. */
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		sigprocmask(SIG_BLOCK, &s, NULL);
		*(volatile int *)badptr() = 1;
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	say("blocked SEGV: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
	return 0;
}
