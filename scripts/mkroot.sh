#!/bin/sh
# mkroot.sh ROOT GUESTDIR: build the demo root from Debian packages already
# on this machine: busybox-static with a link for every applet, musl's
# dynamic loader, and a few of paddock's test programs in /opt/examples.
# It needs no network and may be run again.
set -eu
root=$1
guests=$2
busybox=$(command -v busybox) || { echo "busybox is missing: run 'make deps'" >&2; exit 1; }
mkdir -p "$root/bin" "$root/lib" "$root/etc" "$root/tmp" "$root/dev" "$root/proc" \
	"$root/root" "$root/home" "$root/opt/examples" "$root/usr/bin" "$root/work"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp -L /lib/ld-musl-x86_64.so.1 "$root/lib/ld-musl-x86_64.so.1"
for p in hello args cpu statx; do
	cp "$guests/dynamic/$p" "$root/opt/examples/$p"
done
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
guest:x:1000:1000:guest:/home:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false
P
cat > "$root/etc/group" <<'G'
root:x:0:
guest:x:1000:
nogroup:x:65534:
G
cat > "$root/etc/os-release" <<'O'
NAME="paddock demo"
ID=paddock-demo
PRETTY_NAME="paddock demo root (Debian busybox-static)"
O
echo "Welcome to the paddock demo root." > "$root/etc/motd"
