# SPDX-License-Identifier: GPL-2.0
#
# vnet: out-of-tree driver for an emulated NIC.
#
#   make                  build drv/vnet.ko for KVER (default: running kernel)
#   make KVER=<release>   build for another installed kernel
#   make check            unit tests + VM suite + make ksft on every kernel
#                         of the matrix
#   make ksft             the kernel's own NIC driver selftests (drivers/net
#                         and drivers/net/hw python tests, built from each
#                         kernel's linux-source) against a vnet pair in the
#                         VM on every kernel of the matrix, checked against
#                         tests/ksft/expect.txt; results in build/ksft/ and
#                         README's table (scripts/ksft.sh)
#   make check-debug      VM suite on a KASAN/lockdep/kmemleak kernel built
#                         from the newest linux-source of the Debian 13 root
#                         (cached in /var/cache/vnet)
#   make demo             boot a VM, load vnet, ping through it, show ethtool
#   make shell            an interactive VM with vnet loaded, ARGS="mode=pair
#                         queues=4" (the default) for its module parameters,
#                         KVER= for the kernel (default: the newest)
#   make bench            veth vs vnet benchmarks in one VM boot (bench/run)
#   make install          install vnet.ko for KVER: with DKMS where it is
#                         installed, else modules_install (scripts/install.sh)
#   make uninstall        remove it again
#
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
# Kernel for `make demo` (default: the newest of the matrix)
DEMO_KVER ?= $(lastword $(shell bash scripts/deps.sh --kvers 2>/dev/null))
# make shell: its kernel (KVER given on the command line, else the newest)
# and the module's parameters
SHELL_KVER = $(if $(filter command line,$(origin KVER)),$(KVER),$(DEMO_KVER))
ARGS ?= mode=pair queues=4

.PHONY: all modules clean deps unit check check-debug demo lint bench fuzz \
	install uninstall shell ksft

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

ksft: deps
	bash scripts/ksft.sh

demo: deps
	bash scripts/build.sh "$(DEMO_KVER)"
	bash tests/vm/run.sh --kver "$(DEMO_KVER)" \
		--module "build/$(DEMO_KVER)/drv/vnet.ko" --tests tests/vm/demo.sh

shell: deps
	bash scripts/build.sh "$(SHELL_KVER)"
	$(MAKE) -s -C tests/vm/tools
	bash tests/vm/run.sh --kver "$(SHELL_KVER)" \
		--module "build/$(SHELL_KVER)/drv/vnet.ko" --shell "$(ARGS)" \
		--files "$$(bash scripts/check.sh --vm-files)"

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
