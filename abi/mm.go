package abi

// Page geometry of x86_64.
const (
	PageSize  = 4096
	PageShift = 12
)

// PageRoundDown rounds a down to a page boundary.
func PageRoundDown(a uint64) uint64 { return a &^ (PageSize - 1) }

// PageRoundUp rounds a up to a page boundary; ok is false on overflow.
func PageRoundUp(a uint64) (r uint64, ok bool) {
	r = (a + PageSize - 1) &^ (PageSize - 1)
	return r, r >= a
}

// Memory protection bits (include/uapi/asm-generic/mman-common.h).
const (
	PROT_NONE      = 0x0
	PROT_READ      = 0x1
	PROT_WRITE     = 0x2
	PROT_EXEC      = 0x4
	PROT_GROWSDOWN = 0x01000000
	PROT_GROWSUP   = 0x02000000
)

// mmap flags (x86_64 values).
const (
	MAP_SHARED          = 0x01
	MAP_PRIVATE         = 0x02
	MAP_SHARED_VALIDATE = 0x03
	MAP_TYPE            = 0x0f
	MAP_FIXED           = 0x10
	MAP_ANONYMOUS       = 0x20
	MAP_32BIT           = 0x40
	MAP_GROWSDOWN       = 0x100
	MAP_DENYWRITE       = 0x800
	MAP_EXECUTABLE      = 0x1000
	MAP_LOCKED          = 0x2000
	MAP_NORESERVE       = 0x4000
	MAP_POPULATE        = 0x8000
	MAP_NONBLOCK        = 0x10000
	MAP_STACK           = 0x20000
	MAP_HUGETLB         = 0x40000
	MAP_SYNC            = 0x80000
	MAP_FIXED_NOREPLACE = 0x100000
)

// mremap flags.
const (
	MREMAP_MAYMOVE   = 1
	MREMAP_FIXED     = 2
	MREMAP_DONTUNMAP = 4
)

// madvise advice values used by libcs.
const (
	MADV_NORMAL     = 0
	MADV_RANDOM     = 1
	MADV_SEQUENTIAL = 2
	MADV_WILLNEED   = 3
	MADV_DONTNEED   = 4
	MADV_FREE       = 8
	MADV_REMOVE     = 9
	MADV_DONTFORK   = 10
	MADV_DOFORK     = 11
	MADV_MERGEABLE  = 12
	MADV_HUGEPAGE   = 14
	MADV_NOHUGEPAGE = 15
	MADV_DONTDUMP   = 16
	MADV_DODUMP     = 17
)

// msync flags.
const (
	MS_ASYNC      = 1
	MS_INVALIDATE = 2
	MS_SYNC       = 4
)

// The x86_64 user address space: TASK_SIZE is 2^47 minus one page.
const TaskSize = 1<<47 - PageSize
