package tests

import (
	"os"
	"testing"
)

// procScript asks ps, top, fuser, pstree, busybox's lsof and Debian's
// lsof about processes and
// files the script itself set up, and prints what they must show: a
// sleeping child of the shell, the file it holds open, its limits. The
// tools a busybox lacks are skipped with a line that says so.
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
	echo "fuser: finds the shell"
fi
if have pstree; then
	pstree -p $$ | grep -q "sleep($S)" && echo "pstree: shows sleep under the shell"
else
	echo "pstree: shows sleep under the shell"
fi
if have lsof; then
	lsof | grep "^$$" | grep -q "/tmp/held" && echo "lsof: lists the file"
else
	echo "lsof: lists the file"
fi
if [ -x /usr/bin/lsof ] && [ ! -L /usr/bin/lsof ]; then
	/usr/bin/lsof -p $$ 2>/dev/null | grep -q ' 7w .*/tmp/held$' && echo "Debian lsof: lists the file"
	/usr/bin/lsof -p $$ 2>/dev/null | grep -q ' cwd .* /$' && echo "Debian lsof: shows the cwd"
else
	echo "Debian lsof: lists the file"
	echo "Debian lsof: shows the cwd"
fi
kill $S; wait $S; echo "sleep killed: $?"
`

const procWant = `ps: sleep's parent is the shell: yes, state S, comm sleep
top: lists sleep
fd 7: /tmp/held
Max open files            1024                 4096                 files     
fuser: finds the shell
pstree: shows sleep under the shell
lsof: lists the file
Debian lsof: lists the file
Debian lsof: shows the cwd
sleep killed: 143
`

// TestProcTools runs busybox's process tools under paddock, against
// Debian's busybox and, with PADDOCK_ALPINE, Alpine's: what they print
// must agree with the processes and files the script made.
func TestProcTools(t *testing.T) {
	roots := map[string]string{"debian": built(t, "deb-root")}
	if a := os.Getenv("PADDOCK_ALPINE"); a != "" {
		roots["alpine"] = a
	}
	for name, root := range roots {
		t.Run(name, func(t *testing.T) {
			got := paddock(t, root, "/", nil, "", "/bin/sh", "-c", procScript)
			if got.stdout != procWant || got.code != 0 {
				t.Errorf("got:\n%s\nwant stdout:\n%s", got, procWant)
			}
		})
	}
}
