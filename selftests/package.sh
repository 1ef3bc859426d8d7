#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Host side of `make check`: the Debian package and DKMS, used as an
# operator uses them.  `make deb` (lintian clean), `apt-get install` of the
# package, DKMS's build for each kernel named, a VM boot of each where
# `modprobe geneve` must load ours, DKMS's kernel hook rebuilding one
# kernel's module, removal of the package and a boot of each where the
# kernel's own module loads again; then `make dkms-install`/`dkms-remove`.
# It changes this machine's /lib/modules (which the VMs share), so it will
# not run where geneve is already installed through DKMS, and it undoes what
# it did however it ends.  Needs the tree's geneve.ko (built by make check).
# Usage: package.sh KVER...
cd "$(dirname "$0")/.." || exit 1
source selftests/lib.sh

kvers=("$@")
[ ${#kvers[@]} -gt 0 ] || { echo "usage: $0 KVER..." >&2; exit 2; }
version=$(cat VERSION)
deb=.deb/geneve-dkms_${version}_all.deb
n=${#kvers[@]}

if dpkg-query -W -f='${Status}' geneve-dkms 2>/dev/null | grep -q 'ok installed' ||
	[ -n "$(dkms status geneve 2>/dev/null)" ]; then
	echo "1..0 # SKIP geneve is installed through DKMS here; this test would replace it"
	exit $KSFT_SKIP
fi
[ -r geneve.ko ] || bail_out "no geneve.ko in the tree: build it first"
ours=$(modinfo -F srcversion geneve.ko)

undo()
{
	dpkg-query -W -f='${Status}' geneve-dkms 2>/dev/null | grep -q 'ok installed' &&
		apt-get purge -y -q geneve-dkms > /dev/null 2>&1
	[ -n "$(dkms status geneve 2>/dev/null)" ] && make -s dkms-remove > /dev/null 2>&1
	true
}
trap undo EXIT

# The module modprobe would load for kernel $1, as a path.
modprobe_path()
{
	modprobe -S "$1" --show-depends geneve 2>/dev/null | grep -o '[^ ]*/geneve\.ko[^ ]*'
}

# installed_for KVER: DKMS says installed and the .ko it put there is ours.
installed_for()
{
	local ko
	dkms status "geneve/$version" -k "$1" | grep -q ': installed' || return 1
	ko=$(modprobe_path "$1")
	case $ko in */updates/dkms/geneve.ko*) ;; *) echo "modprobe picks $ko"; return 1 ;; esac
	[ "$(modinfo -F srcversion "$ko")" = "$ours" ] &&
		[ "$(modinfo -F version "$ko")" = "$version" ]
}

# intree_for KVER: no module of ours left, modprobe picks the kernel's own.
intree_for()
{
	[ -z "$(find "/lib/modules/$1/updates/dkms" -name 'geneve.ko*' 2>/dev/null)" ] || return 1
	case $(modprobe_path "$1") in */kernel/drivers/net/geneve.ko*) ;; *) return 1 ;; esac
}

# What apt runs when a kernel is installed later: DKMS's kernel hook.
hook_rebuilds()
{
	dkms remove "geneve/$version" -k "$1" || return 1
	intree_for "$1" || { echo "ours still there after dkms remove"; return 1; }
	/etc/kernel/postinst.d/dkms "$1" || return 1
	installed_for "$1"
}

# boot_loads KVER WHAT: in a VM on KVER, `modprobe geneve` loads WHAT
# (ours: our srcversion and version; intree: another srcversion, its
# version is 0.6), and a
# device can be made with it.
boot_loads()
{
	local out
	out=$(KVER=$1 selftests/vm.sh run --timeout 300 -- sh -c '
		modprobe geneve &&
		ip link add gnv0 type geneve id 5 remote 192.0.2.1 &&
		echo "loaded $(cat /sys/module/geneve/srcversion) $(cat /sys/module/geneve/version 2>/dev/null || echo none)"' 2>&1)
	case $2 in
	ours) grep -qx "loaded $ours $version" <<< "$out" ;;
	intree) grep -q "^loaded [0-9A-F]* " <<< "$out" && ! grep -q "^loaded $ours " <<< "$out" ;;
	esac || { echo "$out" | tail -20; return 1; }
}

tap_plan $((6 + 5 * n))

check "make deb: $deb, lintian clean at warning level" make -s deb
check "apt-get install ./$deb" apt-get install -y -q "./$deb"
for k in "${kvers[@]}"; do
	check "$k: DKMS built and installed ours (srcversion $ours, version $version)" installed_for "$k"
done
for k in "${kvers[@]}"; do
	check "$k: booted, modprobe geneve loads ours and makes a device" boot_loads "$k" ours
done

check "${kvers[n - 1]}: DKMS's kernel postinst hook builds ours again after it was removed" \
	hook_rebuilds "${kvers[n - 1]}"
check "apt-get purge geneve-dkms leaves nothing in DKMS" \
	sh -c 'apt-get purge -y -q geneve-dkms && [ -z "$(dkms status geneve)" ]'
for k in "${kvers[@]}"; do
	check "$k: after the purge modprobe picks the in-tree module" intree_for "$k"
done
for k in "${kvers[@]}"; do
	check "$k: booted, modprobe geneve loads the in-tree module again" boot_loads "$k" intree
done

check "make dkms-install" make -s dkms-install
for k in "${kvers[@]}"; do
	check "$k: make dkms-install installed ours" installed_for "$k"
done
check "make dkms-remove leaves no module and no source" \
	sh -c "make -s dkms-remove > /dev/null && [ -z \"\$(dkms status geneve)\" ] && [ ! -e /usr/src/geneve-$version ]"
tap_done
