package tests

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// alpineReadOnly are commands that only read the root, run against Alpine
// as an ext4 image and as a tarball.
var alpineReadOnly = [][]string{
	{"/bin/busybox", "ls", "/etc", "/etc/apk", "/lib"},
	{"/bin/busybox", "sha256sum", "/bin/busybox"},
	{"/bin/cat", "/etc/os-release"},
	{"/bin/busybox", "stat", "-c", "%n %s %a %u %g %F %h %Y", "/bin/busybox", "/lib/ld-musl-x86_64.so.1",
		"/etc/passwd", "/etc/group", "/etc/apk/world", "/bin/sh", "/usr/bin/env", "/etc", "/usr/lib"},
	{"/bin/sh", "-c", "echo $((6*7))"},
	{"/usr/bin/md5sum", "/lib/libc.musl-x86_64.so.1", "/lib/libz.so.1", "/etc/ssl/openssl.cnf"},
	{"/bin/busybox", "readlink", "-f", "/bin/sh"},
	{"/usr/bin/env"},
	{"/usr/bin/id"},
	{"/bin/busybox", "head", "-c", "100000", "/bin/busybox"},
}

// alpineImage returns the Alpine tarball, its tree extracted, and an ext4
// image of the tree made with mkfs.ext4 -d.
func alpineImage(t *testing.T) (tarball, chroot, img string) {
	t.Helper()
	tarball = alpineTarball(t)
	chroot = t.TempDir()
	extract(t, tarball, chroot)
	img = filepath.Join(t.TempDir(), "alpine.ext4")
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", "-b", "4096", "-d", chroot, img, "64M").CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	return tarball, chroot, img
}

// TestAlpineRoots runs read-only commands in Alpine given as an ext4 image
// made with mkfs.ext4 -d, and as the tarball, against a native chroot of
// the extracted tree. The image has a lost+found the tree lacks, lists
// directories in another order and allocates blocks differently (mkfs
// leaves zero blocks as holes), so the commands avoid showing those.
func TestAlpineRoots(t *testing.T) {
	tarball, chroot, img := alpineImage(t)
	for _, root := range []struct{ name, path string }{{"ext4", img}, {"tarball", tarball}} {
		t.Run(root.name, func(t *testing.T) {
			for _, argv := range alpineReadOnly {
				t.Run(strings.Join(argv, " "), func(t *testing.T) {
					nat := native(t, chroot, "/", nil, "", argv...)
					pad := paddock(t, root.path, "/", nil, "", argv...)
					compare(t, argv[0], nat, pad)
				})
			}
		})
	}
}

// TestAlpineSharedMappings runs mapshared.c from a bind mount in Alpine's
// image and tarball roots: the files it maps shared and writable live in
// the writable layer over the read-only root; and, given a path, it maps
// /etc/alpine-release, which comes from the image and is copied up when
// it is mapped.
func TestAlpineSharedMappings(t *testing.T) {
	tarball, chroot, img := alpineImage(t)
	bin := built(t, filepath.Join("guest", "static"))
	prog := filepath.Join(bin, "mapshared")
	nat := native(t, "", t.TempDir(), nil, "", prog)
	release := filepath.Join(t.TempDir(), "alpine-release")
	copyFile(t, filepath.Join(chroot, "etc", "alpine-release"), release)
	natExisting := native(t, "", t.TempDir(), nil, "", prog, release)
	for _, root := range []struct{ name, path string }{{"ext4", img}, {"tarball", tarball}} {
		t.Run(root.name, func(t *testing.T) {
			bind := []string{"-v", bin + ":/g:ro"}
			compare(t, "mapshared", nat, paddockWith(t, root.path, "/root", bind, "", "/g/mapshared"))
			compare(t, "mapshared /etc/alpine-release", natExisting,
				paddockWith(t, root.path, "/root", bind, "", "/g/mapshared", "/etc/alpine-release"))
		})
	}
}
