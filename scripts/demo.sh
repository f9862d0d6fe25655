#!/bin/sh
# demo.sh PADDOCK ROOT: a short session showing what paddock runs.
set -u
p=$1
root=$2
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "paddock run --root $root -- $*"; "$p" run --root "$root" -w /work -- "$@"; }
"$p" version
run uname -a
run cat /etc/os-release
run sh -c 'echo "six times seven is $((6*7))"; for w in one two three; do echo "word: $w"; done'
run sh -c 'seq 1 5 | sort -r | tr "\n" " "; echo; (sleep 0.1; echo background job done) & echo "started $!"; wait; trap "echo caught USR1" USR1; kill -USR1 $$'
run sh -c 'sleep 1 & ps -o pid,ppid,stat,comm; grep -E "^(Name|State|PPid)" /proc/self/status; grep "open files" /proc/self/limits'
run ls -la /
run id
run /opt/examples/hello "from a dynamically linked musl program"
run /opt/examples/cpu
run sha256sum /bin/busybox
run stat -c '%n: %s bytes, mode %a, inode %i' /bin/busybox /etc/passwd
say "paddock strace --root $root -f -e trace=%file,%process --explain -- sh -c 'head -n 1 /etc/os-release | wc -c'"
"$p" strace --root "$root" -w /work -f -e trace=%file,%process --explain -- sh -c 'head -n 1 /etc/os-release | wc -c'
say "paddock run --root $root --itrace --itrace-start main --itrace-limit 12 -- /opt/examples/hello"
"$p" run --root "$root" -w /work --itrace --itrace-start main --itrace-limit 12 -- /opt/examples/hello 2>&1
if [ -n "${PADDOCK_ALPINE:-}" ] && [ -f "$PADDOCK_ALPINE" ]; then
	say "paddock run --root \$PADDOCK_ALPINE -- /bin/busybox ls -la /etc"
	"$p" run --root "$PADDOCK_ALPINE" -- /bin/busybox ls -la /etc
	say "paddock run --root \$PADDOCK_ALPINE -- cat /etc/alpine-release"
	"$p" run --root "$PADDOCK_ALPINE" -- cat /etc/alpine-release
fi
echo
