#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The forwarding database: four hypervisor hosts h1..h4 on one underlay
# switch (a bridge in namespace ul, multicast snooping off), each bridging a
# "VM" (namespace vmN, 10.1.0.N, MAC 02:00:00:00:01:0N) to a multipoint
# device gnv0 (no remote of its own) whose flood list names all four hosts,
# itself included.  Over an IPv4 underlay, then IPv6: every VM reaches every
# other, a broadcast reaches each other host once, learnt unicast reaches
# its host only.  Then, on IPv4: what `bridge fdb` shows, roaming, ageing by
# not being seen, deletion, static and extern_learn entries, the learning
# limit under 100 000 forged sources, every refusal, and cleanup.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fdb_lib.sh"

tap_plan 65
require_ours
with_workdir

for FAMILY in 4 6; do
	cleanup_netns
	check "IPv$FAMILY: four hosts, a VM each, multipoint gnv0 with all four in its flood list" \
		eval 'topology && multipoint'
	check "IPv$FAMILY: every VM pings every other (ARP floods to all hosts)" all_ping
	check_eq "IPv$FAMILY: one broadcast from vm1 reaches h2, h3, h4 once each; h1 sends 3 copies, none to itself" \
		"0 1 1 1 3" "$(one_broadcast)"
	check_eq "IPv$FAMILY: 200 frames to vm2's (learnt) MAC reach h2 only" \
		"0 200 0 0 " "$(captures frames 1 "$(vm_mac 2)" 200)"
	check_eq "IPv$FAMILY: h1 learnt vm2, vm3, vm4 behind their hosts" \
		"$(under 2) dynamic|$(under 3) dynamic|$(under 4) dynamic" \
		"$(entry 1 "$(vm_mac 2)")|$(entry 1 "$(vm_mac 3)")|$(entry 1 "$(vm_mac 4)")"
	check_eq "IPv$FAMILY: a frame to an unknown MAC floods to the three others" \
		"0 1 1 1 " "$(captures frames 1 02:00:00:00:09:09 1)"
done
# A source at :: is no host to send back to: delivered, not learnt (FAMILY
# is still 6).
b_rx=$(devstat h1 gnv0 rx_packets)
ip netns exec h2 $PY "$TOOLS/gnvpkt.py" send "$(under 1)" --vni 100 \
	--src-mac 02:00:00:00:0a:0a --from-unspecified
sleep 0.5
check_eq "IPv6: a frame from the unspecified address :: is delivered, not learnt" "1 none" \
	"$(($(devstat h1 gnv0 rx_packets) - b_rx)) $(entry 1 02:00:00:00:0a:0a)"

# ---- IPv4 from here on ----
FAMILY=4
cleanup_netns
topology && multipoint && all_ping >/dev/null

check_eq "flood list shown: four permanent destinations" \
	"192.0.2.1 permanent,192.0.2.2 permanent,192.0.2.3 permanent,192.0.2.4 permanent" \
	"$(entry 1 $FLOOD)"
check_eq "bridge fdb get shows vm2's entry" "$(vm_mac 2)" \
	"$(bridge -n h1 fdb get "$(vm_mac 2)" dev gnv0 self | awk '{print $1}')"
check_eq "fdb_learnt and fdb_entries count the three VMs and the flood list" "3 4" \
	"$(sysfs 1 fdb_learnt) $(sysfs 1 fdb_entries)"
check "bridge -s fdb show gives entries their use times" \
	eval 'bridge -n h1 -s fdb show dev gnv0 | grep "$(vm_mac 2)" | grep -v master | grep -q "used "'

# Roaming: vm3 moves from h3 to h4 (the same MAC on h4's bridge).
bridge -n h1 monitor fdb > "$WORK/monitor" 2>&1 &
mon=$!
sleep 1
ip -n vm3 link set eth0 netns h4
h 4 link add vm3b type veth peer name eth0 netns vm3 2>/dev/null
ip -n h4 link del eth0
h 4 link set vm3b master br0 && h 4 link set vm3b up
ip -n vm3 link set eth0 address "$(vm_mac 3)"
ip -n vm3 addr add 10.1.0.3/24 dev eth0 && ip -n vm3 link set eth0 up
sleep 1
# As a migrated VM announces itself, it speaks first.
check "vm3 moved to h4: it pings vm1, and vm1 pings it" eval '
	ip netns exec vm3 ping -c 1 -W 3 -q 10.1.0.1 >/dev/null &&
	ip netns exec vm1 ping -c 3 -i 0.3 -W 3 -q 10.1.0.3 >/dev/null'
