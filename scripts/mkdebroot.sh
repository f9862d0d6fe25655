#!/bin/sh
# mkdebroot.sh ROOT: a root with Debian's sqlite3, make and lsof (downloaded
# with apt-get download and unpacked with dpkg -x), the glibc libraries they
# need from this machine, and busybox for a shell and its applets. The downloads are kept in
# ROOT.debs so that a second run needs no network.
set -eu
root=$1
debs=$root.debs
mkdir -p "$debs"
pkgs="sqlite3 libsqlite3-0 libreadline8 make lsof libtirpc3 libtirpc-common libgssapi-krb5-2 libkrb5-3
	libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1 libselinux1 libpcre2-8-0 libssl3"
if ! ls "$debs"/lsof_*.deb >/dev/null 2>&1; then
	# A machine whose package lists were never fetched needs them first.
	(cd "$debs" && { apt-get download $pkgs || { apt-get update -q && apt-get download $pkgs; }; })
fi
rm -rf "$root"
mkdir -p "$root/bin" "$root/tmp" "$root/dev" "$root/proc" "$root/lib64" "$root/lib/x86_64-linux-gnu"
for d in "$debs"/*.deb; do
	dpkg -x "$d" "$root"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
for l in libc.so.6 libm.so.6 libdl.so.2 libz.so.1 libtinfo.so.6 libresolv.so.2; do
	cp -L "/lib/x86_64-linux-gnu/$l" "$root/lib/x86_64-linux-gnu/"
done
busybox=$(command -v busybox)
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
