#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# UDP tunnel port offload (udp_tunnel_nic): a NIC that can parse Geneve is
# told which UDP ports carry it.  The NIC here is selftests/tools/tunnel_nic
# (no emulated NIC and no netdevsim in Debian's kernel has such a table); its
# table is what `ethtool --show-tunnels` lists, and `ethtool -S` counts the
# calls that programmed it.  The same steps run with ours and then with
# Debian's in-tree geneve.ko, whose table and call counts must be the same.
source "$(dirname "$0")/lib.sh"

NIC_MODULE=$TOP/selftests/tools/tunnel_nic/geneve_test_nic.ko
STEPS=14

tap_plan $((2 * STEPS + 2))
require_ours
cleanup_netns

# ports NS DEV: the Geneve ports in DEV's table, sorted ("-" if none), then
# the set_port and unset_port calls so far.
ports()
{
	local list
	list=$(ip netns exec "$1" ethtool --show-tunnels "$2" |
		awk '/port [0-9]+, geneve/ { sub(",", "", $2); print $2 }' |
		sort -n | tr '\n' ' ')
	list=${list% }
	echo "${list:--} $(nic_stat "$1" "$2" set_port) $(nic_stat "$1" "$2" unset_port)"
}

nic_stat()
{
	ip netns exec "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}

# expect NS DEV DESCRIPTION "PORTS SET UNSET": a replay after a feature
# change runs from a workqueue, so give the table a moment to settle.
expect()
{
	local ns=$1 dev=$2 desc=$3 want=$4 got _
	for _ in $(seq 20); do
		got=$(ports "$ns" "$dev")
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	check_eq "$MOD: $desc" "$want" "$got"
}

up()
{
	ip -n tn1 link add "$1" type geneve "${@:2}" && ip -n tn1 link set "$1" up
}

# steps: one NIC-table assertion per step, STEPS in all.
steps()
{
	netns_add tn1 && netns_add tn2 &&
		ip -n tn1 link add t0 type geneve_test_nic &&
		ip -n tn1 link set t0 up &&
		ip -n tn2 link add t9 type geneve_test_nic ||
		bail_out "cannot create test NICs"
	expect tn1 t0 "no tunnel: empty table, nothing programmed" "- 0 0"

	up gnv0 id 10 remote 192.0.2.9
	expect tn1 t0 "IPv4 tunnel on 6081 up: its port programmed" "6081 1 0"
	up gnv1 id 11 remote 192.0.2.9
	expect tn1 t0 "second tunnel on 6081: shares the socket, no new call" "6081 1 0"
	up gnv6 id 12 remote 2001:db8::9
	expect tn1 t0 "IPv6 tunnel on 6081: same port, no new call" "6081 1 0"
	up gnv2 id 13 remote 192.0.2.9 dstport 6082
	expect tn1 t0 "tunnel on 6082 up: second entry" "6081 6082 2 0"
	ip -n tn1 link set gnv2 down
	expect tn1 t0 "tunnel on 6082 down: its entry removed" "6081 2 1"

	ip netns exec tn1 ethtool -K t0 rx-udp_tunnel-port-offload off
	expect tn1 t0 "NIC offload feature off: table dropped" "- 2 2"
	ip netns exec tn1 ethtool -K t0 rx-udp_tunnel-port-offload on
	expect tn1 t0 "feature on again: the tunnel driver pushes its port back" "6081 3 2"

	ip -n tn1 link add t1 type geneve_test_nic
	expect tn1 t1 "NIC created after the tunnel: gets the port at once" "6081 1 0"
	expect tn2 t9 "NIC in another namespace: none of tn1's ports" "- 0 0"

	ip -n tn1 link set gnv0 down
	ip -n tn1 link set gnv1 down
	expect tn1 t0 "IPv4 tunnels down, IPv6 one up: port still in use" "6081 3 2"
	ip -n tn1 link set gnv6 down
	expect tn1 t0 "last tunnel on 6081 down: table empty" "- 3 3"

	ip -n tn1 link set gnv0 up
	expect tn1 t0 "tunnel up again: port programmed again" "6081 4 3"
	# Removing the module closes the sockets of the devices it deletes.
	geneve_unload
	expect tn1 t0 "tunnel module removed with the tunnel up: table empty" "- 4 4"
	cleanup_netns
}

check "load the test NIC module" insmod "$NIC_MODULE"

MOD=ours
steps
MOD=in-tree
if geneve_load_intree; then
	steps
else
	for _ in $(seq $STEPS); do
		tap_skip "in-tree: step $_" "Debian's geneve.ko does not load"
	done
fi

geneve_unload
check "test NIC module unloads" rmmod geneve_test_nic
require_ours
tap_done
