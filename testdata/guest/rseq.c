/* rseq: restartable-sequences registration rules. musl does not register
 * one, so the program can. */
#include "guest.h"

struct rseq_area {
	uint32_t cpu_id_start, cpu_id;
	uint64_t rseq_cs;
	uint32_t flags, node_id, mm_cid;
	char pad[4];
} __attribute__((aligned(32)));

static struct rseq_area r, other;

int main(void)
{
	const uint32_t sig = 0x53053053;
	r.cpu_id = 0xdeadbeef;
	CHECK(syscall(SYS_rseq, &r, 32, 0, sig));
	say("cpu_id set: %d, start matches: %d\n", r.cpu_id != 0xdeadbeef, r.cpu_id_start == r.cpu_id);
	CHECK(syscall(SYS_rseq, &r, 32, 0, sig));
	CHECK(syscall(SYS_rseq, &other, 32, 0, sig));
	CHECK(syscall(SYS_rseq, &r, 32, 0, sig + 1));
	CHECK(syscall(SYS_rseq, &r, 32, 1, sig + 1));
	CHECK(syscall(SYS_rseq, &other, 32, 1, sig));
	CHECK(syscall(SYS_rseq, &r, 32, 1, sig));
	say("unregistered cpu_id: %x\n", r.cpu_id);
	CHECK(syscall(SYS_rseq, &r, 32, 1, sig));
	CHECK(syscall(SYS_rseq, &r, 16, 0, sig));
	CHECK(syscall(SYS_rseq, (char *)&r + 4, 32, 0, sig));
	CHECK(syscall(SYS_rseq, &r, 32, 2, sig));
	CHECK(syscall(SYS_rseq, badptr(), 32, 0, sig) == -1 ? -1 : 0);
	return 0;
}
