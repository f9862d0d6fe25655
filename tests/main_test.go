package tests

import (
	"os"
	"syscall"
	"testing"
)

// TestMain marks every descriptor the test binary inherited as
// close-on-exec, so that native guests start with only 0, 1 and 2 open, as
// guests under paddock do (os/exec does not close inherited descriptors).
// It walks every number below the descriptor limit rather than reading
// /proc/self/fd, which a CI container may not mount.
func TestMain(m *testing.M) {
	var lim syscall.Rlimit
	max := uint64(65536)
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < max {
		max = lim.Cur
	}
	for fd := uintptr(3); fd < uintptr(max); fd++ {
		syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETFD, syscall.FD_CLOEXEC)
	}
	os.Exit(m.Run())
}