sleep 1
kill $mon
check_eq "h1 moved vm3's entry to h4" "192.0.2.4 dynamic" "$(entry 1 "$(vm_mac 3)")"
check "bridge monitor fdb showed the move" \
	grep -q "$(vm_mac 3) dev gnv0 dst 192.0.2.4" "$WORK/monitor"

# Ageing by not being seen: vm2 answers once, then goes quiet while h1
# keeps sending to it, twice a second for 6 s.
check "fdb_ageing set to 3 s on h1" sysfs_set 1 fdb_ageing 3
ip netns exec vm1 ping -c 1 -W 3 -q 10.1.0.2 >/dev/null
ip -n vm2 link set eth0 down
frames 1 "$(vm_mac 2)" 12 0.5
check_eq "vm2's entry aged although h1 sent to it (ageing by what is received)" \
	none "$(entry 1 "$(vm_mac 2)")"
ip -n vm2 link set eth0 up
sysfs_set 1 fdb_ageing 300

# Deletion: the frames flood again, and the entry is learnt again.
ip netns exec vm1 ping -c 1 -W 3 -q 10.1.0.4 >/dev/null
check "bridge fdb del of vm4's learnt entry" fdb 1 del "$(vm_mac 4)" dev gnv0
check_eq "then a frame to vm4 floods to the three others" \
	"0 1 1 1 " "$(captures frames 1 "$(vm_mac 4)" 1)"
ip netns exec vm1 ping -c 1 -W 3 -q 10.1.0.4 >/dev/null
check_eq "and vm4 is learnt again" "192.0.2.4 dynamic" "$(entry 1 "$(vm_mac 4)")"

# Static and extern_learn entries stay where they were put.
check "static entry for 02:00:00:00:05:05 behind h2" \
	fdb 1 add 02:00:00:00:05:05 dev gnv0 dst 192.0.2.2 static
check "extern_learn entry for 02:00:00:00:06:06 behind h2" \
	fdb 1 add 02:00:00:00:06:06 dev gnv0 dst 192.0.2.2 extern_learn
sysfs_set 1 fdb_ageing 1
ip -n vm3 link set eth0 address 02:00:00:00:05:05
ip netns exec vm3 ping -c 1 -W 2 -q 10.1.0.1 >/dev/null
ip -n vm3 link set eth0 address 02:00:00:00:06:06
ip netns exec vm3 ping -c 1 -W 2 -q 10.1.0.1 >/dev/null
ip -n vm3 link set eth0 address "$(vm_mac 3)"
sleep 3
check_eq "seen behind h4 and 3 s later: both still behind h2, static and extern_learn" \
	"192.0.2.2 static|192.0.2.2 extern_learn" \
	"$(entry 1 02:00:00:00:05:05)|$(entry 1 02:00:00:00:06:06)"
sysfs_set 1 fdb_ageing 300
check_eq "replacing the extern_learn entry without extern_learn is refused" \
	"Error: A control plane's entry (extern_learn) changes only by another such request." \
	"$(fdb 1 replace 02:00:00:00:06:06 dev gnv0 dst 192.0.2.3 2>&1)"
check "replacing it with extern_learn works" \
	fdb 1 replace 02:00:00:00:06:06 dev gnv0 dst 192.0.2.3 extern_learn

# Refusals, one per message.
refused()
{
	local desc=$1 want=$2; shift 2
	check_eq "$desc" "Error: $want." "$("$@" 2>&1)"
}
refused "add without dst" "A destination address (dst) is required" \
	fdb 1 add 02:00:00:00:07:07 dev gnv0
refused "IPv6 dst on an IPv4 device" "The destination must be an address of the underlay's family" \
	fdb 1 add 02:00:00:00:07:07 dev gnv0 dst 2001:db8::2
refused "dst 0.0.0.0" "The destination cannot be the unspecified address" \
	fdb 1 add 02:00:00:00:07:07 dev gnv0 dst 0.0.0.0
refused "multicast dst on a unicast MAC" "A multicast destination is only for the all-zeros address" \
	fdb 1 add 02:00:00:00:07:07 dev gnv0 dst 239.1.1.1
# bridge refuses these itself, or leaves port 0 out: raw netlink.
check_eq "port 0" "ERR EINVAL The destination port cannot be 0" \
	"$(ip netns exec h1 $PY "$TOOLS/rtnl.py" fdb-add gnv0 02:00:00:00:07:07 dst=192.0.2.2 port=0)"
