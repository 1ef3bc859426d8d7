#!/usr/bin/env bash
# Run commands inside throw-away QEMU VMs that boot a Debian kernel with this
# machine's root file system shared read-write over virtio-9p.
#
# Usage:
#   vm.sh run  [--timeout SECS] [--mem MB] [--smp N] -- CMD [ARG...]
#       Boot one VM (defaults: 2048 MB, 2 CPUs) and run CMD in it.
#   vm.sh pair [--timeout SECS] [--mem MB] [--smp N] -- CMD_A... [-- CMD_B...]
#       Boot VMs a and b at once (defaults: 1024 MB, 1 CPU each), linked by
#       one virtio-net NIC each (eth0, MACs 52:54:00:00:00:0a / 0b).  The
#       first "--" after the options starts CMD_A, the next one starts CMD_B,
#       so CMD_A cannot contain a bare "--" argument (wrap it in sh -c).
#       Without CMD_B both VMs run CMD_A (tell them apart by $VM_NAME).
#       Output lines are prefixed with "[a] " and "[b] ".
#   vm.sh deps
#       Install the Debian packages this runner needs (as root).
#
# Inside the guest the command runs as root, chrooted into the host's root,
# in the host's current directory (which must not be under /run, /dev,
# /proc or /sys: the guest mounts its own file systems there), with stdin
# from /dev/null and only this environment:
#   PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
#   HOME=/root TMPDIR=/run/tmp TERM=dumb
#   VM_NAME=a (or b)
#   VM_SHARED=<host directory, same path in the guest(s); a fresh empty one
#              shared by both VMs of a pair, removed when vm.sh exits>
# Pass anything else on the command line, e.g. "-- env V=1 ./test.sh".
# The guest's /run (TMPDIR is /run/tmp) and /dev/shm are private tmpfs;
# everything else, /tmp and VM_SHARED included, is the host's file system.
#
# Exit status: the command's own status when it fails; 1 when it succeeded
# but the guest's kernel log has a line matching WARN_RE below (WARNING:,
# BUG:, Oops, Call Trace, ...), or the VM panicked, timed out (default
# 1800 s) or died.  In pair mode the first failing VM's status wins.  The
# reason goes to stderr in one "vm.sh: guest NAME: ..." line, followed by
# the guest's kernel log (or console log if the guest wrote none).
#
# Environment:
#   KVER       kernel version to boot (default: what kver.sh prints)
#   VM_DEBUG=1 show the whole boot on the console and trace the guest init
#   VM_ACCEL   tcg or kvm to skip the probe that decides (default: KVM when
#              /dev/kvm is writable and a probe boot under it works), or
#              icount: TCG whose clock advances 1 ns per instruction the
#              guest executes (and as the host's while it is idle), so
#              guest timings of busy work measure the work done, not the
#              host's speed or load.  One CPU only (QEMU 7.2 hangs
#              bringing up a second one under icount).
#   VM_SHARED  use this existing directory instead of a fresh one (it is
#              neither emptied nor removed)
#
# The initramfs (busybox + 9p modules + vm-init.sh) is cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/geneve-vm/ and rebuilt when the kernel, the
# modules, busybox, vm-init.sh or this script change.

set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$SELF_DIR/$(basename "${BASH_SOURCE[0]}")
INIT_SCRIPT=$SELF_DIR/vm-init.sh
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/geneve-vm
PACKAGES=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static kmod cpio)
GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WARN_RE='WARNING:|BUG:|Oops|general protection|refcount_t|Call Trace|unregister_netdevice: waiting|KASAN|UBSAN|kmemleak'
# Warnings of the kernel itself (no module in the WARNING line) that any
# geneve driver provokes, in-tree included; check_vm leaves out their blocks
# and says so.  6.12's ARP reply on a metadata device copies the request's
# tunnel options with a memcpy its FORTIFY_SOURCE takes for an overflow.
KERNEL_WARN_RE='WARNING: .* at include/net/ip_tunnels\.h:[0-9]+ iptunnel_metadata_reply\+[0x0-9a-f/]+$'
# Modules that give the guest a 9p root; their dependencies come from modprobe.
ROOT_MODULES=(9p 9pnet_virtio virtio_pci)

