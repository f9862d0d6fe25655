package tests

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// nativeNet runs argv in chroot as native does, in network, mount and pid
// namespaces of its own: a loopback to itself (the script brings lo up)
// and a /proc of its own to mount, as paddock's guests have.
func nativeNet(t *testing.T, chroot string, argv ...string) result {
	t.Helper()
	attr := nativeAttr(chroot)
	attr.Cloneflags |= syscall.CLONE_NEWNET | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID
	cmd := &exec.Cmd{Path: argv[0], Args: argv, Dir: "/", Env: baseEnv, SysProcAttr: attr}
	return run(t, cmd, "")
}

// TestAlpineNet runs testdata/alpine/net.sh, Alpine's busybox nc, wget,
// ping, netstat, ip and ifconfig on the loopback, natively in fresh
// namespaces and under paddock, each in its own copy of the minirootfs.
func TestAlpineNet(t *testing.T) {
	tarball := alpineTarball(t)
	roots := [2]string{t.TempDir(), t.TempDir()}
	for _, r := range roots {
		extract(t, tarball, r)
		for _, f := range []string{"net.sh", "respond"} {
			copyFile(t, filepath.Join(repo(t), "testdata", "alpine", f), filepath.Join(r, "srv", f))
		}
	}
	argv := []string{"/bin/sh", "/srv/net.sh"}
	nat := nativeNet(t, roots[0], argv...)
	// Loopback only, as the native side's fresh namespace has.
	pad := paddockWith(t, roots[1], "/", []string{"--net", "none"}, "", argv...)
	compare(t, "net.sh", nat, pad)
}
