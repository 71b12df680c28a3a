# attnviz — see README.md.
#   make            build ./attnviz
#   make demo       install missing Debian packages, build, run the example sentence
#   make check      install test dependencies, run the whole test suite, then the
#                   unit and bad-input tests again under ASan + UBSan, and replay
#                   the fuzz corpora (tests/fuzz/) under them
#   make fuzz       run every fuzz harness for FUZZ_SECONDS each (tests/fuzz/README.md)
#   make bench      benchmarks against PyTorch (bench/)
#   make train      retrain data/pretrained/ with scripts/train_demo.py (about 10 minutes)
#   make train-dates  retrain data/dates/ (the seq2seq demo) with scripts/train_dates.py
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := libcjson libpng zlib freetype2 fontconfig libutf8proc libpcre2-8
# Linked: cJSON, utf8proc, PCRE2. FreeType, fontconfig, libpng and zlib are
# only compiled against: src/render/libs.c opens them (by the sonames of
# the development links here) when a figure or a page first needs them;
# loading them and their dependencies cost every process 0.5 ms.
LINKED  := libcjson libutf8proc libpcre2-8
soname   = $(shell objdump -p /usr/lib/$(MULTIARCH)/$(1) 2>/dev/null | sed -n 's/^ *SONAME *//p')
# -DATTNVIZ_NAME_LIB='"soname"' for the development link FILE ($(call lib_def,NAME,FILE)); nothing
# when it has none (src/render/libs.c then uses Debian 12's sonames)
lib_def  = $(foreach s,$(call soname,$(2)),-DATTNVIZ_$(1)_LIB='"$(s)"')
# SentencePiece's library is C++: its bridge (src/text/tokenizer/spm_lib.cc)
# is the one C++ file, built by the C++ compiler of CC's family (clang ->
# clang++) into a module of its own, $(BUILD)/attnviz-spm.so, which attnviz
# opens only when it loads a SentencePiece model (src/text/tokenizer/
# spm_lib.h: loading the C++ runtime and libsentencepiece cost 1.4 ms of
# every process). Programs are still linked by CXX, so that the
# sanitizers' C++ parts come in.
ifeq ($(origin CXX),default)
CXX := $(if $(findstring clang,$(CC)),$(subst clang,clang++,$(CC)),g++)
endif
# OpenBLAS, pthread variant, set to one thread (src/compute/blas.h):
# attnviz calls BLAS from several of its own threads at once, and only this
# variant locks its buffer allocator; Debian builds the serial one without
# USE_LOCKING, and two concurrent calls there can share a buffer and give
# wrong products (tests/unit/compute/test_blas_threads.c). Not linked but
# opened by its full path when a product first needs it (loading it costs
# 4 ms, more than the example's whole pass), so the system's BLAS
# alternative does not swap the variant either.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
BLAS_DIR  ?= /usr/lib/$(MULTIARCH)/openblas-pthread
VERSION := 0.1.0

BUILD   ?= build
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -std=c11 -Wall -Wextra -pedantic -Werror -pthread
CXXWARN := -std=c++17 -Wall -Wextra -pedantic -Werror -pthread
DATADIR ?= $(PREFIX)/share/attnviz
LIBDIR  ?= $(PREFIX)/lib/attnviz
SPM_MODULE = $(BUILD)/attnviz-spm.so
DEFS    := -D_POSIX_C_SOURCE=200809L -DATTNVIZ_BLAS_LIB='"$(BLAS_DIR)/libopenblas.so.0"' -DATTNVIZ_VERSION='"$(VERSION)"' -DATTNVIZ_DATADIR='"$(DATADIR)"' \
           -DATTNVIZ_LIBDIR='"$(LIBDIR)"' -DATTNVIZ_SPM_MODULE='"$(abspath $(SPM_MODULE))"' \
           $(call lib_def,FREETYPE,libfreetype.so) $(call lib_def,FONTCONFIG,libfontconfig.so) \
           $(call lib_def,PNG,libpng16.so) $(call lib_def,ZLIB,libz.so)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(LINKED) 2>/dev/null)
