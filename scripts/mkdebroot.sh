#!/bin/sh
# mkdebroot.sh ROOT: a root with Debian's sqlite3 and make (downloaded
# with apt-get download and unpacked with dpkg -x), the glibc libraries they
# need from this machine, and busybox for a shell and its applets. The downloads are kept in
# ROOT.debs so that a second run needs no network.
set -eu
root=$1
debs=$root.debs
mkdir -p "$debs"
pkgs="sqlite3 libsqlite3-0 libreadline8 make"
if ! ls "$debs"/make_*.deb >/dev/null 2>&1; then
	# A machine whose package lists were never fetched needs them first.
	(cd "$debs" && { apt-get download $pkgs || { apt-get update -q && apt-get download $pkgs; }; })
fi
rm -rf "$root"
mkdir -p "$root/bin" "$root/tmp" "$root/dev" "$root/proc" "$root/lib64" "$root/lib/x86_64-linux-gnu"
for d in "$debs"/*.deb; do
	dpkg -x "$d" "$root"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
for l in libc.so.6 libm.so.6 libdl.so.2 libz.so.1 libtinfo.so.6; do
	cp -L "/lib/x86_64-linux-gnu/$l" "$root/lib/x86_64-linux-gnu/"
done
busybox=$(command -v busybox)
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
