#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: install what is missing, run the user-space unit tests, then
# for each kernel: build (W=1, any warning in our files fails), boot one VM
# for the whole guest suite and a pair of VMs for interop with that kernel's
# in-tree geneve.ko; then the Debian package and DKMS on every kernel
# (selftests/package.sh).  Every TAP result line counts; a stage that fails
# without a "not ok" line counts as one failure.  Each kernel ends with a
# line "KVER: N passed, N failed", the run with "N passed, N failed".
#
# Knobs: KVERS="K1 K2" the kernels (default: kver.sh --all, the newest of
# each installed line, newest line first).  The first kernel runs the whole
# guest suite (or TESTS="test_a.sh test_b.sh"), the others the tests in
# TESTS_OTHER (default below: what checks parity with the kernel's own
# driver; TESTS_OTHER=all for everything) and the interop rows in
# INTEROP_ROWS_OTHER (default below; "" for all), so that two kernels fit in
# CI's time.  PAIR=0 skips the two-VM interop stage.
set -u
cd "$(dirname "$0")/.." || exit 1
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
passed=0
failed=0

# stage NAME COMMAND...: runs COMMAND, streams its output, counts its TAP.
stage()
{
	local name=$1; shift
	local log=$log_dir/$name.log
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local ok notok
	ok=$(grep -cE '^(\[[ab]\] )?ok ' "$log")
	notok=$(grep -cE '^(\[[ab]\] )?not ok ' "$log")
	passed=$((passed + ok))
	failed=$((failed + notok))
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		echo "not ok - $name: exit status $rc with no failed test reported"
		failed=$((failed + 1))
	fi
	return "$rc"
}

build()
{
	make modules testmods 2>&1 | tee "$log_dir/build-output"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "not ok - geneve.ko and the test NIC module build"
		return 1
	fi
	echo "ok - geneve.ko and the test NIC module build"
	if grep -E "^$PWD/.*: (warning|error):" "$log_dir/build-output"; then
		echo "not ok - W=1 build of our files has no warnings"
		return 1
	fi
	echo "ok - W=1 build of our files has no warnings"
}

# make install into a scratch root that also holds Debian's in-tree module:
# modprobe must then pick ours from updates/.
install_test()
{
	local root kver intree chosen
	root=$(mktemp -d)
	kver=$(modinfo -F vermagic geneve.ko | cut -d' ' -f1)
	intree=$(find "/lib/modules/$kver/kernel/drivers/net" -name 'geneve.ko*' | head -n 1)
	mkdir -p "$root/lib/modules/$kver/kernel/drivers/net"
	[ -n "$intree" ] && cp "$intree" "$root/lib/modules/$kver/kernel/drivers/net/"
	if make -s install INSTALL_MOD_PATH="$root" >"$log_dir/install-output" 2>&1; then
		echo "ok - make install INSTALL_MOD_PATH=... puts geneve.ko under updates/"
	else
		cat "$log_dir/install-output"
		echo "not ok - make install INSTALL_MOD_PATH=... puts geneve.ko under updates/"
	fi
	chosen=$(modprobe -d "$root" -S "$kver" --show-depends geneve 2>/dev/null | grep -o '[^ ]*geneve.ko[^ ]*')
	rm -rf "$root"
	case $chosen in
	*/updates/geneve.ko | */updates/geneve.ko.xz | */updates/geneve.ko.zst)
		echo "ok - after depmod, modprobe geneve picks ours over the in-tree module" ;;
	*)
		echo "not ok - after depmod, modprobe geneve picks ours over the in-tree module ($chosen)"
		return 1 ;;
	esac
}

# What the kernels after the first run: the tests that compare with the
# in-tree driver or lean on the kernel's API the most.
TESTS_OTHER_DEFAULT="test_netlink_diff.sh test_traffic.sh test_wire.sh
	test_tunnel_nic.sh test_external.sh test_l3.sh"

# What interop runs on the kernels after the first: the plain IPv4 and IPv6
# underlays, L3 mode, the IPv6 flow label, and the forwarding database.
INTEROP_ROWS_OTHER_DEFAULT="1 2 7 13"

# one_kernel KVER ROWS TESTS...: the build, install and VM stages on one
# kernel; ROWS the interop rows ("" for all).
one_kernel()
{
	local kver=$1 interop_rows=$2; shift 2
	local p0=$passed f0=$failed
	export KVER=$kver
	echo "== kernel $kver"
	if stage "build@$kver" build; then
		stage "install@$kver" install_test
		# The kernel's pmtu.sh is extracted here, on the host, where xz runs natively.
		bash -c 'source selftests/lib.sh && selftests_pmtu_script "$KVER" >/dev/null' ||
			echo "# pmtu.sh not extracted: test_pmtu.sh will skip"
		stage "vm@$kver" selftests/vm.sh run --timeout 3600 -- selftests/run_suite.sh "$@"
		if [ "${PAIR:-1}" != 0 ]; then
			# shellcheck disable=SC2086 # a list of row numbers
			stage "interop@$kver" selftests/vm.sh pair --timeout 1500 -- \
				selftests/interop.sh $interop_rows
		fi
	fi
	echo "$kver: $((passed - p0)) passed, $((failed - f0)) failed"
}

stage deps selftests/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
read -r -a kvers <<< "${KVERS:-$(selftests/kver.sh --all | tr '\n' ' ')}"
if [ ${#kvers[@]} -eq 0 ]; then
	echo "not ok - a kernel with a build tree is installed"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi
stage unit selftests/unit/run.sh
# A short libFuzzer pass over the pure code (make fuzz runs the full one).
stage fuzz env FUZZ_RUNS="${FUZZ_RUNS:-1000000}" selftests/fuzz/run.sh
# shellcheck disable=SC2086 # TESTS and TESTS_OTHER are lists of file names
one_kernel "${kvers[0]}" "" ${TESTS:-}
others=${TESTS_OTHER:-$TESTS_OTHER_DEFAULT}
[ "$others" = all ] && others=
for kver in "${kvers[@]:1}"; do
	# shellcheck disable=SC2086
	one_kernel "$kver" "${INTEROP_ROWS_OTHER-$INTEROP_ROWS_OTHER_DEFAULT}" $others
done

# Last, as it installs into this machine's /lib/modules (and undoes it).
stage package selftests/package.sh "${kvers[@]}"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
