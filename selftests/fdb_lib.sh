# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the forwarding database tests (sourced after lib.sh): four
# hypervisor hosts h1..h4 on one underlay switch (a bridge in namespace ul,
# multicast snooping off), each bridging a "VM" (namespace vmN, 10.1.0.N,
# MAC 02:00:00:00:01:0N) to gnv0.  FAMILY (4 or 6) picks the underlay.

HOSTS="1 2 3 4"
ETH_TEST=0x88b5		# the frames the tests count carry this ethertype
FLOOD=00:00:00:00:00:00

vm_mac() { echo "02:00:00:00:01:0$1"; }
h() { local n=$1; shift; ip -n "h$n" "$@"; }
# fdb N OP ARGS...: on gnv0's own table (self), not on the bridge above it.
fdb() { local n=$1 op=$2; shift 2; bridge -n "h$n" fdb "$op" "$@" self; }
sysfs() { ip netns exec "h$1" cat "/sys/class/net/gnv0/geneve/$2"; }
sysfs_set() { ip netns exec "h$1" sh -c "echo $3 > /sys/class/net/gnv0/geneve/$2"; }

under() { [ "$FAMILY" = 6 ] && echo "2001:db8::$1" || echo "192.0.2.$1"; }

topology()
{
	local n
	netns_add ul && ip -n ul link add brU type bridge mcast_snooping 0 &&
		ip -n ul link set brU up || return 1
	for n in $HOSTS; do
		netns_add h$n && netns_add vm$n &&
		ip link add u$n netns h$n type veth peer name p$n netns ul &&
		ip -n ul link set p$n master brU && ip -n ul link set p$n up &&
		h $n addr add 192.0.2.$n/24 dev u$n && h $n link set u$n up &&
		ipv6_on h$n u$n 2001:db8::$n &&
		ip link add t$n netns h$n type veth peer name eth0 netns vm$n &&
		ip -n vm$n link set eth0 address "$(vm_mac $n)" &&
		ip -n vm$n addr add 10.1.0.$n/24 dev eth0 && ip -n vm$n link set eth0 up &&
		h $n link add br0 type bridge && h $n link set t$n master br0 &&
		h $n link set t$n up && h $n link set br0 up || return 1
	done
}

# multipoint: gnv0 on every host, no remote of its own, all four hosts in
# its flood list.
multipoint()
{
	local n m any=0.0.0.0
	[ "$FAMILY" = 6 ] && any=::
	for n in $HOSTS; do
		h $n link add gnv0 mtu 1400 type geneve id 100 remote $any &&
		h $n link set gnv0 master br0 && h $n link set gnv0 up || return 1
		for m in $HOSTS; do
			fdb $n append $FLOOD dev gnv0 dst "$(under $m)" || return 1
		done
	done
}

# captures CMD...: runs CMD while every host's underlay port captures the
# Geneve packets it receives that carry an inner frame of type ETH_TEST;
# prints the four counts, h1 first.
captures()
{
	local n pids=() filter='udp[28:2] = '$ETH_TEST
	[ "$FAMILY" = 6 ] && filter="ip6[68:2] = $ETH_TEST"
	for n in $HOSTS; do
		# -p: not promiscuous, so that only what is sent to the host counts.
		ip netns exec h$n tcpdump -p -q -n -s 128 -Q in -i u$n -w "$WORK/c$n.pcap" \
			"udp dst port 6081 and $filter" >/dev/null 2>"$WORK/c$n.log" &
		pids+=($!)
	done
	for n in $HOSTS; do
		tcpdump_wait "$WORK/c$n.log"
	done
	"$@" >/dev/null
	sleep 1
	kill -INT "${pids[@]}"
	wait "${pids[@]}"
	for n in $HOSTS; do
		echo -n "$(tcpdump -n -r "$WORK/c$n.pcap" 2>/dev/null | grep -c '\.6081: Geneve') "
	done
	echo
}

# frames VM DST_MAC COUNT [GAP]: COUNT frames of type ETH_TEST from VM's
# eth0, GAP seconds apart (0).
frames()
{
	ip netns exec "vm$1" $PY -c '
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
dst, src, n = bytes.fromhex(sys.argv[1].replace(":", "")), s.getsockname()[4], int(sys.argv[2])
for i in range(n):
    s.send(dst + src + bytes.fromhex(sys.argv[3][2:]) + b"fdb test frame".ljust(46, b"."))
    time.sleep(float(sys.argv[4]))
' "$2" "$3" "$ETH_TEST" "${4:-0}"
}

# all_ping: every VM pings every other, then keeps what ARP taught it for
# good, so that no ARP probe adds to the frames the tests count.
all_ping()
{
	local a b
	for a in $HOSTS; do
		for b in $HOSTS; do
			[ $a = $b ] && continue
			ip netns exec vm$a ping -c 1 -W 3 -q 10.1.0.$b >/dev/null ||
				{ echo "vm$a -> vm$b"; return 1; }
			ip -n vm$a neigh replace 10.1.0.$b lladdr "$(vm_mac $b)" dev eth0 \
				nud permanent
		done
	done
}

# The entry for MAC on host N: "DST KIND" of each destination, or "none";
# KIND is extern_learn, static, permanent or dynamic (no state shown).
entry()
{
	bridge -n "h$1" fdb show dev gnv0 | awk -v mac="$2" '
		$1 == mac && !/ master / {
			d = ""; for (i = 2; i < NF; i++) if ($i == "dst") d = $(i + 1)
			k = "dynamic"
			if (/ permanent/) k = "permanent"
			if (/ static/) k = "static"
			if (/ extern_learn/) k = "extern_learn"
			out = out sep d " " k; sep = "," }
		END { print (out == "" ? "none" : out) }'
}

# one_broadcast: what each host receives of one broadcast frame from vm1
# (as captures prints it), then how many copies h1's gnv0 sent.
one_broadcast()
{
	local tx
	tx=$(devstat h1 gnv0 tx_packets)
	echo "$(captures frames 1 ff:ff:ff:ff:ff:ff 1)$(($(devstat h1 gnv0 tx_packets) - tx))"
}
