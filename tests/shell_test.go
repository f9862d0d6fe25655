package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// scripts are busybox sh programs that exercise processes, pipes, signals
// and job control: each runs with sh -c in /data, natively and under
// paddock, and must print the same, exit alike and leave the same files.
// None depends on timing: background jobs are waited for, and their
// order is fixed by the script, not by the scheduler.
var scripts = []applet{
	{"pipeline", sh(`cat words.txt | tr a-z A-Z | sort | head -n 3; seq 1 2000 | sort -rn | head -n 2`), ""},
	{"pipeline-status", sh(`true | false; echo "last $?"; false | true; echo "last $?"; ! false; echo "not $?"`), ""},
	{"command-subst", sh(`x=$(ls tree | wc -l); echo "count=$x"; echo "$(echo nested $(echo deep))"; y=$(exit 3); echo "subst status $?"`), ""},
	{"subshell", sh(`(cd tree && pwd); pwd; (exit 7); echo $?; v=1; (v=2; echo inner $v); echo outer $v`), ""},
	{"background-wait", sh(`(echo a > bg1) & (echo b > bg2) & (exit 3) & p=$!; wait $p; echo "job $?"; wait; cat bg1 bg2`), ""},
	{"wait-status", sh(`sleep 5 & p=$!; kill -TERM $p; wait $p; echo "killed $?"; sh -c 'kill -9 $$'; echo "self-kill $?"`), ""},
	{"trap", sh(`trap 'echo got INT' INT; trap 'echo got TERM' TERM; trap 'echo bye' EXIT; kill -INT $$; kill -TERM $$; echo after`), ""},
	{"trap-child", sh(`trap 'echo parent got USR1' USR1; sh -c 'kill -USR1 $PPID'; echo back`), ""},
	{"xargs", sh(`printf '%s\n' a b c | xargs -n 1 echo item; find tree -name '*.txt' | sort | xargs wc -l`), ""},
	{"find-exec", sh(`find tree -type f -exec sh -c 'echo "$1: $(wc -c < "$1")"' _ {} \; | sort`), ""},
	{"uniq-count", sh(`cat words.txt words.txt sorted.txt | sort | uniq -c | sort -n | tail -n 5`), ""},
	{"heredoc", sh("cat <<EOF\nhome $HOME\n$(echo substituted)\nEOF\ncat <<'EOF'\nliteral $HOME\nEOF\ntr a-z A-Z <<EOF\nupper\nEOF"), ""},
	{"set-e", sh(`set -e; echo one; if false; then :; fi; false || echo handled; sh -c 'exit 4' || echo "child $?"; false; echo never`), ""},
	{"exit-status", sh(`sh -c 'exit 5'; echo $?; sh -c 'kill -TERM $$'; echo $?; nosuchcommand 2>/dev/null; echo $?; exit 9`), ""},
	{"read-loop", sh(`i=0; while read l; do i=$((i+1)); done < lines.txt; echo "$i lines"; cat lines.txt | while read a b; do echo "[$b]"; done`), ""},
	{"redirections", sh(`echo out > f1; exec 3> f2; echo three >&3; exec 3>&-; echo err 2>&1 >&2 | cat; cat f1 f2 2>&1; cat missing 2>/dev/null || echo "no file"`), ""},
	{"functions", sh(`f() { local x=$1; echo "f $x $#"; return $((x + 1)); }; f 4 a b; echo "ret $?"; case abc in a*) echo starts-a;; *) echo other;; esac`), ""},
	{"sigpipe", sh(`yes | head -n 3; seq 1 100000 | head -n 1`), ""},
	{"timeout", sh(`timeout 1 sleep 5; echo "timeout $?"; timeout 5 true; echo "fast $?"`), ""},
	{"env-export", sh(`export A=1; B=2 sh -c 'echo "A=$A B=$B"'; env -i C=3 sh -c 'echo "C=$C A=$A"'`), ""},
	{"nested-shells", sh(`sh -c 'sh -c "sh -c \"echo deep; exit 3\""'; echo "status $?"`), ""},
	{"many-children", sh(`i=0; while [ $i -lt 50 ]; do true; i=$((i+1)); done; echo "$i done"; for n in 1 2 3 4 5 6 7 8; do (exit $n) & done; wait; echo waited`), ""},
	{"umask-files", sh(`umask 027; mkdir -p out/sub; echo x > out/sub/f; ls -l out/sub | cut -c1-10; rm -r out`), ""},
	{"fifo", sh(`mkfifo f; ls -l f | cut -c1; (echo through the fifo > f) & cat f; wait; rm f`), ""},
	{"timestamps", sh(`mkdir ts; cd ts; touch -d '2020-01-02 03:04:05' old; touch -d '2021-06-07 08:09:10' mid; echo x > new; ` +
		`find . -newer mid -type f | sort; find . -mmin -5 -type f | sort; find . -mmin +5 -type f | sort; ` +
		`ls -l --full-time old mid; stat -c '%y %n' old mid; touch -r old mid; stat -c '%Y %n' mid; ` +
		`sleep 0.01; touch new; find . -newer mid -newer old | sort; cd ..; rm -r ts`), ""},
}

func sh(script string) []string { return []string{"sh", "-c", script} }

// nativeDevices makes the device nodes a native chroot needs for the
// scripts (the shell gives background jobs /dev/null), as paddock's /dev
// has them.
func nativeDevices(t *testing.T, root string) {
	t.Helper()
	for _, d := range []struct {
		name         string
		major, minor uint32
	}{{"null", 1, 3}, {"zero", 1, 5}} {
		p := filepath.Join(root, "dev", d.name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil && !os.IsExist(err) {
			t.Fatalf("mknod %s: %v", p, err)
		}
	}
}

// shellRoot is busyboxRoot with a link in /bin for every applet, so that
// scripts run commands by name as they do in Alpine.
func shellRoot(t *testing.T) string {
	t.Helper()
	root := busyboxRoot(t)
	out, err := exec.Command(filepath.Join(root, "bin", "busybox"), "--list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range strings.Fields(string(out)) {
		if name != "busybox" && !strings.ContainsAny(name, "/[") {
			os.Symlink("busybox", filepath.Join(root, "bin", name))
		}
	}
	return root
}

// TestShellScripts runs the scripts with Debian's busybox-static.
func TestShellScripts(t *testing.T) {
	runInCopies(t, shellRoot(t), scripts, nativeDevices)
}

// TestAlpineShellScripts runs the scripts with Alpine's busybox, the
// tarball itself as paddock's root.
func TestAlpineShellScripts(t *testing.T) {
	tarball := alpineTarball(t)
	chroot := t.TempDir()
	extract(t, tarball, chroot)
	nativeDevices(t, chroot)
	data := t.TempDir()
	makeData(t, data)
	for _, s := range scripts {
		t.Run(s.name, func(t *testing.T) {
			nd := filepath.Join(chroot, "data")
			os.RemoveAll(nd)
			copyTree(t, data, nd)
			pd := filepath.Join(t.TempDir(), "data")
			copyTree(t, data, pd)
			runApplet(t, s, chroot, nd, tarball, pd, []string{"-v", pd + ":/data"})
		})
	}
}
