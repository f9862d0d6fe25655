#!/bin/sh
# run.sh PADDOCK [FLAGS]: build the bench root and run the benchmarks
# (FLAGS go to the runner: -net or -tracing runs only those).
set -eu
paddock=$1
root=build/bench-root
mkdir -p "$root/bin" "$root/data" "$root/tmp" "$root/dev" "$root/proc"
cp "$(command -v busybox)" "$root/bin/busybox"
ln -sf busybox "$root/bin/true"
for prog in getppid pingpong mutex netbench; do
	musl-gcc -O2 -static -o "$root/bin/$prog" "testdata/bench/$prog.c"
done
[ -f "$root/data/64M" ] || head -c 67108864 /dev/urandom > "$root/data/64M"
[ -f "$root/data/256K" ] || head -c 262144 "$root/data/64M" > "$root/data/256K"
shift
go run ./bench -paddock "$paddock" -root "$root" "$@"
