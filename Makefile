# SPDX-License-Identifier: GPL-2.0-only
# Front end: build, check, bench, demo, install.  The module itself is built by Kbuild.

# The kernel to build for: see selftests/kver.sh (this machine's own kernel
# cannot load modules, so tests boot that one in a VM).
KVER ?= $(shell $(CURDIR)/selftests/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build

.PHONY: all modules testmods clean install deps check bench bench-fdb demo unit \
	fuzz fuzz-seeds dkms-src dkms-install dkms-remove deb

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

# DKMS and the Debian package (geneve-dkms) ship these sources, the version from VERSION.
VERSION := $(shell cat $(CURDIR)/VERSION)
DKMS_SOURCES := Kbuild VERSION $(wildcard $(CURDIR)/geneve_*.c)
DKMS_DIR ?= /usr/src/geneve-$(VERSION)

# The module's sources as DKMS wants them in DKMS_DIR (also debian/rules' job).
dkms-src:
	install -d $(DKMS_DIR)/include/uapi
	install -m 644 $(DKMS_SOURCES) $(DKMS_DIR)/
	install -m 644 $(wildcard $(CURDIR)/include/*.h) $(DKMS_DIR)/include/
	install -m 644 $(wildcard $(CURDIR)/include/uapi/*.h) $(DKMS_DIR)/include/uapi/

# Builds and installs for every installed kernel that has headers (DKMS exits
# 77 for one that dkms.conf's BUILD_EXCLUSIVE_KERNEL leaves out).  Not over
# the Debian package's files: apt owns those.
NOT_PACKAGED = ! dpkg-query -W -f='$${Status}' geneve-dkms 2>/dev/null | grep -q 'ok installed' || \
	{ echo "the geneve-dkms package is installed: change it with apt" >&2; exit 1; }
dkms-install: dkms-remove
	$(MAKE) -s dkms-src
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DKMS_DIR)/dkms.conf
	dkms add geneve/$(VERSION)
	for build in /lib/modules/*/build; do \
		[ -d "$$build" ] || continue; \
		k=$${build#/lib/modules/}; k=$${k%/build}; \
		dkms install geneve/$(VERSION) -k "$$k" || [ $$? = 77 ] || exit 1; \
	done

dkms-remove:
	@$(NOT_PACKAGED)
	if dkms status geneve/$(VERSION) | grep -q .; then dkms remove geneve/$(VERSION) --all; fi
	rm -rf $(DKMS_DIR)

# .deb/geneve-dkms_VERSION_all.deb, built with Debian's tooling (make deps
# installs it) from a copy of the sources, so the tree's own build stays.
DEB_DIR := $(CURDIR)/.deb
DEB := $(DEB_DIR)/geneve-dkms_$(VERSION)_all.deb
deb:
	rm -rf $(DEB_DIR)
	install -d $(DEB_DIR)/geneve-$(VERSION)/selftests
	cp -a Makefile dkms.conf $(DKMS_SOURCES) include debian $(DEB_DIR)/geneve-$(VERSION)/
	cp -a selftests/kver.sh $(DEB_DIR)/geneve-$(VERSION)/selftests/
	cd $(DEB_DIR)/geneve-$(VERSION) && dpkg-buildpackage --build=all -us -uc
	lintian --fail-on error,warning $(DEB)
	@echo "built $(DEB)"

deps:
	selftests/deps.sh

unit:
	selftests/unit/run.sh

# libFuzzer over the pure code (selftests/fuzz/run.sh: FUZZ_RUNS, FUZZ_SEED).
fuzz: deps
	@selftests/fuzz/run.sh

# Seeds for it, captured from the in-tree driver's packets in a VM.
fuzz-seeds: deps
	selftests/vm.sh run -- selftests/fuzz/capture_seeds.sh

check:
	@selftests/check.sh

bench:
	@bench/run.sh

bench-fdb:
	@BENCH_SUITE=fdb bench/run.sh

demo:
	@selftests/demo.sh
