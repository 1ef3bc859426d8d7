#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: install what is missing, build (W=1, any warning in our files
# fails), run the user-space unit tests, boot one VM for the whole guest suite
# and a pair of VMs for interop with Debian's in-tree geneve.ko.  Every TAP
# result line counts; a stage that fails without a "not ok" line counts as one
# failure.  The last line is "N passed, N failed".
#
# Knobs: TESTS="test_a.sh test_b.sh" runs only those guest tests; PAIR=0
# skips the two-VM interop stage.
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
	*/updates/geneve.ko)
		echo "ok - after depmod, modprobe geneve picks ours over the in-tree module" ;;
	*)
		echo "not ok - after depmod, modprobe geneve picks ours over the in-tree module ($chosen)"
		return 1 ;;
	esac
}

stage deps selftests/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
stage build build || { echo "$passed passed, $failed failed"; exit 1; }
stage install install_test
stage unit selftests/unit/run.sh
# The kernel's pmtu.sh is extracted here, on the host, where xz runs natively.
bash -c 'source selftests/lib.sh && selftests_pmtu_script >/dev/null' ||
	echo "# pmtu.sh not extracted: test_pmtu.sh will skip"
# shellcheck disable=SC2086 # TESTS is a list of file names
stage vm selftests/vm.sh run --timeout 2400 -- selftests/run_suite.sh ${TESTS:-}
if [ "${PAIR:-1}" != 0 ]; then
	stage interop selftests/vm.sh pair --timeout 1500 -- selftests/interop.sh
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