# unit tests decode PNG and query fontconfig themselves
TEST_LIBS  = $(shell pkg-config --libs libpng fontconfig zlib 2>/dev/null)
ALL_CFLAGS = $(WARN) $(DEFS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Isrc -MMD -MP
ALL_CXXFLAGS = $(CXXWARN) $(DEFS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Isrc -MMD -MP
# (sentencepiece.pc also names the trainer's library, which attnviz does not use)
LDLIBS     = $(PKG_LIBS) -pthread -lm

# src/ has one folder per stage of the data, lowest first (src/README.md;
# tests/py/test_layout.py checks that no folder includes or calls a higher
# one). Every .c file in them (and in folders inside them) is built, and
# every .cc file (C++: the SentencePiece bridge); cli/main.c is the
# program's entry point.
SRC_DIRS := base text model compute render cli
SRCS     := $(sort $(shell find $(SRC_DIRS:%=src/%) -name '*.c'))
CXX_SRCS := $(sort $(shell find $(SRC_DIRS:%=src/%) -name '*.cc'))
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
# unit tests mirror the tree: tests/unit/<folder>/test_*.c
# The HTML page's template, style and scripts (src/render/html/; the scripts
# in this order), embedded in the binary: scripts/embed.sh writes them into a
# C file under $(BUILD)/gen/ (render/html_assets.h), never into the tree.
HTML_JS    := $(addprefix src/render/html/,util.js data.js scale.js headview.js modelview.js matrixview.js page.js)
HTML_FILES := src/render/html/page.html src/render/html/page.css $(HTML_JS)
LIB_OBJS   += $(BUILD)/render/html_assets.o
UNIT_SRCS := $(sort $(shell find $(SRC_DIRS:%=tests/unit/%) -name 'test_*.c' 2>/dev/null))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BIN      ?= attnviz

# the default model's files (data/README.md is its model card)
PRETRAINED := $(addprefix data/pretrained/,config.json model.safetensors vocab.txt tokenizer_config.json)
EXAMPLE := "The animal didn't cross the street because it was too tired."

.PHONY: all demo deps deps-test check check-fast check-san unit bench train train-dates install uninstall clean \
        fuzz fuzz-bins fuzz-replay clang-syntax

all: $(BIN) $(UNIT_BINS)

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

demo: deps
	@$(MAKE) --no-print-directory all
	./$(BIN) $(EXAMPLE)

$(BIN): $(BUILD)/cli/main.o $(LIB_OBJS) | $(SPM_MODULE)
	@echo "  LD    $@"
	@$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

# the SentencePiece module (src/text/tokenizer/spm_lib.h), opened at run time
$(SPM_MODULE): $(CXX_SRCS:src/%.cc=$(BUILD)/%.o)
	@echo "  LD    $@"
	@$(CXX) $(CFLAGS) $(SANFLAGS) -shared -o $@ $^ -lsentencepiece

$(BUILD)/%.o: src/%.c | $(BUILD)
	@mkdir -p $(@D)
	@echo "  CC    $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: src/%.cc | $(BUILD)
	@mkdir -p $(@D)
	@echo "  CXX   $<"
	@$(CXX) $(ALL_CXXFLAGS) -fPIC -c -o $@ $<

$(BUILD)/gen/render/html_assets.c: $(HTML_FILES) scripts/embed.sh | $(BUILD)
	@mkdir -p $(@D)
	@echo "  GEN   $@"
	@scripts/embed.sh $@ $(HTML_FILES)

$(BUILD)/render/html_assets.o: $(BUILD)/gen/render/html_assets.c
	@mkdir -p $(@D)
	@echo "  CC    $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(BUILD) $(SPM_MODULE)
	@mkdir -p $(@D)
	@echo "  TEST  $@"
	@$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@.o $<
	@$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $@.o $(LIB_OBJS) $(LDLIBS) $(TEST_LIBS)

$(BUILD):
	@mkdir -p $(BUILD)

# Fuzzing (tests/fuzz/README.md): one harness per input path,
# tests/fuzz/fuzz_NAME.c, linked either with libFuzzer (clang: make fuzz)
# or with tests/fuzz/replay.c (any compiler: make check replays the corpora
# with the sanitizer build).
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 120
SANITIZE     := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
# make fuzz: no coverage instrumentation in the numeric kernels (the file says why)
FUZZ_COV     := -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt

fuzz-replay: $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay-%)

# a build with the ignore list is rebuilt when the list changes
ifneq ($(findstring coverage-ignorelist,$(SANFLAGS)),)
$(LIB_OBJS) $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%.o) $(BUILD)/fuzz/fuzz.o: tests/fuzz/coverage-ignore.txt
endif

