# Release builds and installation. Tests: `cargo test --workspace`.
#
# Release binaries are static: every ptest tool runs once per lease, per
# venv, per test, so process start-up is on the hot path. They link musl
# when its Rust target and musl-gcc are installed (`rustup target add
# $(MUSL)`, Debian's musl-tools): glibc,
# dynamic or static, probes the CPU's caches with CPUID at every start,
# and CPUID traps to the hypervisor on the virtual machines CI runs on
# (0.8 ms per process measured, see docs/benchmarks.md). Without the musl
# target, glibc's crt-static is the fallback (no dynamic loading, but the
# CPUID probe stays). crt-static cannot be set for a plain `cargo build`
# (proc-macros must stay dynamic), hence the explicit --target.

SHELL := bash
.SHELLFLAGS := -eo pipefail -c

HOST    := $(shell rustc -vV | sed -n 's/^host: //p')
MUSL    := $(shell echo $(HOST) | sed 's/-gnu$$/-musl/')
# musl needs its Rust target and a C compiler for it (ring, for TLS to
# Docker engines, builds C): Debian's musl-tools.
TARGET  ?= $(shell rustup target list --installed 2>/dev/null | grep -qx '$(MUSL)' && command -v musl-gcc >/dev/null && echo $(MUSL) || echo $(HOST))
RELEASE := target/$(TARGET)/release
PREFIX  ?= $(HOME)/.local
BINDIR  ?= $(PREFIX)/bin
SHARE   ?= $(PREFIX)/share

.PHONY: release install uninstall test bench stress print-release quickstart

release:
	@[ "$(TARGET)" = "$(MUSL)" ] || echo "note: linking glibc statically; \`rustup target add $(MUSL)\` and musl-tools give faster start-up" >&2
	RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target $(TARGET) --workspace --bins

install: release
	install -d $(BINDIR) $(SHARE)/man/man1 $(SHARE)/bash-completion/completions \
	  $(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d
	for b in $$(cd $(RELEASE) && find . -maxdepth 1 -type f -name 'ptest*' -perm -u+x | sed 's|^\./||'); do \
	  install -m 755 $(RELEASE)/$$b $(BINDIR)/$$b; \
	  install -m 644 man/$$b.1 $(SHARE)/man/man1/$$b.1; \
	  install -m 644 completions/$$b.bash $(SHARE)/bash-completion/completions/$$b; \
	  install -m 644 completions/_$$b $(SHARE)/zsh/site-functions/_$$b; \
	  install -m 644 completions/$$b.fish $(SHARE)/fish/vendor_completions.d/$$b.fish; \
	done

uninstall:
	for f in man/*.1; do b=$$(basename $$f .1); \
	  rm -f $(BINDIR)/$$b $(SHARE)/man/man1/$$b.1 $(SHARE)/bash-completion/completions/$$b \
	    $(SHARE)/zsh/site-functions/_$$b $(SHARE)/fish/vendor_completions.d/$$b.fish; done

test:
	tests/run

# Builds, installs, and runs a first pipeline: a venv, a port lease, and a
# command run inside both, torn down afterwards.
quickstart: install
	@echo "== a first pipeline (ptest from $(BINDIR))"
	PATH="$(BINDIR):$$PATH" ptest venv create \
	  | PATH="$(BINDIR):$$PATH" ptest port lease --name http \
	  | PATH="$(BINDIR):$$PATH" ptest proc run --rm -- \
	      python -c 'import os, sys; print("python", sys.version.split()[0], "in", os.environ["VIRTUAL_ENV"] + ", port", os.environ["PTEST_PORT_HTTP"])'
	@echo "== torn down: ptest ls shows nothing left"
	PATH="$(BINDIR):$$PATH" ptest ls

bench: release
	PTEST_BIN_DIR=$(RELEASE) bench/run port
	PTEST_BIN_DIR=$(RELEASE) bench/run proc
	PTEST_BIN_DIR=$(RELEASE) bench/run venv
	PTEST_BIN_DIR=$(RELEASE) bench/run docker
	PTEST_BIN_DIR=$(RELEASE) bench/run mon
	PTEST_BIN_DIR=$(RELEASE) bench/run snap

# The stress suite (docs/stress.md): stress, soak, chaos and faults with a
# leak detector. SCALE=full (the release build; the report goes to
# docs/stress/) or ci (the debug build, small, target/stress/); DURATION is
# the soak's length (default 1h full, 2m ci); SEED replays a chaos run.
SCALE    ?= full
DURATION ?=
SEED     ?=
stress:
	tests/stress/run --scale $(SCALE) $(if $(DURATION),--duration $(DURATION)) $(if $(SEED),--seed $(SEED))

print-release:
	@echo $(RELEASE)
