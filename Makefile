# SPDX-License-Identifier: GPL-2.0-only
# Front end: build, check, bench, demo, install.  The module itself is built by Kbuild.

# The kernel to build for: see selftests/kver.sh (this machine's own kernel
# cannot load modules, so tests boot that one in a VM).
KVER ?= $(shell $(CURDIR)/selftests/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build

.PHONY: all modules testmods clean install deps check bench demo unit

all: modules

modules:
	@[ -n "$(KVER)" ] && [ -d "$(KDIR)" ] || { echo "no kernel build tree found: run 'make deps' (or set KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Modules only the tests load (never installed): a NIC with a UDP tunnel port table.
TESTMOD_DIR := $(CURDIR)/selftests/tools/tunnel_nic
testmods: modules
	$(MAKE) -C $(KDIR) M=$(TESTMOD_DIR) W=1 modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C $(KDIR) M=$(TESTMOD_DIR) clean 2>/dev/null || true
	rm -f selftests/unit/geneve_opts_test selftests/unit/geneve_fdb_rules_test
	rm -rf bench/.build

# INSTALL_MOD_PATH=DIR installs under DIR instead of / (packaging, tests).
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

deps:
	selftests/deps.sh

unit:
	selftests/unit/run.sh

check:
	@selftests/check.sh

bench:
	@bench/run.sh

demo:
	@selftests/demo.sh
