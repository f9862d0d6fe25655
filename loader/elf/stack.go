package elf

import (
	"paddock/abi"
	"paddock/emu/mmu"
)

// StackParams is what the initial stack carries besides the image.
type StackParams struct {
	Argv, Envp []string
	ExecFn     string   // AT_EXECFN: the path execve was given
	Random     [16]byte // AT_RANDOM bytes
	UID, EUID  uint32
	GID, EGID  uint32
	Secure     bool
	// MinSigStkSz is AT_MINSIGSTKSZ: the size of the kernel's signal frame.
	MinSigStkSz uint64
	// HWCap is AT_HWCAP: the CPU's features (CPUID leaf 1's EDX).
	HWCap uint64
}

// MaxArgStrlen is MAX_ARG_STRLEN: the longest single argument or
// environment string execve accepts (32 pages).
const MaxArgStrlen = 32 * abi.PageSize

// ArgSize returns the stack bytes argv and envp take, for the E2BIG check:
// Linux limits the strings and their pointers to a quarter of RLIMIT_STACK.
func ArgSize(argv, envp []string) uint64 {
	var n uint64
	for _, s := range argv {
		n += uint64(len(s)) + 1 + 8
	}
	for _, s := range envp {
		n += uint64(len(s)) + 1 + 8
	}
	return n
}

// initialStackExtra is the room Linux leaves below the arguments when it
// sets up the stack VMA (stack_expand in fs/exec.c setup_arg_pages).
const initialStackExtra = 128 << 10

// Layout tells where SetupStack put things.
type Layout struct {
	SP               uint64 // initial RSP, pointing at argc
	ArgStart, ArgEnd uint64 // the argument strings
	EnvStart, EnvEnd uint64 // the environment strings
	Auxv             []byte // the auxiliary vector as written
}

// SetupStack creates the main stack at mmu.StackTop and lays out argc, argv,
// envp and auxv on it as Linux's create_elf_tables does.
func SetupStack(as *mmu.AddressSpace, img *Image, p StackParams) (Layout, error) {
	// Strings, from the top down: 8 zero bytes, the exec file name, then the
	// environment and argument strings so that they read in order upward.
	strSize := uint64(8 + len(p.ExecFn) + 1)
	for _, s := range p.Argv {
		strSize += uint64(len(s)) + 1
	}
	for _, s := range p.Envp {
		strSize += uint64(len(s)) + 1
	}
	const platform = "x86_64"
	auxvLen := 20 * 2
	ptrs := uint64(1+len(p.Argv)+1+len(p.Envp)+1+auxvLen) * 8
	total := strSize + uint64(len(platform)+1) + 16 + 16 + ptrs + 16
	size, _ := abi.PageRoundUp(total + initialStackExtra)
	top := uint64(mmu.StackTop)
	if err := as.MapStack(top, size); err != nil {
		return Layout{}, err
	}
	var lay Layout
	buf := make([]byte, 0, total)
	sp := top - 8
	put := func(s string) uint64 {
		sp -= uint64(len(s)) + 1
		if err := as.CopyOut(sp, append([]byte(s), 0)); err != nil {
			panic("elf: the new stack is not writable")
		}
		return sp
	}
	execfn := put(p.ExecFn)
	lay.EnvEnd = sp
	envAddrs := make([]uint64, len(p.Envp))
	for i := len(p.Envp) - 1; i >= 0; i-- {
		envAddrs[i] = put(p.Envp[i])
	}
	lay.EnvStart, lay.ArgEnd = sp, sp
	argAddrs := make([]uint64, len(p.Argv))
	for i := len(p.Argv) - 1; i >= 0; i-- {
		argAddrs[i] = put(p.Argv[i])
	}
	lay.ArgStart = sp
	sp &^= 15
	plat := put(platform)
	sp -= 16
	random := sp
	if err := as.CopyOut(random, p.Random[:]); err != nil {
		return Layout{}, err
	}
	secure := uint64(0)
	if p.Secure {
		secure = 1
	}
	auxv := [][2]uint64{
		{abi.AT_MINSIGSTKSZ, p.MinSigStkSz},
		{abi.AT_HWCAP, p.HWCap},
		{abi.AT_PAGESZ, abi.PageSize},
		{abi.AT_CLKTCK, abi.ClockTick},
		{abi.AT_PHDR, img.Phdr},
		{abi.AT_PHENT, phdrSize},
		{abi.AT_PHNUM, img.Phnum},
		{abi.AT_BASE, img.Base},
		{abi.AT_FLAGS, 0},
		{abi.AT_ENTRY, img.ProgEntry},
		{abi.AT_UID, uint64(p.UID)},
		{abi.AT_EUID, uint64(p.EUID)},
		{abi.AT_GID, uint64(p.GID)},
		{abi.AT_EGID, uint64(p.EGID)},
		{abi.AT_SECURE, secure},
		{abi.AT_RANDOM, random},
		{abi.AT_HWCAP2, 0},
		{abi.AT_EXECFN, execfn},
		{abi.AT_PLATFORM, plat},
		{abi.AT_NULL, 0},
	}
	words := []uint64{uint64(len(p.Argv))}
	words = append(words, argAddrs...)
	words = append(words, 0)
	words = append(words, envAddrs...)
	words = append(words, 0)
	for _, a := range auxv {
		words = append(words, a[0], a[1])
	}
	auxvWords := words[len(words)-2*len(auxv):]
	// The final RSP, at argc, is 16-byte aligned (STACK_ROUND).
	sp = (sp - uint64(len(words))*8) &^ 15
	for _, w := range words {
		var b [8]byte
		for i := range 8 {
			b[i] = byte(w >> (8 * i))
		}
		buf = append(buf, b[:]...)
	}
	if err := as.CopyOut(sp, buf); err != nil {
		return Layout{}, err
	}
	lay.SP = sp
	lay.Auxv = buf[len(buf)-8*len(auxvWords):]
	return lay, nil
}
