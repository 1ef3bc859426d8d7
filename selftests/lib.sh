# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the guest-side tests: TAP output in kselftest style,
# loading our module (never Debian's), and the two-host topology.
# Sourced by bash scripts that run as root inside the test VM.

set -u

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=$TOP/geneve.ko
PY=/usr/bin/python3		# Debian's, whatever else is on PATH
TOOLS=$TOP/selftests/tools

_tap_n=0
_tap_fail=0
_tap_skip=0
_tap_planned=

tap_plan()
{
	_tap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

# ok CONDITION-EXIT-STATUS DESCRIPTION
tap_result()
{
	local st=$1; shift
	_tap_n=$((_tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		_tap_fail=$((_tap_fail + 1))
		echo "not ok $_tap_n - $*"
	fi
}

# Runs "$@" quietly; the test passes when it succeeds.
check()
{
	local desc=$1; shift
	local out
	out=$("$@" 2>&1)
	local st=$?
	tap_result $st "$desc"
	[ $st -eq 0 ] || printf '# %s\n' "command: $*" "$out" | head -40
	return $st
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq()
{
	local st=0
	[ "$2" = "$3" ] || st=1
	tap_result $st "$1"
	[ $st -eq 0 ] || echo "# expected '$2', got '$3'"
	return $st
}

tap_skip()
{
	_tap_n=$((_tap_n + 1))
	_tap_skip=$((_tap_skip + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

tap_done()
{
	# A script that died half way must not pass for having failed nothing.
	if [ "$_tap_n" -ne "${_tap_planned:--1}" ]; then
		echo "not ok - planned ${_tap_planned:-no} tests, ran $_tap_n"
		exit $KSFT_FAIL
	fi
	if [ $_tap_fail -ne 0 ]; then
		exit $KSFT_FAIL
	elif [ $_tap_n -gt 0 ] && [ $_tap_skip -eq $_tap_n ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# Where the kernel's pmtu.sh is for kernel KVER (default: the running one),
# extracted from Debian's linux-source of that line (6.1 or 6.12) on first
# use into selftests/.cache (ignored by git), with the helpers it sources.
selftests_pmtu_script()
{
	local line dir src net
	line=$(echo "${1:-$(uname -r)}" | cut -d. -f1,2)
	dir=$TOP/selftests/.cache
	src=/usr/src/linux-source-$line.tar.xz
	net=linux-source-$line/tools/testing/selftests/net
	if [ ! -s "$dir/$net/pmtu.sh" ]; then
		[ -r "$src" ] || return 1
		mkdir -p "$dir" &&
			tar -xJf "$src" -C "$dir" --wildcards --no-wildcards-match-slash \
				"$net/pmtu.sh" "$net/*lib*.sh" "$net/*helper*.sh" 2>/dev/null
		[ -s "$dir/$net/pmtu.sh" ] || return 1
	fi
	echo "$dir/$net/pmtu.sh"
}

bail_out()
{
	echo "Bail out! $*"
	exit $KSFT_FAIL
}

# ---- Module ----

geneve_is_ours()
{
	[ -r /sys/module/geneve/srcversion ] &&
		[ "$(cat /sys/module/geneve/srcversion)" = "$(modinfo -F srcversion "$MODULE")" ]
}

geneve_is_intree()
{
	[ -d /sys/module/geneve ] && ! geneve_is_ours
}

# Devices of a namespace just deleted go away in the background: retry.
geneve_unload()
{
	local _
	for _ in $(seq 100); do
		[ -d /sys/module/geneve ] || return 0
		rmmod geneve 2>/dev/null && return 0
		sleep 0.2
	done
	rmmod geneve
}

# Loads our geneve.ko, replacing Debian's in-tree one if that is live.
geneve_load_ours()
{
	geneve_is_ours && return 0
	geneve_unload || return 1
	local dep
	for dep in $(modinfo -F depends "$MODULE" | tr ',' ' '); do
		modprobe "$dep" || return 1
	done
	insmod "$MODULE" && geneve_is_ours
}

geneve_load_intree()
{
	geneve_is_intree && return 0
	geneve_unload && modprobe geneve && geneve_is_intree
}

# Every test starts here: the module under test must be ours.
require_ours()
{
	geneve_load_ours || bail_out "cannot load $MODULE"
}

# ---- Topology ----
#
# Two "hypervisor hosts" gh1 and gh2 joined by a veth underlay u1 <-> u2
# (192.0.2.1/24, 192.0.2.2/24), each with a geneve device gnv0 carrying
# 198.51.100.{1,2}/24 over VNI 42.  IPv6 is off on every device so that no
# neighbour discovery or MLD adds packets to the counters we assert on.

UNDER1=192.0.2.1
UNDER2=192.0.2.2
UNDER6_1=2001:db8::1
UNDER6_2=2001:db8::2
OVER1=198.51.100.1
OVER2=198.51.100.2
OVER6_1=2001:db8:1::1
OVER6_2=2001:db8:1::2
VNI=42

netns_add()
{
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

underlay_setup()
{
	netns_add gh1 && netns_add gh2 || return 1
	ip link add u1 netns gh1 type veth peer name u2 netns gh2 || return 1
	ip -n gh1 addr add $UNDER1/24 dev u1
	ip -n gh2 addr add $UNDER2/24 dev u2
	ip -n gh1 link set u1 up
	ip -n gh2 link set u2 up
}

# ipv6_on NETNS DEV ADDR: IPv6 on that one device, with ADDR (no DAD wait).
ipv6_on()
{
	# No router solicitations: with their exponential backoff one can
	# leave at any time and add a packet to the counters tests assert on.
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.accept_ra=0" \
		"net.ipv6.conf.$2.disable_ipv6=0" &&
	ip -n "$1" addr add "$3/64" dev "$2" nodad
}

# IPv6 on the underlay only: other devices keep it off (see above).
underlay_setup6()
{
	ipv6_on gh1 u1 $UNDER6_1 && ipv6_on gh2 u2 $UNDER6_2
}

# tunnel_pair REMOTE_OF_GH2 REMOTE_OF_GH1 [extra geneve options...]: gnv0 on
# both hosts, each pointing at the other, with IPv4 $OVER1/$OVER2 inside.
tunnel_pair()
{
	local r1=$1 r2=$2; shift 2
	ip -n gh1 link add gnv0 type geneve id $VNI remote "$r2" "$@" &&
	ip -n gh2 link add gnv0 type geneve id $VNI remote "$r1" "$@" || return 1
	ip -n gh1 addr add $OVER1/24 dev gnv0
	ip -n gh2 addr add $OVER2/24 dev gnv0
	ip -n gh1 link set gnv0 up && ip -n gh2 link set gnv0 up
}

# tunnel_setup [extra geneve options...]: over the IPv4 underlay.
tunnel_setup()
{
	tunnel_pair $UNDER1 $UNDER2 "$@"
}

# Inner IPv6 on gnv0 as well ($OVER6_1, $OVER6_2).
tunnel_inner6()
{
	ipv6_on gh1 gnv0 $OVER6_1 && ipv6_on gh2 gnv0 $OVER6_2
}

# capture_start NETNS IFACE COUNT FILE FILTER: tcpdump of incoming packets in
# the background; capture_wait waits for COUNT packets (10 s at most).
capture_start()
{
	ip netns exec "$1" tcpdump -q -n -Q in -i "$2" -c "$3" -w "$4" "$5" \
		2>"$4.log" &
	CAPTURE_PID=$!
	tcpdump_wait "$4.log"
}

# tcpdump_wait LOG: until the tcpdump whose stderr is LOG captures (at most
# 20 s: a loaded host starts it slowly), then a moment for the filter.
tcpdump_wait()
{
	local _
	for _ in $(seq 100); do
		grep -q "listening on" "$1" 2>/dev/null && break
		sleep 0.2
	done
	sleep 0.5
}

capture_wait()
{
	local _
	for _ in $(seq 50); do
		kill -0 "$CAPTURE_PID" 2>/dev/null || break
		sleep 0.2
	done
	kill "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
	return 0
}

# dissect FILE [--where KEY=VALUE]... KEY...: for each KEY, the sorted set of
# values it takes over the (matching) Geneve packets of a capture, decoded
# from raw bytes, one line per KEY.
dissect()
{
	local file=$1; shift
	local where=()
	while [ "${1:-}" = --where ]; do
		where+=("$1" "$2")
		shift 2
	done
	$PY "$TOOLS/gnvpkt.py" dissect "$file" "${where[@]}" | $PY -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
for key in sys.argv[1:]:
    print(" ".join(sorted({str(r.get(key)) for r in rows})) if rows else "none")' "$@"
}

# static_neigh [ADDR_OF_GH1 ADDR_OF_GH2]: permanent neighbours on gnv0
# (default $OVER1, $OVER2), so that no ARP or neighbour probe adds to exact
# counter assertions.
static_neigh()
{
	local a1=${1:-$OVER1} a2=${2:-$OVER2} mac1 mac2
	mac1=$(ip -n gh1 -j link show gnv0 | jq_field address)
	mac2=$(ip -n gh2 -j link show gnv0 | jq_field address)
	ip -n gh1 neigh replace "$a2" lladdr "$mac2" dev gnv0 nud permanent &&
	ip -n gh2 neigh replace "$a1" lladdr "$mac1" dev gnv0 nud permanent
}

# Reads one field of the first object of `ip -j` output on stdin.
jq_field()
{
	$PY -c 'import json,sys; print(json.load(sys.stdin)[0][sys.argv[1]])' "$1"
}

# devstat NETNS DEV COUNTER: one of the device's statistics.
devstat()
{
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# ethstats NETNS DEV: the device's `ethtool -S` counters, "NAME VALUE" lines.
ethstats()
{
	ip netns exec "$1" ethtool -S "$2" | awk -F': *' 'NR > 1 { sub(/^ +/, "", $1); print $1, $2 }'
}

# stat_moves BEFORE AFTER: which counters of two ethstats outputs moved, as
# "NAME+DELTA ..." in output order, or "-" if none did.
stat_moves()
{
	awk 'NR == FNR { was[$1] = $2; next }
	     $2 != was[$1] { out = out sep $1 "+" ($2 - was[$1]); sep = " " }
	     END { print (out == "" ? "-" : out) }' <(echo "$1") <(echo "$2")
}

# sock_stat NETNS PORT COLUMN [FAMILY]: a column of /proc/net/geneve for the
# socket on PORT (FAMILY inet by default), "none" if there is no such socket.
sock_stat()
{
	ip netns exec "$1" awk -v port="$2" -v col="$3" -v fam="${4:-inet}" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		$1 == port && $2 == fam { print $c; found = 1 }
		END { if (!found) print "none" }' /proc/net/geneve
}

# tcp_mean_size NETNS rx|tx BYTES: sends BYTES of TCP from gh1 to gh2
# through the tunnel and prints the mean size of the frames that NETNS's
# gnv0 received or sent meanwhile.
tcp_mean_size()
{
	local ns=$1 dir=$2 p b
	ip netns exec gh2 iperf3 -s -D -1 -B $OVER2 --logfile "$WORK/iperf-mean.log"
	sleep 1
	p=$(devstat "$ns" gnv0 "${dir}_packets") b=$(devstat "$ns" gnv0 "${dir}_bytes")
	ip netns exec gh1 timeout 60 iperf3 -c $OVER2 -n "$3" >/dev/null
	p=$(($(devstat "$ns" gnv0 "${dir}_packets") - p))
	b=$(($(devstat "$ns" gnv0 "${dir}_bytes") - b))
	echo $((b / (p ? p : 1)))
}

# wire_frames on|off: make the underlay u1 -> u2 behave like a NIC and a
# wire, or undo it.  veth passes GSO packets whole, so no receive path
# merges anything; with segmentation off on u1 the frames crossing it are
# MTU-sized, and with GRO on u2 (which gives veth a NAPI poll) the receiver
# merges them again: the tunnel's UDP GRO for a tunnel, TCP GRO for veth.
wire_frames()
{
	local segment=off gro=on
	[ "$1" = off ] && { segment=on; gro=off; }
	ip netns exec gh1 ethtool -K u1 tso $segment gso $segment \
		tx-udp_tnl-segmentation $segment \
		tx-udp_tnl-csum-segmentation $segment >/dev/null &&
		ip netns exec gh2 ethtool -K u2 gro $gro >/dev/null
}

# gso_checksums: TCP leaves gh1's gnv0 in GSO super-packets that u1, its
# offloads turned off, segments in software.  Two checks: gnv0 did send
# super-packets, and 20 segments captured on u2 carry correct outer UDP and
# inner TCP checksums (tshark).
gso_checksums()
{
	local size
	ip netns exec gh1 ethtool -K u1 tx off tso off gso off \
		tx-udp_tnl-segmentation off tx-udp_tnl-csum-segmentation off >/dev/null
	capture_start gh2 u2 20 "$WORK/gso.pcap" 'udp dst port 6081 and greater 1000'
	size=$(tcp_mean_size gh1 tx 2M)
	capture_wait
	check "gnv0 sent GSO super-packets (mean $size bytes > MTU)" test "$size" -gt 1500
	check_eq "tshark: 20 segments, outer UDP and inner TCP checksums all correct" \
		"20 1,1" "$(tshark -r "$WORK/gso.pcap" -o udp.check_checksum:TRUE \
			-o tcp.check_checksum:TRUE -T fields -E occurrence=f \
			-e udp.checksum.status -e tcp.checksum.status 2>/dev/null |
			awk '{ n++; v[$1 "," $2] } END { for (k in v) s = s k; print n + 0, s }')"
}

# route_mtu NETNS ADDR: the PMTU an exception gives ADDR's route, or "none".
route_mtu()
{
	ip -n "$1" route get "$2" | grep -o 'mtu [0-9]*' | cut -d' ' -f2 | grep . || echo none
}

# with_workdir: a scratch directory $WORK; it goes, with every namespace,
# when the test exits.
with_workdir()
{
	WORK=$(mktemp -d)
	trap 'cleanup_netns; rm -rf "$WORK"' EXIT
}

cleanup_netns()
{
	ip -all netns delete 2>/dev/null
	return 0
}