check_eq "VNI 2^24" "ERR ERANGE VNI must be lower than 16777216" \
	"$(ip netns exec h1 $PY "$TOOLS/rtnl.py" fdb-add gnv0 02:00:00:00:07:07 dst=192.0.2.2 vni=16777216)"
# gx's socket lives in h1; moved to vm1, it is given a via interface of
# vm1's that h1 has no interface for.
h 1 link add gx type geneve id 300 remote 0.0.0.0
h 1 link set gx netns vm1
ip -n vm1 link add dz index 900 type dummy
refused "a via interface that the socket's namespace lacks" \
	"No such via interface in the namespace of the device's socket" \
	bridge -n vm1 fdb add 02:00:00:00:07:07 dev gx dst 192.0.2.2 via dz self
ip -n vm1 link del gx
ip -n vm1 link del dz
refused "add of an existing entry" "An entry for this address exists already: replace or append" \
	fdb 1 add 02:00:00:00:05:05 dev gnv0 dst 192.0.2.3
refused "append to a unicast entry" "Only the all-zeros and multicast addresses take several destinations" \
	fdb 1 append 02:00:00:00:05:05 dev gnv0 dst 192.0.2.3
refused "append of a destination the flood list has" "The entry has this destination already" \
	fdb 1 append $FLOOD dev gnv0 dst 192.0.2.2
refused "del of an unknown entry" "No entry for this address" \
	fdb 1 del 02:00:00:00:08:08 dev gnv0
refused "del of a destination the entry lacks" "The entry has no such destination" \
	fdb 1 del $FLOOD dev gnv0 dst 192.0.2.9
refused "an entry flag other than extern_learn (sticky)" \
	"Of the entry flags, only extern_learn is supported" \
	fdb 1 add 02:00:00:00:07:07 dev gnv0 dst 192.0.2.2 sticky
refused "a source VNI" "A source VNI (src_vni) is not supported" \
	fdb 1 add 02:00:00:00:07:07 dev gnv0 dst 192.0.2.2 src_vni 7
refused "a nexthop group" "Nexthop groups (nhid) are not supported" \
	fdb 1 add 02:00:00:00:07:07 dev gnv0 nhid 7
refused "get of an unknown entry" "No forwarding database entry for this address" \
	bridge -n h1 fdb get 02:00:00:00:08:08 dev gnv0 self
h 1 link add ext0 type geneve external dstport 7000
refused "an external device has no forwarding database" \
	"An externally controlled device has no forwarding database" \
	fdb 1 add 02:00:00:00:07:07 dev ext0 dst 192.0.2.2
knobs_of() { ip netns exec h1 sh -c "ls /sys/class/net/$1/geneve 2>/dev/null | wc -l"; }
h 1 link add p2p0 type geneve id 300 remote 192.0.2.2
check_eq "no knobs on a device with a remote and no entries, nor on an external one" "0 0" \
	"$(knobs_of p2p0) $(knobs_of ext0)"
check_eq "the first entry brings the five knobs, learning off" "5 0" \
	"$(fdb 1 add 02:00:00:00:07:07 dev p2p0 dst 192.0.2.3 && knobs_of p2p0) $(ip netns exec h1 cat /sys/class/net/p2p0/geneve/fdb_learning)"
check "learning switched on there; the knobs go with the device" eval '
	ip netns exec h1 sh -c "echo 1 > /sys/class/net/p2p0/geneve/fdb_learning" &&
	[ "$(ip netns exec h1 cat /sys/class/net/p2p0/geneve/fdb_learning)" = 1 ] &&
	h 1 link del p2p0 && [ "$(knobs_of p2p0)" = 0 ]'
check_eq "the knobs refuse out-of-range values" "fail fail" \
	"$(sysfs_set 1 fdb_ageing 0 2>/dev/null && echo ok || echo fail) $(sysfs_set 1 fdb_learning 2 2>/dev/null && echo ok || echo fail)"

# A flood list entry removed, then the whole flood list flushed away.
check "del of one flood destination" fdb 1 del $FLOOD dev gnv0 dst 192.0.2.4
check_eq "the others stay" "192.0.2.1 permanent,192.0.2.2 permanent,192.0.2.3 permanent" \
	"$(entry 1 $FLOOD)"