die() {
	echo "vm.sh: $*" >&2
	exit 1
}

# The guest mounts its own file systems over these host directories.
check_visible() {
	case $1/ in
	/run/* | /dev/* | /proc/* | /sys/*)
		die "$2 $1 is hidden in the guest (under /run, /dev, /proc or /sys)" ;;
	esac
}

# usage [STATUS]: prints the header above; to stderr unless STATUS is 0.
usage() {
	local status=${1:-2}
	if [ "$status" = 0 ]; then
		sed -n '2,/^$/s/^# \{0,1\}//p' "$SELF"
	else
		sed -n '2,/^$/s/^# \{0,1\}//p' "$SELF" >&2
	fi
	exit "$status"
}

cmd_deps() {
	local pkg missing=()
	for pkg in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -qx 'install ok installed' ||
			missing+=("$pkg")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "vm.sh: packages already installed: ${PACKAGES[*]}"
		return
	fi
	[ "$(id -u)" = 0 ] || die "must be root to install: ${missing[*]}"
	echo "vm.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
}

default_kver() {
	"$SELF_DIR/kver.sh" ||
		die "no kernel with both /boot/vmlinuz-KVER and /lib/modules/KVER/kernel (run: $SELF deps)"
}

# Sets KERNEL to the image QEMU boots.  Decompressing the bzImage takes ~3 s
# per boot under TCG, so when the kernel supports PVH the ELF vmlinux inside
# it is extracted once into the cache and QEMU starts that directly.
prepare_kernel() {
	local vmlinuz=/boot/vmlinuz-$KVER off
	KERNEL=$vmlinuz
	grep -qx CONFIG_PVH=y "/boot/config-$KVER" 2> /dev/null || return 0
	local out
	out=$CACHE_DIR/vmlinux-$KVER-$(stat -c %Y-%s "$vmlinuz")
	if [ ! -f "$out" ]; then
		local tmp=$CACHE_DIR/.vmlinux.$$
		# The payload is an xz stream somewhere after the setup code.
		for off in $(LC_ALL=C grep -obUa $'\xfd7zXZ' "$vmlinuz" | cut -d: -f1); do
			if xz -dc --single-stream < <(tail -c +$((off + 1)) "$vmlinuz") > "$tmp" 2> /dev/null &&
				[ "$(head -c 4 "$tmp")" = $'\x7fELF' ]; then
				find "$CACHE_DIR" -maxdepth 1 -name "vmlinux-$KVER-*" ! -name "${out##*/}" -delete
				mv "$tmp" "$out"
				break
			fi
		done
		rm -f "$tmp"
		[ -f "$out" ] || return 0
	fi
	KERNEL=$out
}

# Sets KVM=1 when KVM really runs this kernel.  A /dev/kvm that opens is not
# enough: nested setups have been seen to abort QEMU (an MSR it cannot set)
# or to spin without ever starting the guest.  The probe boots the kernel
# with no root file system, which must end in a panic within seconds; its
# verdict is cached per QEMU binary and kernel.
probe_kvm() {
	KVM=0
	case ${VM_ACCEL:-auto} in
	tcg | icount) return ;;
	kvm) KVM=1; return ;;
	esac
	[ -w /dev/kvm ] || return 0
	local qemu verdict
	qemu=$(command -v qemu-system-x86_64) || return 0
	verdict=$CACHE_DIR/kvm-$(stat -c %Y-%s "$qemu" "$KERNEL" | sha256sum | cut -c1-16)
	if [ ! -f "$verdict" ]; then
		if timeout -k 5 20 qemu-system-x86_64 -nodefaults -no-user-config -machine q35 \
			-accel kvm -cpu host -smp 1 -m 256 -display none -serial stdio -no-reboot \
			-kernel "$KERNEL" -append "console=ttyS0 panic=-1" < /dev/null 2> /dev/null |
			grep -q 'Kernel panic'; then
			echo 1 > "$verdict"
		else
			echo 0 > "$verdict"
		fi
	fi
	KVM=$(cat "$verdict")
	[ "$KVM" = 1 ] || echo "vm.sh: /dev/kvm is there but does not run guests: using TCG" >&2
}

