#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The netlink configuration layer: one negative test per error message the
# module can return (through raw rtnetlink where iproute2 refuses first),
# then changelink, MTU bounds and what `ip -d -j link show` reports.
source "$(dirname "$0")/lib.sh"

tap_plan 48
require_ours
trap cleanup_netns EXIT
cleanup_netns
netns_add nl
ip -n nl link add dummy0 type dummy
ip -n nl addr add 192.0.2.1/24 dev dummy0
ip -n nl link set dummy0 up

rtnl()
{
	ip netns exec nl $PY "$TOOLS/rtnl.py" "$@"
}

# refused DESCRIPTION "ERRNO message" rtnl.py-arguments...
refused()
{
	local desc=$1 want=$2; shift 2
	check_eq "$desc" "ERR $want" "$(rtnl "$@")"
}

refused "IFLA_ADDRESS of 2 bytes" \
	"EINVAL Provided link layer address is not Ethernet" add t0 --mac 0102 id=1
refused "multicast IFLA_ADDRESS" \
	"EADDRNOTAVAIL Provided Ethernet address is not unicast" add t0 --mac 010203040506 id=1
refused "no IFLA_INFO_DATA" \
	"EINVAL Not enough attributes provided to perform the operation" add t0 --no-data
refused "VNI 2^24" \
	"ERANGE Geneve ID must be lower than 16777216" add t0 id=16777216
refused "DF 3" \
	"EINVAL Invalid DF attribute" add t0 id=1 df=3
refused "both REMOTE and REMOTE6" \
	"EINVAL Cannot specify both IPv4 and IPv6 Remote addresses" add t0 id=1 remote=192.0.2.2 remote6=2001:db8::2
refused "multicast remote" \
	"EINVAL Remote IPv4 address cannot be Multicast" add t0 id=1 remote=239.1.1.1
refused "flow label on an IPv4 device" \
	"EINVAL Label attribute only applies for IPv6 Geneve devices" add t0 id=1 remote=192.0.2.2 label=5
refused "link-local IPv6 remote" \
	"EINVAL Remote IPv6 address cannot be link-local" add t0 id=1 remote6=fe80::1
refused "multicast IPv6 remote" \
	"EINVAL Remote IPv6 address cannot be Multicast" add t0 id=1 remote6=ff0e::1
refused "external device given a VNI" \
	"EINVAL Device is externally controlled, so attributes (VNI, Port, and so on) must not be specified" \
	add t0 collect_metadata= id=5
refused "external device given an IPv6 remote" \
	"EINVAL Device is externally controlled, so attributes (VNI, Port, and so on) must not be specified" \
	add t0 collect_metadata= remote6=2001:db8::2
refused "GRO hint (attribute 16)" \
	"EOPNOTSUPP GRO hint is not supported by this version of the module" add t0 id=1 gro_hint=
refused "source port range high below low" \
	"EINVAL Invalid source port range" add t0 id=1 port_range=10000fff
refused "both LOCAL and LOCAL6" \
	"EINVAL Cannot specify both IPv4 and IPv6 local addresses" add t0 id=1 local=192.0.2.1 local6=2001:db8::1
refused "LOCAL6 on an IPv4 device" \
	"EINVAL Local and remote addresses must be of the same family" add t0 id=1 remote=192.0.2.2 local6=2001:db8::1
refused "multicast LOCAL" \
	"EINVAL Local IPv4 address cannot be Multicast" add t0 id=1 remote=192.0.2.2 local=224.0.0.5
refused "multicast LOCAL6" \
	"EINVAL Local IPv6 address cannot be Multicast" add t0 id=1 remote6=2001:db8::2 local6=ff02::1

# External devices own their port.
check_eq "external device x1 on port 7000" OK "$(rtnl add x1 collect_metadata= port=7000)"
refused "a second device on x1's port" \
	"EPERM There already exists an externally controlled device on this destination port" \
	add t0 id=3 remote=192.0.2.2 port=7000
check_eq "device p1 on port 7001" OK "$(rtnl add p1 id=3 remote=192.0.2.2 port=7001)"
refused "an external device on p1's port" \
	"EPERM There can be only one externally controlled device on a destination port" \
	add t0 collect_metadata= port=7001
refused "changelink of an external device" \
	"EOPNOTSUPP An externally controlled device cannot be changed" change x1 ttl=3

check_eq "create g1: VNI 5, remote 192.0.2.2" OK "$(rtnl add g1 id=5 remote=192.0.2.2)"
refused "same VNI, remote and port again" \
	"EBUSY A device with this VNI, remote and port already exists" add g2 id=5 remote=192.0.2.2
check_eq "same VNI and port, other remote: allowed" OK "$(rtnl add g2 id=5 remote=192.0.2.3)"
CHANGE_MSG="Changing VNI, Port, endpoint IP address family, external, inner_proto_inherit, and UDP checksum attributes are not supported"
refused "changelink: onto another device's VNI, remote and port" \
	"EBUSY A device with this VNI, remote and port already exists" change g2 remote=192.0.2.2
check_eq "changelink of g1 to its own remote: not a clash with itself" OK \
	"$(rtnl change g1 remote=192.0.2.2 ttl=0)"
refused "changelink: new VNI" "EOPNOTSUPP $CHANGE_MSG" change g1 id=6
refused "changelink: port, even unchanged" "EOPNOTSUPP $CHANGE_MSG" change g1 port=6081
refused "changelink: UDP checksum" "EOPNOTSUPP $CHANGE_MSG" change g1 udp_csum=1
refused "changelink: IPv6 remote on an IPv4 device" "EOPNOTSUPP $CHANGE_MSG" change g1 remote6=2001:db8::9
refused "changelink: local address" \
	"EOPNOTSUPP Changing the local address is not supported" change g1 local=192.0.2.1