# fuzz-bins also notes the source they were built from (git describe), which
# run.sh writes into build/fuzz/campaign.tsv: the code each run fuzzed
fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz-%)
	@git describe --always --dirty >$(BUILD)/fuzz/commit 2>/dev/null || echo unknown >$(BUILD)/fuzz/commit

.SECONDARY: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%.o) $(BUILD)/fuzz/fuzz.o $(BUILD)/fuzz/replay.o

$(BUILD)/fuzz/%.o: tests/fuzz/%.c | $(BUILD)
	@mkdir -p $(@D)
	@echo "  CC    $<"
	@$(CC) $(ALL_CFLAGS) -Itests/fuzz -c -o $@ $<

$(BUILD)/fuzz/replay-%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/fuzz.o $(BUILD)/fuzz/replay.o $(LIB_OBJS) | $(SPM_MODULE)
	@echo "  LD    $@"
	@$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz/fuzz-%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/fuzz.o $(LIB_OBJS) | $(SPM_MODULE)
	@echo "  LD    $@"
	@$(CXX) $(CFLAGS) $(SANFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# make CC=clang must build (the fuzz harnesses need clang): every source
# file of src/, tests/unit/ and tests/fuzz/ through clang's front end (and
# the C++ bridges through clang++'s), with the project's warnings as errors
# (tests/e2e/clang.sh runs it).
clang-syntax:
	@for f in $(SRCS) $(UNIT_SRCS) $(wildcard tests/fuzz/*.c); do \
	    clang $(WARN) $(DEFS) $(PKG_CFLAGS) -Isrc -Itests/unit -Itests/fuzz -fsyntax-only $$f || exit 1; done
	@for f in $(CXX_SRCS); do clang++ $(CXXWARN) $(DEFS) $(PKG_CFLAGS) -Isrc -fsyntax-only $$f || exit 1; done

# Every harness for FUZZ_SECONDS (FUZZ=NAME for one): executions, speed,
# coverage and findings per harness (tests/fuzz/run.sh).
fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz OPT=-O1 \
	    SANFLAGS="-fsanitize=fuzzer-no-link $(SANITIZE) $(FUZZ_COV)" fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ)

# The whole suite, then the sanitizer pass. Ends with "N passed, N failed".
check: deps-test
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build-san BIN=build-san/attnviz OPT=-O1 \
	    SANFLAGS="$(SANITIZE)" all fuzz-replay
	@ATTNVIZ=./$(BIN) UNIT_DIR=$(BUILD)/tests SAN_ATTNVIZ=build-san/attnviz \
	    SAN_UNIT_DIR=build-san/tests SAN_FUZZ_DIR=build-san/fuzz tests/run.sh

# Without the sanitizer pass and without installing anything.
check-fast: all
	@ATTNVIZ=./$(BIN) UNIT_DIR=$(BUILD)/tests tests/run.sh

bench: deps-test all $(BUILD)/tokenizer_bench
	BLAS_DIR=$(BLAS_DIR) bench/run.sh

# the tokenizer benchmark's program (bench/tokenizer_bench.c, bench/run.sh step 5)
$(BUILD)/tokenizer_bench: bench/tokenizer_bench.c $(LIB_OBJS) | $(BUILD) $(SPM_MODULE)
	@echo "  LD    $@"
	@$(CC) $(ALL_CFLAGS) -c -o $@.o $<
	@$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $@.o $(LIB_OBJS) $(LDLIBS)

train:
	@scripts/deps.sh train
	/usr/bin/python3 scripts/train_demo.py

train-dates:
	@scripts/deps.sh train
	/usr/bin/python3 scripts/train_dates.py

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/attnviz
	install -d $(DESTDIR)$(LIBDIR)
	install -m 644 $(SPM_MODULE) $(DESTDIR)$(LIBDIR)/attnviz-spm.so
	install -m 644 man/attnviz.1 $(DESTDIR)$(PREFIX)/share/man/man1/attnviz.1
	install -d $(DESTDIR)$(PREFIX)/share/attnviz/pretrained
	install -m 644 $(PRETRAINED) $(DESTDIR)$(PREFIX)/share/attnviz/pretrained/

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/share/attnviz $(DESTDIR)$(LIBDIR)
	rm -f $(DESTDIR)$(PREFIX)/bin/attnviz $(DESTDIR)$(PREFIX)/share/man/man1/attnviz.1

clean:
	rm -rf build build-san build-fuzz attnviz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
