package tests

import (
	"os"
	"testing"
)

// procScript asks ps, top, fuser, pstree, busybox's lsof and Debian's
// lsof about processes and files the script itself set up, and prints
// what they show: a sleeping child of the shell, the file it holds open,
// its limits. A tool the root lacks prints a line that says so, which the
// root's expected output names.
const procScript = `
/bin/sleep 30 & S=$!
exec 7>/tmp/held
sleep 0.2
ps -o pid,ppid,stat,comm | while read pid ppid stat comm; do
	[ "$pid" = "$S" ] && echo "ps: sleep's parent is the shell: $([ "$ppid" = $$ ] && echo yes), state $stat, comm $comm"
done
top -b -n 1 | grep -q "/bin/sleep 30" && echo "top: lists sleep"
echo "fd 7: $(readlink /proc/$$/fd/7)"
grep "Max open files" /proc/$$/limits
have() { command -v $1 >/dev/null && busybox $1 --help >/dev/null 2>&1; }
if have fuser; then
	fuser /tmp/held 2>/dev/null | tr ' ' '\n' | grep -qx "$$" && echo "fuser: finds the shell"
else
	echo "fuser: not in this busybox"
fi
if have pstree; then
	pstree -p $$ | grep -q "sleep($S)" && echo "pstree: shows sleep under the shell"
else
	echo "pstree: not in this busybox"
fi
if have lsof; then
	lsof | grep "^$$" | grep -q "/tmp/held" && echo "lsof: lists the file"
else
	echo "lsof: not in this busybox"
fi
if [ -x /usr/bin/lsof ] && [ ! -L /usr/bin/lsof ]; then
	/usr/bin/lsof -p $$ 2>/dev/null | grep -q ' 7w .*/tmp/held$' && echo "Debian lsof: lists the file"
	/usr/bin/lsof -p $$ 2>/dev/null | grep -q ' cwd .* /$' && echo "Debian lsof: shows the cwd"
else
	echo "Debian lsof: not in this root"
fi
kill $S; wait $S; echo "sleep killed: $?"
`

// procCommon is what every root's tools show.
const procCommon = `ps: sleep's parent is the shell: yes, state S, comm sleep
top: lists sleep
fd 7: /tmp/held
Max open files            1024                 4096                 files     
`

// TestProcTools runs busybox's process tools under paddock, against
// Debian's busybox and, with PADDOCK_ALPINE, Alpine's: what they print
// must agree with the processes and files the script made.
func TestProcTools(t *testing.T) {
	type root struct{ path, tools string }
	roots := map[string]root{
		// Debian's busybox-static has none of fuser, pstree and lsof;
		// the root has Debian's lsof.
		"debian": {built(t, "deb-root"), "fuser: not in this busybox\npstree: not in this busybox\n" +
			"lsof: not in this busybox\nDebian lsof: lists the file\nDebian lsof: shows the cwd\n"},
	}
	if a := os.Getenv("PADDOCK_ALPINE"); a != "" {
		roots["alpine"] = root{a, "fuser: finds the shell\npstree: shows sleep under the shell\n" +
			"lsof: lists the file\nDebian lsof: not in this root\n"}
	}
	for name, r := range roots {
		t.Run(name, func(t *testing.T) {
			want := procCommon + r.tools + "sleep killed: 143\n"
			got := paddock(t, r.path, "/", nil, "", "/bin/sh", "-c", procScript)
			if got.stdout != want || got.code != 0 {
				t.Errorf("got:\n%s\nwant stdout:\n%s", got, want)
			}
		})
	}
}