# Sets INITRAMFS to a cached initramfs for $KVER, building it if needed.
prepare_initramfs() {
	local mods=() key stage m out i=10
	mapfile -t mods < <(for m in "${ROOT_MODULES[@]}"; do
		modprobe -S "$KVER" --show-depends "$m"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
	[ ${#mods[@]} -gt 0 ] || die "modprobe found none of ${ROOT_MODULES[*]} for $KVER"
	[ -x /bin/busybox ] || die "/bin/busybox missing (run: $SELF deps)"

	key=$({ echo "$KVER"; sha256sum /bin/busybox "${mods[@]}" "$INIT_SCRIPT" "$SELF"; } |
		sha256sum | cut -c1-16)
	INITRAMFS=$CACHE_DIR/initramfs-$KVER-$key.cpio
	[ -f "$INITRAMFS" ] && return

	stage=$(mktemp -d "$CACHE_DIR/stage.XXXXXX")
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,mnt,modules}
	cp /bin/busybox "$stage/bin/busybox"
	cp "$INIT_SCRIPT" "$stage/init"
	chmod 755 "$stage/init"
	# The kernel opens /dev/console for init before anything is mounted.
	mknod "$stage/dev/console" c 5 1 || die "mknod failed: building the initramfs needs root"
	# busybox insmod cannot decompress, so store every module as plain .ko,
	# numbered so that the guest's glob loads them in dependency order.
	for m in "${mods[@]}"; do
		out=$stage/modules/$i-$(basename "${m%%.ko*}").ko
		case $m in
		*.ko) cp "$m" "$out" ;;
		*.ko.xz) xz -dc "$m" > "$out" ;;
		*.ko.zst) zstd -qdc "$m" > "$out" ;;
		*.ko.gz) gzip -dc "$m" > "$out" ;;
		*) die "unknown module format: $m" ;;
		esac
		i=$((i + 1))
	done
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$stage.cpio"
	# Drop older builds; a VM still starting from one already holds it open.
	find "$CACHE_DIR" -maxdepth 1 -name 'initramfs-*.cpio' ! -name "${INITRAMFS##*/}" -delete
	mv "$stage.cpio" "$INITRAMFS"
	rm -rf "$stage"
}

# Writes the script the guest's init runs as $RUN/NAME.sh.
write_guest_script() {
	local name=$1
	shift
	{
		printf 'export PATH=%q HOME=/root TMPDIR=/run/tmp TERM=dumb\n' "$GUEST_PATH"
		printf 'export VM_NAME=%q VM_SHARED=%q\n' "$name" "$SHARED"
		printf 'cd -- %q || exit 125\n' "$PWD"
		printf 'exec'
		printf ' %q' "$@"
		printf '\n'
	} > "$RUN/$name.sh"
}

# Copies the console to stdout (without \r, with PREFIX) and to $RUN/NAME.console.
console_filter() {
	local name=$1 prefix=$2
	if [ -n "$prefix" ]; then
		sed -u 's/\r//g' | tee "$RUN/$name.console" | sed -u "s/^/$prefix/"
	else
		sed -u 's/\r//g' | tee "$RUN/$name.console"
	fi
}

