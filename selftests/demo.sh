#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: installs what is missing, builds geneve.ko, boots the test VM
# and runs selftests/demo_guest.sh in it.
set -eu
cd "$(dirname "$0")/.."
selftests/deps.sh
make -s modules
exec selftests/vm.sh run --timeout 900 -- selftests/demo_guest.sh
