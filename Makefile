# SPDX-License-Identifier: Apache-2.0
#
# spillguard build. GNU make.
#
#   make              library and CLI (runs `make deps` first)
#   make test         everything with -Werror, unit tests plain and under
#                     ASan+UBSan, the command-line tests (the daemons' also
#                     under ASan+UBSan), a short run of every fuzz target,
#                     then the VDAF conformance runs (the draft's vectors and
#                     BoundedSumVec's in tests/vectors/)
#   make fuzz         libFuzzer targets; `make fuzz-run FUZZ_SECONDS=60`
#   make demo         `spillguard demo`: a whole round on loopback, checked
#   make bench        `spillguard bench prio3`
#   make install      PREFIX=/usr/local, DESTDIR honoured
#   V=1               print full commands; WERROR=1 adds -Werror
#
# Objects are rebuilt when the compile command changes (see the .flags
# stamps), so `make` followed by `make test` recompiles with -Werror.

CC       ?= cc
FUZZ_CC  ?= clang
AR       ?= ar
PKG_CONFIG ?= pkg-config

# Debian packages' pkg-config names the library and CLI link against. Add a
# dependency here and both the link line and spillguard.pc follow.
PKGS     := libsodium libprotobuf-c sqlite3 libzmq

CFLAGS   ?= -O2 -g
WARNINGS := -std=c17 -pedantic -Wall -Wextra -Wconversion -Wformat=2 \
            -Wstrict-prototypes -Wmissing-prototypes -Wvla
# No -march: the binaries must run on any x86-64 (CI may be another machine).
BASE_CFLAGS = $(WARNINGS) -MMD -MP -fvisibility=hidden -Iinclude -Isrc -I$(B)/gen \
              $(PKG_CFLAGS) $(if $(filter 1,$(WERROR)),-Werror)
ALL_CFLAGS  = $(CFLAGS) $(BASE_CFLAGS)

ASAN_CFLAGS ?= -O1 -g
# The sanitizer build also runs the portable C field arithmetic that the
# plain build replaces with assembly on x86-64, so both are tested.
ASAN_CFLAGS += -DSG_PORTABLE_ARITH
SANITIZE    := -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=all

FUZZ_CFLAGS ?= -O1 -g
FUZZ_SAN    := -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60

VECTORS  ?= ../shared/vectors

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL  ?= install

# pkg-config is asked once, and only when a recipe first needs the answer:
# by then `deps` has run, so a fresh machine gets the right flags.
lazy = $(eval $(1) := $$(shell $(2)))$($(1))
PKG_CFLAGS       = $(call lazy,PKG_CFLAGS,$(PKG_CONFIG) --cflags $(PKGS))
LDLIBS           = $(call lazy,LDLIBS,$(PKG_CONFIG) --libs $(PKGS))
CRITERION_CFLAGS = $(call lazy,CRITERION_CFLAGS,$(PKG_CONFIG) --cflags criterion)
CRITERION_LIBS   = $(call lazy,CRITERION_LIBS,$(PKG_CONFIG) --libs criterion)

VERSION := $(shell sed -n 's/^.define SG_VERSION "\(.*\)"$$/\1/p' include/spillguard/version.h)

# --- sources -----------------------------------------------------------------

