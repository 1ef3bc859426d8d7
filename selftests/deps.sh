#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs (as root, from Debian 12's apt) what building and testing need:
# the kernels the VM boots (Debian 12's 6.1 and 6.12) with their headers and
# sources (the kernel's own pmtu.sh), QEMU, and the tools the tests run
# inside the guest (it shares this machine's root file system), and what
# builds and installs the Debian package (DKMS), and clang's libFuzzer.
set -eu
packages=(
	make gcc libc6-dev bc
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	qemu-system-x86 busybox-static kmod cpio
	iproute2 iputils-ping iperf3 tcpdump tshark ethtool util-linux socat
	python3 gnuplot-nox openvswitch-switch
	dkms debhelper dh-dkms dpkg-dev lintian
	clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