# boot_vm NAME PREFIX QEMU_ARGS...: boots one VM to completion and leaves
# QEMU's exit status in $RUN/NAME.qemu-rc and its stderr in $RUN/NAME.qemu-log.
boot_vm() {
	local name=$1 prefix=$2
	shift 2
	# A large log buffer keeps an early warning from being overwritten
	# before the guest saves dmesg; devkmsg=on lets tests log markers.
	local append="console=ttyS0 panic=-1 mitigations=off net.ifnames=0"
	append+=" log_buf_len=4M printk.devkmsg=on"
	[ "$VM_DEBUG" = 1 ] || append+=" quiet loglevel=3"
	append+=" vm_run=$RUN vm_name=$name vm_debug=$VM_DEBUG"
	# QEMU 7.2's default 1 GiB translation cache is never flushed in a run of
	# minutes, and invalidating code on pages the guest recycles gets slower
	# as it fills (page_collection_lock): by three minutes the vCPU spent
	# whole seconds there, so guest timers ran late and the watchdogs
	# reported soft lockups.  A 64 MiB cache is flushed often and stays fast.
	local accel=(-accel tcg,tb-size=64 -cpu max)
	[ "$KVM" = 1 ] && accel=(-accel kvm -cpu host)
	# Not sleep=off: an idle guest would jump to its next timer at once,
	# also while it waits for the host (9p), and time out transfers.
	[ "${VM_ACCEL-}" = icount ] &&
		accel+=(-icount shift=0,sleep=on)
	{
		local rc=0
		# --foreground keeps QEMU in the job's process group, which
		# cleanup kills.
		timeout --foreground -k 10 "$TIMEOUT" \
			qemu-system-x86_64 -nodefaults -no-user-config -machine q35 "${accel[@]}" \
			-smp "$SMP" -m "$MEM" -display none -serial stdio -no-reboot \
			-kernel "$KERNEL" -initrd "$INITRAMFS" -append "$append" \
			-fsdev local,id=root,path=/,security_model=none,multidevs=remap \
			-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
			"$@" < /dev/null 2> "$RUN/$name.qemu-log" || rc=$?
		echo "$rc" > "$RUN/$name.qemu-rc"
	} | console_filter "$name" "$prefix"
}

