package abi

import "strconv"

// Sysno is an x86_64 syscall number, the value of RAX at a syscall
// instruction.
type Sysno uint64

// MaxSysno bounds the syscall table: every number below it may have a
// handler.
const MaxSysno = 512

// Name returns the syscall's name as strace prints it ("openat"), or
// "syscall_N" for a number Linux does not define.
func (n Sysno) Name() string {
	if s, ok := sysnoNames[n]; ok {
		return s
	}
	return "syscall_" + strconv.FormatUint(uint64(n), 10)
}

// SysnoByName returns the number of the named syscall.
func SysnoByName(name string) (Sysno, bool) {
	for n, s := range sysnoNames {
		if s == name {
			return n, true
		}
	}
	return 0, false
}
