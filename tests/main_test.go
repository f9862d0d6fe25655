package tests

import (
	"os"
	"strconv"
	"syscall"
	"testing"
)

// TestMain marks every descriptor the test binary inherited as
// close-on-exec, so that native guests start with only 0, 1 and 2 open, as
// guests under paddock do (os/exec does not close inherited descriptors).
func TestMain(m *testing.M) {
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, e := range ents {
			if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
				syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, syscall.FD_CLOEXEC)
			}
		}
	}
	os.Exit(m.Run())
}
