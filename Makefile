# Release builds and installation. Tests: `cargo test --workspace`.
#
# Release binaries are statically linked (glibc's crt-static): every ptest
# tool runs once per lease, per venv, per test, so process start-up is on
# the hot path, and dynamic loading costs about 0.5 ms per process on the
# virtual machines CI runs on (see docs/benchmarks.md). crt-static cannot
# be set for a plain `cargo build` (proc-macros must stay dynamic), hence
# the explicit --target.

HOST    := $(shell rustc -vV | sed -n 's/^host: //p')
RELEASE := target/$(HOST)/release
PREFIX  ?= $(HOME)/.local
BINDIR  ?= $(PREFIX)/bin
SHARE   ?= $(PREFIX)/share

.PHONY: release install uninstall test bench

release:
	RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target $(HOST) --workspace --bins

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
	cargo test --workspace

bench: release
	PTEST_BIN_DIR=$(RELEASE) bench/run port
	PTEST_BIN_DIR=$(RELEASE) bench/run proc