refused "changelink: source port range (as upstream)" \
	"EOPNOTSUPP $CHANGE_MSG" change g1 port_range=03e803f2

# PORT_RANGE as upstream takes it: only high < low is refused; the dump
# gives back what was set.  Cilium sends 0-0 for "the kernel's default".
port_range_of()
{
	ip netns exec nl $PY "$TOOLS/rtnl.py" show "$1" | sed -n 's/^port_range=//p'
}
check_eq "port range 0-0 (Cilium's default), 7-7 and 0-16 accepted, dumped as given" \
	"OK 00000000 OK 00070007 OK 00000010" \
	"$(rtnl add r0 id=21 port_range=00000000) $(port_range_of r0) $(rtnl add r1 id=22 port_range=00070007) $(port_range_of r1) $(rtnl add r2 id=23 port_range=00000010) $(port_range_of r2)"
check_eq "no port range given: 1-65535 dumped, as upstream" 0001ffff "$(port_range_of g1)"

# A namespace owned by a new user namespace: root there may manage the
# device it holds, but not change a tunnel whose socket lives in "nl".
check "changelink without CAP_NET_ADMIN over the socket's namespace: EPERM" eval '
	unshare --user --map-root-user --net sleep 30 & upid=$!
	sleep 1
	ip -n nl link set g2 netns $upid &&
	out=$(nsenter -t $upid -U -n --preserve-credentials $PY "$TOOLS/rtnl.py" change g2 ttl=9)
	kill $upid
	[ "$out" = "ERR EPERM Changing the device needs CAP_NET_ADMIN in the namespace of its socket" ] ||
		{ echo "$out"; false; }'

info()
{
	ip -n nl -d -j link show "$1" | $PY -c '
import json, sys
d = json.load(sys.stdin)[0]
i = d["linkinfo"]["info_data"]
print(" ".join(str(i.get(k)) for k in sys.argv[1:]))' "${@:2}"
}
check_eq "ip -d -j shows id, remote, ttl, tos, port, df, udpcsum of a new device" \
	"5 192.0.2.2 0 None 6081 unset False" "$(info g1 id remote ttl tos port df udp_csum)"
check "changelink ttl 9 tos 0x10 df set remote 192.0.2.7 (same id)" \
	ip -n nl link set g1 type geneve id 5 ttl 9 tos 0x10 df set remote 192.0.2.7
check_eq "ip -d -j shows the changes" "5 192.0.2.7 9 0x10 set" \
	"$(info g1 id remote ttl tos df)"
check_eq "MTU from the route to the remote: 1500 - 50" 1450 \
	"$(ip -n nl -j link show g1 | jq_field mtu)"
check "ip link set mtu 65486 is refused (max 65535 - 50)" \
	eval '! ip -n nl link set g1 mtu 65486 2>/dev/null'
check "ip link set mtu 65485 and 68 are accepted, 67 is refused" \
	eval 'ip -n nl link set g1 mtu 65485 && ip -n nl link set g1 mtu 68 &&
	      ! ip -n nl link set g1 mtu 67 2>/dev/null'
check_eq "ip link add ... mtu 65500: clamped to 65485 as in-tree" "OK 65485" \
	"$(rtnl add g3 --mtu 65500 id=9 remote=192.0.2.2) $(ip -n nl -j link show g3 | jq_field mtu)"

# A remote routed over another link changes the MTU, and uppers hear of it
# (NETDEV_CHANGEMTU): a bridge with g1 as its only port follows.
ip -n nl link add dummy1 mtu 1400 type dummy
ip -n nl addr add 203.0.113.1/24 dev dummy1
ip -n nl link set dummy1 up
ip -n nl link set g1 mtu 1450
ip -n nl link add br0 type bridge
ip -n nl link set g1 master br0
mtus()
{
	echo "$(ip -n nl -j link show g1 | jq_field mtu) $(ip -n nl -j link show br0 | jq_field mtu)"
}
check_eq "g1 in bridge br0: both at 1450" "1450 1450" "$(mtus)"
ip -n nl link set g1 type geneve id 5 remote 203.0.113.7
check_eq "changelink to a remote behind a 1400-byte link: g1 and br0 at 1350" \
	"1350 1350" "$(mtus)"

# The IPv6 checksum choices are made at creation only: a new IPv6 remote
# keeps them (in-tree turns both back on, for good).
csum6()
{
	ip netns exec nl $PY "$TOOLS/rtnl.py" show z6 |
		sed -n 's/^udp_zero_csum6_\(tx\|rx\)=/\1=/p' | tr '\n' ' '
}
ip -n nl link add z6 type geneve id 61 remote 2001:db8::2 udp6zerocsumtx udp6zerocsumrx
ip -n nl link set z6 type geneve id 61 remote 2001:db8::3
check_eq "changelink of an IPv6 remote keeps udp6zerocsumtx and udp6zerocsumrx" \
	"tx=01 rx=01 " "$(csum6)"

check_eq "ethtool -i and sysfs devtype say geneve" "geneve geneve" \
	"$(ip netns exec nl ethtool -i g1 | awk '/^driver:/ {print $2}') $(ip netns exec nl grep DEVTYPE /sys/class/net/g1/uevent | cut -d= -f2)"

tap_done
