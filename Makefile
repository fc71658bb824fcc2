# SPDX-License-Identifier: GPL-2.0
#
# vnet: out-of-tree driver for an emulated NIC.
#
#   make                  build drv/vnet.ko for KVER (default: running kernel)
#   make KVER=<release>   build for another installed kernel
#   make check            unit tests + VM suite on every kernel of the matrix
#   make check-debug      VM suite on a KASAN/lockdep/kmemleak kernel built
#                         from linux-source-6.12 (cached under build/)
#   make demo             boot a VM, load vnet, ping through it, show ethtool
#   make bench            veth vs vnet benchmarks in one VM boot (bench/run)
#   make install          install vnet.ko for KVER: with DKMS where it is
#                         installed, else modules_install (scripts/install.sh)
#   make uninstall        remove it again
#
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
# Kernel for `make demo` (default: the newest of the matrix)
DEMO_KVER ?= $(lastword $(shell bash scripts/deps.sh --kvers 2>/dev/null))

.PHONY: all modules clean deps unit check check-debug demo lint bench fuzz \
	install uninstall

all: modules

modules:
	@test -d "$(KDIR)" || { echo "vnet: no kernel build tree at $(KDIR): apt-get install linux-headers-$(KVER)" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	$(MAKE) -C tests/unit clean
	rm -rf build

deps:
	bash scripts/deps.sh

unit:
	$(MAKE) -C tests/unit check

check: deps
	bash scripts/check.sh

check-debug: deps
	bash scripts/check-debug.sh

demo: deps
	bash scripts/build.sh "$(DEMO_KVER)"
	bash tests/vm/run.sh --kver "$(DEMO_KVER)" \
		--module "build/$(DEMO_KVER)/drv/vnet.ko" --tests tests/vm/demo.sh

lint: deps
	bash scripts/lint.sh

bench: deps
	bench/run

fuzz: deps
	$(MAKE) -C tests/fuzz fuzz

install:
	bash scripts/install.sh install "$(KVER)"

uninstall:
	bash scripts/install.sh uninstall "$(KVER)"