LIB_SRCS   := $(sort $(wildcard src/*/*.c))
CLI_SRCS   := $(sort $(wildcard cli/*.c))
TEST_SRCS  := $(sort $(wildcard tests/test_*.c)) tests/common.c
# Programs the command-line tests use beside the CLI (tests/tools/NAME.c ->
# build/tests/NAME), e.g. the forger of bad reports.
TOOL_SRCS  := $(sort $(wildcard tests/tools/*.c))
FUZZ_SRCS  := $(sort $(wildcard fuzz/fuzz_*.c))
HEADERS    := $(sort $(wildcard include/spillguard/*.h))

B := build
LIB        := $(B)/libspillguard.a
CLI        := $(B)/spillguard
UNIT       := $(B)/tests/unit
CTGRIND    := $(B)/tests/ctgrind
TOOLS      := $(patsubst tests/tools/%.c,$(B)/tests/%,$(TOOL_SRCS))
# The publisher with one bug planted each (see "planted bugs" below).
PLANTED    := $(B)/tests/planted-rounding $(B)/tests/planted-isk
ASAN_LIB   := $(B)/asan/libspillguard.a
ASAN_UNIT  := $(B)/asan/tests/unit
ASAN_CLI   := $(B)/asan/spillguard
FUZZ_LIB   := $(B)/fuzzobj/libspillguard.a
FUZZERS    := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))

LIB_OBJS       := $(LIB_SRCS:%.c=$(B)/obj/%.o)
CLI_OBJS       := $(CLI_SRCS:%.c=$(B)/obj/%.o)
TEST_OBJS      := $(TEST_SRCS:%.c=$(B)/obj/%.o)
ASAN_LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/asan/obj/%.o)
ASAN_TEST_OBJS := $(TEST_SRCS:%.c=$(B)/asan/obj/%.o)
ASAN_CLI_OBJS  := $(CLI_SRCS:%.c=$(B)/asan/obj/%.o)
FUZZ_LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/fuzzobj/%.o)
FUZZ_OBJS      := $(FUZZ_SRCS:%.c=$(B)/fuzzobj/%.o)

# proto/spillguard.proto becomes C at build time (protoc-c); the generated
# file is compiled into each library tree without our warning set.
PROTO      := proto/spillguard.proto
PB_C       := $(B)/gen/spillguard.pb-c.c
PB_H       := $(B)/gen/spillguard.pb-c.h
PB_OBJ      = $(B)/obj/gen/spillguard.pb-c.o
ASAN_PB_OBJ = $(B)/asan/obj/gen/spillguard.pb-c.o
FUZZ_PB_OBJ = $(B)/fuzzobj/gen/spillguard.pb-c.o
LIB_OBJS      += $(PB_OBJ)
ASAN_LIB_OBJS += $(ASAN_PB_OBJ)
FUZZ_LIB_OBJS += $(FUZZ_PB_OBJ)

TOOL_OBJS      := $(TOOL_SRCS:%.c=$(B)/obj/%.o) $(B)/obj/tests/planted/republish.o \
                  $(B)/planted/rounding.o $(B)/planted/isk.o

ALL_OBJS := $(LIB_OBJS) $(CLI_OBJS) $(TEST_OBJS) $(TOOL_OBJS) $(B)/obj/tests/ct/ctgrind.o $(ASAN_LIB_OBJS) \
            $(ASAN_TEST_OBJS) $(ASAN_CLI_OBJS) $(FUZZ_LIB_OBJS) $(FUZZ_OBJS)

# --- quiet output ----------------------------------------------------------

ifeq ($(V),1)
  Q :=
  say :=
else
  Q := @
  say = printf '  %-8s %s\n' '$(1)' '$(2)';
endif

# --- top-level targets -------------------------------------------------------

.PHONY: all check-html deps demo test test-unit test-asan test-vdaf test-ctgrind test-cli fuzz fuzz-run bench \
        install uninstall clean FORCE
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

all: $(LIB) $(CLI)

deps:
	$(Q)sh scripts/deps.sh

# Each run is a canned recipe so that `make test` can build everything first
# (in parallel under -j) and then run the suites one after another.
define run_unit
@echo '==> unit tests'
$(Q)SG_VECTORS='$(VECTORS)' $(UNIT) --jobs 2
endef

# abort_on_error: a leak found when a test worker exits then fails the run
# (Criterion reports it as a crash in teardown) instead of only printing.
define run_asan
@echo '==> unit tests under ASan+UBSan'
$(Q)SG_VECTORS='$(VECTORS)' \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(ASAN_UNIT) --jobs 2
endef

# Secrets marked undefined for valgrind's memcheck: any branch or address
# that depends on them is an error (tests/ct/ctgrind.c says what is covered).
define run_ctgrind
@echo '==> constant-time check under valgrind'
$(Q)valgrind -q --error-exitcode=1 $(CTGRIND)
endef

# The commands as a user runs them: each tests/cli/*.sh gets the binary
# (and the folder of the test tools in SG_TOOLS).
define run_cli
@echo '==> command-line tests'
$(Q)for t in tests/cli/*.sh; do SG_TOOLS=$(B)/tests bash "$$t" $(CLI) || exit 1; done
endef

# The daemons' and the audit's tests again with the command built under
# ASan+UBSan (the daemons are this binary too): a memory error aborts a
# daemon and a leak makes its exit status non-zero, which the scripts check.
define run_cli_asan
@echo '==> daemon and audit tests under ASan+UBSan'
$(Q)for t in tests/cli/round.sh tests/cli/close.sh tests/cli/demo.sh tests/cli/audit.sh tests/cli/liar.sh; do \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  SG_TOOLS=$(B)/tests bash "$$t" $(ASAN_CLI) || exit 1; done
endef

# Every fuzz target is built and runs its seeds and a couple of thousand
# inputs, so that a harness an API change broke fails `make test`, not a
# later fuzzing session. New inputs go to build/fuzz/smoke/, never seeds.
define run_fuzz_smoke
@echo '==> fuzz targets: a short run of each'
$(Q)for f in $(notdir $(FUZZERS)); do \
	  mkdir -p $(B)/fuzz/smoke/$$f; seeds=''; [ -d fuzz/seeds/$$f ] && seeds=fuzz/seeds/$$f; \
	  $(B)/fuzz/$$f -runs=2000 $(B)/fuzz/smoke/$$f $$seeds > $(B)/fuzz/smoke/$$f.log 2>&1 || \
	    { echo "fuzz smoke: $$f failed:"; tail -n 30 $(B)/fuzz/smoke/$$f.log; exit 1; }; \
	done; echo "$(words $(FUZZERS)) fuzz targets ran"
endef

# The conformance runner is cli/vdaf_check.c; the step runs once it exists.
ifneq ($(wildcard cli/vdaf_check.c),)
define run_vdaf
@echo '==> VDAF conformance: $(VECTORS)/vdaf-20/'
$(Q)SG_VECTORS='$(VECTORS)' $(CLI) vdaf-check '$(VECTORS)/vdaf-20/'
@echo '==> VDAF conformance: BoundedSumVec, tests/vectors/'
$(Q)$(CLI) vdaf-check tests/vectors/
endef
else
define run_vdaf
@echo '==> VDAF conformance: skipped (cli/vdaf_check.c not written yet)'
endef
endif

# `make test` treats warnings as errors unless told otherwise (WERROR=0).
test: WERROR = 1
test: $(LIB) $(CLI) $(UNIT) $(ASAN_UNIT) $(ASAN_CLI) $(CTGRIND) $(TOOLS) $(PLANTED) $(FUZZERS)
	$(run_unit)
	$(run_asan)
	$(run_ctgrind)
	$(run_cli)
	$(run_cli_asan)
	$(run_fuzz_smoke)
	$(run_vdaf)

test-unit: $(UNIT)
	$(run_unit)

test-asan: $(ASAN_UNIT)
	$(run_asan)

test-vdaf: $(CLI)
	$(run_vdaf)

test-ctgrind: $(CTGRIND)
	$(run_ctgrind)

test-cli: $(CLI) $(TOOLS) $(PLANTED)
	$(run_cli)

# The audit's HTML page of a fresh demo round, and a screenshot of it in
# headless Chromium (apt install chromium): build/check-html/report.png.
check-html: $(CLI)
	$(Q)rm -rf $(B)/check-html
	$(Q)$(CLI) demo --enterprises 40 --industries 4 --categories 5 --out $(B)/check-html > /dev/null
	$(Q)$(CLI) audit $(B)/check-html/published --html $(B)/check-html/report.html | tail -n 1
	$(Q)chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
	  --window-size=1100,1800 --screenshot=$(B)/check-html/report.png \
	  file://$(abspath $(B))/check-html/report.html 2>/dev/null
	@echo "page: $(B)/check-html/report.html, screenshot: $(B)/check-html/report.png"

# A whole round on loopback with the defaults; DEMO_ARGS passes options.
demo: $(CLI)
	$(Q)$(CLI) demo $(DEMO_ARGS)

# BENCH_ARGS passes options through, e.g. BENCH_ARGS='--case NAME'.
bench: $(CLI)
	$(Q)$(CLI) bench prio3 $(BENCH_ARGS)

fuzz: $(FUZZERS)

# Runs every fuzzer for FUZZ_SECONDS on its corpus build/fuzz/corpus/<name>
# (seeded read-only from fuzz/seeds/<name>/, with fuzz/<name>.dict if there),
# and fails at the end if any crashed (inputs in build/fuzz/artifacts/).
fuzz-run: $(FUZZERS)
	$(Q)failed=''; \
	for f in $(notdir $(FUZZERS)); do \
	  mkdir -p $(B)/fuzz/corpus/$$f $(B)/fuzz/artifacts; \
	  seeds=''; [ -d fuzz/seeds/$$f ] && seeds=fuzz/seeds/$$f; \
	  dict=''; [ -f fuzz/$$f.dict ] && dict=-dict=fuzz/$$f.dict; \
	  echo "==> fuzzing $$f for $(FUZZ_SECONDS)s"; \
	  $(B)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$dict \
	    -artifact_prefix=$(B)/fuzz/artifacts/$$f- \
	    $(B)/fuzz/corpus/$$f $$seeds || failed="$$failed $$f"; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz-run: crashes in:$$failed (see $(B)/fuzz/artifacts/)" >&2; exit 1; \
	fi

clean:
	$(Q)rm -rf $(B)

# --- compile flags stamps ----------------------------------------------------
# Each object tree depends on a file holding its compile command; the file is
# rewritten only when the command changes, which then rebuilds the tree.
# Order-only on deps: packages (and so pkg-config answers) come first.

define flags_stamp
$(1): FORCE | deps
	@mkdir -p $$(@D)
	@printf '%s\n' '$(2)' | cmp -s - $$@ || printf '%s\n' '$(2)' > $$@
endef

$(eval $(call flags_stamp,$(B)/obj/.flags,$$(CC) $$(ALL_CFLAGS) $$(CRITERION_CFLAGS)))
$(eval $(call flags_stamp,$(B)/asan/obj/.flags,$$(CC) $$(ASAN_CFLAGS) $$(SANITIZE) $$(BASE_CFLAGS) $$(CRITERION_CFLAGS)))
$(eval $(call flags_stamp,$(B)/fuzzobj/.flags,$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(FUZZ_SAN) $$(BASE_CFLAGS)))

# --- generated protobuf code -------------------------------------------------

$(PB_C) $(PB_H) &: $(PROTO) | deps
	@mkdir -p $(@D)
	$(Q)$(call say,PROTOC,$<)protoc-c --proto_path=proto --c_out=$(B)/gen $<

# Every object may include the generated header: it exists before any compiles.
$(filter-out $(PB_OBJ) $(ASAN_PB_OBJ) $(FUZZ_PB_OBJ),$(ALL_OBJS)): | $(PB_H)

PB_CFLAGS = -std=c17 -w -MMD -MP -I$(B)/gen $(PKG_CFLAGS)

$(PB_OBJ): $(PB_C) $(B)/obj/.flags
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$<)$(CC) $(CFLAGS) $(PB_CFLAGS) -c -o $@ $<

$(ASAN_PB_OBJ): $(PB_C) $(B)/asan/obj/.flags
	@mkdir -p $(@D)
	$(Q)$(call say,CC-ASAN,$<)$(CC) $(ASAN_CFLAGS) $(SANITIZE) $(PB_CFLAGS) -c -o $@ $<

$(FUZZ_PB_OBJ): $(PB_C) $(B)/fuzzobj/.flags
	@mkdir -p $(@D)
	$(Q)$(call say,CC-FUZZ,$<)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	  $(PB_CFLAGS) -c -o $@ $<

# --- normal build ------------------------------------------------------------

$(B)/obj/%.o: %.c $(B)/obj/.flags
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

$(TEST_OBJS) $(ASAN_TEST_OBJS): EXTRA_CFLAGS = $(CRITERION_CFLAGS)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(CLI): $(CLI_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS)

$(UNIT): $(TEST_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB) \
	  $(CRITERION_LIBS) $(LDLIBS)

$(B)/tests/%: $(B)/obj/tests/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(CTGRIND): $(B)/obj/tests/ct/ctgrind.o $(LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# --- planted bugs ------------------------------------------------------------
# The publisher's own code with one bug planted (sed on a copy of its
# source; the recipe fails when the pattern no longer matches), linked
# ahead of the library so that it stands in for the right object, into
# tests/planted/republish.c together with the audit: the audit must catch
# what that publisher writes (tests/cli/planted.sh). rounding: TSK_k
# truncated instead of rounded half up; isk: one unit too many in every
# ISK figure.

$(B)/planted/rounding.c: src/core/fixed.c
	@mkdir -p $(@D)
	$(Q)sed 's|if (r >= den - r) /\* remainder at least half: round up \*/|if (r >= den) /* planted: truncates */|' \
	  $< > $@ && grep -q 'planted: truncates' $@

$(B)/planted/isk.c: src/protocol/collect.c
	@mkdir -p $(@D)
	$(Q)sed 's|isk\[i\] += v; /\* each|isk[i] += v + 1; /* planted: one unit too many; each|' \
	  $< > $@ && grep -q 'planted: one unit too many' $@

$(B)/planted/%.o: $(B)/planted/%.c $(B)/obj/.flags
	$(Q)$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/planted-%: $(B)/obj/tests/planted/republish.o $(B)/planted/%.o $(LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

# --- ASan + UBSan build ------------------------------------------------------

$(B)/asan/obj/%.o: %.c $(B)/asan/obj/.flags
	@mkdir -p $(@D)
	$(Q)$(call say,CC-ASAN,$<)$(CC) $(ASAN_CFLAGS) $(SANITIZE) $(BASE_CFLAGS) \
	  $(EXTRA_CFLAGS) -c -o $@ $<

$(ASAN_LIB): $(ASAN_LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(ASAN_CLI): $(ASAN_CLI_OBJS) $(ASAN_LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD-ASAN,$@)$(CC) $(ASAN_CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ \
	  $(ASAN_CLI_OBJS) $(ASAN_LIB) $(LDLIBS)

$(ASAN_UNIT): $(ASAN_TEST_OBJS) $(ASAN_LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD,$@)$(CC) $(ASAN_CFLAGS) $(SANITIZE) $(LDFLAGS) -o $@ \
	  $(ASAN_TEST_OBJS) $(ASAN_LIB) $(CRITERION_LIBS) $(LDLIBS)

# --- libFuzzer build (clang) -------------------------------------------------
# Library objects get coverage instrumentation without libFuzzer's main;
# each fuzz/fuzz_*.c links with it into build/fuzz/fuzz_*.

$(B)/fuzzobj/src/%.o: src/%.c $(B)/fuzzobj/.flags
	@mkdir -p $(@D)
	$(Q)$(call say,CC-FUZZ,$<)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) \
	  -fsanitize=fuzzer-no-link $(BASE_CFLAGS) -c -o $@ $<

$(B)/fuzzobj/fuzz/%.o: fuzz/%.c $(B)/fuzzobj/.flags
	@mkdir -p $(@D)
	$(Q)$(call say,CC-FUZZ,$<)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) \
	  -fsanitize=fuzzer $(BASE_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(B)/fuzz/%: $(B)/fuzzobj/fuzz/%.o $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(Q)$(call say,LD,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
	  $(LDFLAGS) -o $@ $< $(FUZZ_LIB) $(LDLIBS)

# --- install -----------------------------------------------------------------

$(B)/spillguard.pc: spillguard.pc.in include/spillguard/version.h FORCE
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	  -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	  -e 's|@REQUIRES@|$(PKGS)|g' $< > $@.tmp && mv $@.tmp $@

install: $(LIB) $(CLI) $(B)/spillguard.pc
	$(Q)$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(LIBDIR)' \
	  '$(DESTDIR)$(INCLUDEDIR)/spillguard' '$(DESTDIR)$(PKGCONFIGDIR)'
	$(Q)$(INSTALL) -m 0755 $(CLI) '$(DESTDIR)$(BINDIR)/spillguard'
	$(Q)$(INSTALL) -m 0644 $(LIB) '$(DESTDIR)$(LIBDIR)/libspillguard.a'
	$(Q)$(INSTALL) -m 0644 $(HEADERS) '$(DESTDIR)$(INCLUDEDIR)/spillguard/'
	$(Q)$(INSTALL) -m 0644 $(B)/spillguard.pc '$(DESTDIR)$(PKGCONFIGDIR)/spillguard.pc'

uninstall:
	$(Q)rm -f '$(DESTDIR)$(BINDIR)/spillguard' '$(DESTDIR)$(LIBDIR)/libspillguard.a' \
	  '$(DESTDIR)$(PKGCONFIGDIR)/spillguard.pc' \
	  $(patsubst include/spillguard/%,'$(DESTDIR)$(INCLUDEDIR)/spillguard/%',$(HEADERS))
	-$(Q)rmdir '$(DESTDIR)$(INCLUDEDIR)/spillguard' 2>/dev/null || true

FORCE:

-include $(ALL_OBJS:.o=.d)
