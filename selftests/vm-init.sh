#!/bin/busybox sh
# /init of the test VMs booted by selftests/vm.sh (busybox sh, PID 1).
#
# It loads the 9p modules shipped in the initramfs, mounts the host's root
# file system (shared read-write over virtio-9p), sets up the usual pseudo
# file systems inside it, switches root to it and runs the command the host
# prepared, then reports back through files the host reads after QEMU has exited.
#
# Parameters come from the kernel command line; the kernel hands unknown
# name=value parameters to init as environment variables:
#   vm_run=DIR    per-run host directory (same path inside the shared root);
#                 the host wrote DIR/NAME.sh, we write DIR/NAME.dmesg and,
#                 last of all, DIR/NAME.status (the command's exit status)
#   vm_name=NAME  this VM's name (a or b)
#   vm_debug=1    trace this script on the console

/bin/busybox --install -s
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
[ "${vm_debug:-0}" = 1 ] && set -x

root=/mnt

# PID 1 must not exit (that panics the kernel): every path ends here.
power_off() {
	# The kernel's own "reboot: Power down" line is emergency level; silence
	# the console so it does not land at the end of the command's output.
	[ "${vm_debug:-0}" = 1 ] || echo 0 > /proc/sys/kernel/printk
	sync
	poweroff -f
	while :; do sleep 60; done
}

die() {
	echo "vm-init: $*" >&2
	power_off
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

if [ -z "${vm_run:-}" ] || [ -z "${vm_name:-}" ]; then
	die "vm_run= or vm_name= missing from the kernel command line"
fi

# vm.sh numbered the modules in dependency order.
for m in /modules/*.ko; do
	insmod "$m" || die "insmod $m failed"
done

# cache=mmap keeps ordinary reads and writes uncached, so files written by
# the host or the other VM are seen at once (pair mode synchronises through
# them), while still allowing shared writable mmap.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap \
	hostroot "$root" || die "mounting the host root over 9p failed"

# The host's /proc, /sys, /dev and /run are hidden behind the guest's own:
# /run must be a tmpfs for "ip netns", and TMPDIR=/run/tmp gives iperf3 and
# mktemp a private, writable place.  The host's /tmp stays visible, so a
# project checked out there (as CI's clone may be) can be tested.
mount -t proc proc "$root/proc" &&
	mount -t sysfs sysfs "$root/sys" &&
	mount -t devtmpfs devtmpfs "$root/dev" &&
	mkdir -p "$root/dev/pts" "$root/dev/shm" &&
	ln -sf /proc/self/fd "$root/dev/fd" &&	# bash process substitution
	mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts "$root/dev/pts" &&
	mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" &&
	mount -t tmpfs -o mode=755 tmpfs "$root/run" &&
	mkdir -m 1777 "$root/run/tmp" ||
	die "mounting the guest's pseudo file systems failed"

ip link set lo up || die "bringing lo up failed"

# Virtio device id 1 is a network card (pair mode gives each VM one).  Load
# its driver from the shared root and make sure it is called eth0.
if grep -qx 0x0001 /sys/bus/virtio/devices/*/device 2>/dev/null; then
	chroot "$root" /sbin/modprobe virtio_net || die "modprobe virtio_net failed"
	for dev in /sys/class/net/*; do
		name=${dev##*/}
		[ "$name" = lo ] || [ "$name" = eth0 ] ||
			ip link set "$name" name eth0 || die "renaming $name to eth0 failed"
	done
fi

# Stage 2 runs with the host's root as the real root rather than a chroot:
# the kernel then finds /sbin/modprobe to autoload modules (veth, dummy,
# geneve...), and user namespaces, which a chrooted caller may not create,
# work.  switch_root empties the initramfs and execs the host's busybox.
# NAME.sh sets the environment and cwd, then execs the command.  env -i keeps
# the kernel-provided variables (vm_run, TERM=linux, ...) out of the test.
# The tail of the output may still sit in the UART's buffer; GNU stty sets
# the (unchanged) mode with TCSADRAIN, which waits until it has been sent.
exec switch_root "$root" /bin/busybox sh -c '
	env -i /bin/bash "$vm_run/$vm_name.sh" < /dev/null
	rc=$?
	/bin/stty -F /dev/console onlcr
	dmesg > "$vm_run/$vm_name.dmesg"
	echo "$rc" > "$vm_run/$vm_name.status"
	[ "${vm_debug:-0}" = 1 ] || echo 0 > /proc/sys/kernel/printk
	sync
	/bin/busybox poweroff -f
	while :; do /bin/busybox sleep 60; done'
