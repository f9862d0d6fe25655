#!/bin/sh
# net.sh: Alpine's busybox networking on the loopback, run natively in a
# fresh network namespace and under paddock. Everything waits for what
# it needs (a port listening) rather than sleeping, and what varies
# between runs (times, pids) is printed as a name.
ip link set lo up 2>/dev/null
mount -t proc proc /proc 2>/dev/null
waitport() { while ! netstat -ltn | grep -q ":$1 "; do usleep 10000; done; }

echo "== nc, one connection"
nc -l -p 7000 >/tmp/got &
waitport 7000
echo hi | nc 127.0.0.1 7000
wait
echo "got: $(cat /tmp/got)"

echo "== nc -lk -e as an HTTP server, fetched by wget over IPv4 and IPv6"
# Servers that are killed run outside the shell's jobs: the shell would
# report a job's death by a signal ("Terminated") whenever it reaps it.
server() { ("$@" & echo $! >/tmp/server.pid); }
server nc -lk -p 8080 -e /srv/respond
waitport 8080
netstat -tln
netstat -tlnp | sed 's/ [0-9]*\/nc/ PID\/nc/'
wget -qO- http://127.0.0.1:8080/index.html
wget -qO- "http://[::1]:8080/v6"
kill $(cat /tmp/server.pid)

echo "== nc over UDP"
server sh -c 'exec nc -u -l -p 7001 >/tmp/udp'
while ! netstat -lun | grep -q ":7001 "; do usleep 10000; done
echo datagram | nc -u -w1 127.0.0.1 7001
while [ ! -s /tmp/udp ]; do usleep 10000; done
echo "udp got: $(cat /tmp/udp)"
kill $(cat /tmp/server.pid)

echo "== ping"
for a in 127.0.0.1 ::1; do
	ping -c2 $a | sed 's/time=[0-9.]* ms/time=T ms/; s/= [0-9.\/]* ms/= T ms/'
done

echo "== interfaces"
ip addr
ip link
ip -4 route
ifconfig lo | grep -v 'bytes\|packets'
cat /proc/net/if_inet6