bridge -n h1 monitor fdb > "$WORK/monitor-replace" 2>&1 &
mon=$!
sleep 1
fdb 1 replace $FLOOD dev gnv0 dst 192.0.2.3
sleep 1
kill $mon
check_eq "replace of the flood list by one destination: the others are announced gone" \
	"192.0.2.3 permanent|2" \
	"$(entry 1 $FLOOD)|$(grep -cE "^Deleted $FLOOD dev gnv0 dst 192.0.2.[12] " "$WORK/monitor-replace")"
fdb 1 append $FLOOD dev gnv0 dst 192.0.2.1
fdb 1 append $FLOOD dev gnv0 dst 192.0.2.2
check "bridge fdb flush dev gnv0 dynamic: learnt entries go" \
	eval 'fdb 1 flush dev gnv0 dynamic && [ "$(sysfs 1 fdb_learnt)" = 0 ] &&
	      [ "$(entry 1 $FLOOD)" != none ]'

# Learning off: nothing is learnt, unicast floods.
sysfs_set 1 fdb_learning 0
ip netns exec vm1 ping -c 1 -W 3 -q 10.1.0.2 >/dev/null
check_eq "fdb_learning 0: nothing learnt from replies" "0" "$(sysfs 1 fdb_learnt)"
sysfs_set 1 fdb_learning 1

# 100 000 forged sources from vm1 reach h2, which learns at most its limit.
# Bridges do not learn them (their own tables are not under test here).
cc -O2 -o "$WORK/macflood" "$TOOLS/macflood.c"
for n in $HOSTS; do
	h $n link set dev gnv0 type bridge_slave learning off
done
h 1 link set dev t1 type bridge_slave learning off
slab0=$(awk '$1 == "Slab:" {print $2}' /proc/meminfo)
before=$(ethstats h2 gnv0)
ip netns exec vm1 "$WORK/macflood" eth0 100000
sleep 2
check_eq "h2: learnt entries stop at fdb_max_learnt (4096, 3 of them real VMs)" 4096 \
	"$(sysfs 2 fdb_learnt)"
check "h2: learn_drop_limit counts the sources refused" eval '
	[ "$(stat_moves "$before" "$(ethstats h2 gnv0)" | grep -o "learn_drop_limit+[0-9]*" |
	     cut -d+ -f2)" -ge $((100000 - 4096)) ]'
slab1=$(awk '$1 == "Slab:" {print $2}' /proc/meminfo)
check "kernel slab grew by less than 32 MiB (4 hosts, 3 x 4096 entries at most)" \
	test $((slab1 - slab0)) -lt 32768
check "the real VMs still talk" eval 'ip netns exec vm2 ping -c 2 -i 0.3 -W 3 -q 10.1.0.4 >/dev/null'
check "fdb_max_learnt raised to 8192 on h2: learning resumes" eval '
	sysfs_set 2 fdb_max_learnt 8192 && ip netns exec vm1 "$WORK/macflood" eth0 5000 &&
	sleep 1 && [ "$(sysfs 2 fdb_learnt)" -gt 4096 ]'

# A namespace owned by a new user namespace: root there holds the device but
# may change neither its entries nor its knobs, which act in the socket's
# namespace (h1).
check "fdb append and a knob without CAP_NET_ADMIN over the socket's namespace: EPERM" eval '
	h 1 link add mv0 type geneve id 400 remote 0.0.0.0 &&
	{ unshare --user --map-root-user --net --mount sleep 30 & } &&
	upid=$! && sleep 1 && h 1 link set mv0 netns $upid &&
	out=$(nsenter -t $upid -U -n -m --preserve-credentials \
		bridge fdb append 00:00:00:00:00:00 dev mv0 dst 192.0.2.9 self 2>&1)
	knob=$(nsenter -t $upid -U -n -m --preserve-credentials sh -c "mount -t sysfs none /sys &&
		/bin/echo 9 > /sys/class/net/mv0/geneve/fdb_max_learnt" 2>&1)
	kill $upid
	[ "$out" = "Error: Changing the forwarding database needs CAP_NET_ADMIN in the namespace of the device'"'"'s socket." ] &&
		case $knob in *"not permitted"*) true ;; *) false ;; esac ||
		{ echo "# $out / $knob"; false; }'

# Cleanup: entries go with the device, the namespace, the module.
check "device deleted with thousands of entries" h 2 link del gnv0
check "namespace h3 deleted with its entries" ip netns del h3
check "rmmod geneve with devices and entries in place (h1, h4)" geneve_unload
cleanup_netns
require_ours

tap_done