# kernel_log_without_kernel_warnings FILE: FILE without the "cut here" ...
# "end trace" blocks whose WARNING line matches KERNEL_WARN_RE, each noted
# on stderr.
kernel_log_without_kernel_warnings() {
	awk -v known="$KERNEL_WARN_RE" '
		function flush() { printf "%s", block; block = ""; inblock = 0 }
		/-+\[ cut here \]-+/ { flush(); inblock = 1; tolerated = 0 }
		inblock { block = block $0 "\n"
			  if ($0 ~ known) { tolerated = 1; sub(/^\[[ .0-9]*\] /, ""); w = $0 }
			  if ($0 ~ /---\[ end trace/) {
				if (tolerated) { print "vm.sh: the kernel'"'"'s own warning, left out: " w > "/dev/stderr"; block = ""; inblock = 0 }
				else flush()
			  }
			  next }
		{ print }
		END { flush() }' "$1"
}

# check_vm NAME: prints why VM NAME failed (if it did) and returns the exit
# status vm.sh should use for it (0 when it passed).
check_vm() {
	local name=$1 status=0 reasons=() qemu_rc warn
	qemu_rc=$(cat "$RUN/$name.qemu-rc")
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		reasons+=("timed out after ${TIMEOUT}s")
		status=1
	elif [ -f "$RUN/$name.status" ]; then
		status=$(cat "$RUN/$name.status")
		[ "$status" = 0 ] || reasons+=("command exited with status $status")
	elif grep -q 'Kernel panic' "$RUN/$name.console"; then
		reasons+=("kernel panic")
		status=1
	else
		reasons+=("no exit status written (QEMU exit status $qemu_rc)")
		status=1
	fi
	if [ -f "$RUN/$name.dmesg" ] &&
	   warn=$(kernel_log_without_kernel_warnings "$RUN/$name.dmesg" | grep -E -m1 "$WARN_RE"); then
		reasons+=("kernel log: $warn")
		[ "$status" != 0 ] || status=1
	fi
	[ "$status" != 0 ] || return 0

	local msg=${reasons[0]} r
	for r in "${reasons[@]:1}"; do msg+="; $r"; done
	echo "vm.sh: guest $name: $msg" >&2
	if [ -f "$RUN/$name.dmesg" ]; then
		echo "vm.sh: ---- guest $name kernel log ----" >&2
		cat "$RUN/$name.dmesg" >&2
	else
		echo "vm.sh: ---- guest $name console ----" >&2
		cat "$RUN/$name.console" >&2
	fi
	if [ -s "$RUN/$name.qemu-log" ]; then
		echo "vm.sh: ---- guest $name QEMU stderr ----" >&2
		cat "$RUN/$name.qemu-log" >&2
	fi
	echo "vm.sh: ---- end of guest $name ----" >&2
	return "$status"
}

# Kills the VMs still running (after a signal) and removes the run directory.
# Each VM job is a process group of its own (set -m), QEMU included.
cleanup() {
	local job
	# Forget the jobs first, or bash reports each one as "Terminated".
	disown -a
	for job in "${JOBS[@]}"; do
		kill -- -"$job" 2> /dev/null || true
	done
	rm -rf "$RUN"
}

main() {
	[ $# -ge 1 ] || usage
	local mode=$1
	shift
	case $mode in
	deps)
		[ $# -eq 0 ] || usage
		cmd_deps
		return
		;;
	run | pair) ;;
	-h | --help | help) usage 0 ;;
	*) usage ;;
	esac

	TIMEOUT=1800
	MEM=2048
	SMP=2
	if [ "$mode" = pair ]; then
		MEM=1024
		SMP=1
	fi
	while [ $# -gt 0 ]; do
		case $1 in
		--timeout) TIMEOUT=${2-} ;;
		--mem) MEM=${2-} ;;
		--smp) SMP=${2-} ;;
		--) break ;;
		*) usage ;;
		esac
		[[ ${2-} =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive number"
		shift 2
	done
	[ "${1-}" = -- ] || usage
	shift
	[ "${VM_ACCEL-}" != icount ] || [ "$SMP" = 1 ] || die "VM_ACCEL=icount needs --smp 1"
	local cmd_a=() cmd_b=()
	if [ "$mode" = pair ]; then
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			cmd_a+=("$1")
			shift
		done
		if [ $# -gt 0 ]; then
			shift
			cmd_b=("$@")
		else
			cmd_b=("${cmd_a[@]}")
		fi
		[ ${#cmd_b[@]} -gt 0 ] || usage
	else
		cmd_a=("$@")
	fi
	[ ${#cmd_a[@]} -gt 0 ] || usage

	check_visible "$PWD" "current directory"
	check_visible "$CACHE_DIR" "cache directory (set XDG_CACHE_HOME)"
	VM_DEBUG=${VM_DEBUG:-0}
	KVER=${KVER:-$(default_kver)}
	[ -r "/boot/vmlinuz-$KVER" ] || die "cannot read /boot/vmlinuz-$KVER"
	mkdir -p "$CACHE_DIR"
	prepare_kernel
	prepare_initramfs
	probe_kvm

	JOBS=()
	# Job control puts each background VM in a process group of its own.
	set -m
	RUN=$(mktemp -d "$CACHE_DIR/run.XXXXXX")
	trap cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	if [ -n "${VM_SHARED:-}" ]; then
		[ -d "$VM_SHARED" ] || die "VM_SHARED=$VM_SHARED is not a directory"
		SHARED=$(cd "$VM_SHARED" && pwd)
		check_visible "$SHARED" VM_SHARED
	else
		SHARED=$RUN/shared
		mkdir "$SHARED"
	fi

	local status=0 rc=0
	write_guest_script a "${cmd_a[@]}"
	if [ "$mode" = run ]; then
		boot_vm a "" &
		JOBS+=($!)
		# The verdict comes from the files the run left, not from the job.
		wait "${JOBS[0]}" || true
		check_vm a || status=$?
		return "$status"
	fi

	write_guest_script b "${cmd_b[@]}"
	# The link is a pair of unix datagram sockets inside this run's private
	# directory, so concurrent runs cannot collide the way UDP ports could.
	# romfile= skips the PXE option ROM, which only slows the boot down.
	local name peer
	for name in a b; do
		peer=a
		[ $name = b ] || peer=b
		boot_vm $name "[$name] " \
			-netdev "dgram,id=n0,local.type=unix,local.path=$RUN/$name.sock,remote.type=unix,remote.path=$RUN/$peer.sock" \
			-device "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:0$name,romfile=" &
		JOBS+=($!)
	done
	wait "${JOBS[@]}" || true
	for name in a b; do
		rc=0
		check_vm $name || rc=$?
		[ "$status" != 0 ] || status=$rc
	done
	return "$status"
}

# Bash reads a script as it runs it: exiting on the same line keeps an edit
# of this file during a run from being executed after main returns.
main "$@"; exit
