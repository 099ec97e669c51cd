# whyslow build. Everything generated (vmlinux.h, skeletons, objects) lives under $(BUILD).
#   make                  build/whyslow
#   make SAN=1            build-san/whyslow with AddressSanitizer + UndefinedBehaviorSanitizer
#   make run              install deps, build, run `whyslow doctor` on this host
#   make lab              reproduce the case book's faults (lab/) and diagnose each one
#   make test             install deps, build, unit tests (plain and sanitized), integration tests
#   make bench            benchmarks against peers and floors (bench/RESULTS.md)
#   make fuzz             build libFuzzer targets (clang) under build/fuzz
SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-san
else
BUILD ?= build
endif

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -Isrc -I$(BUILD) -DWHYSLOW_VERSION='"$(VERSION)"'
# libbpf, libdw, libelf (and libdw's zlib, lzma, bz2) linked in where their archives are:
# the loader spent ~0.3 ms of every command's start-up mapping and relocating them
# (bench/RESULTS.md, ## check); shared libraries otherwise
STATIC_LIBS := bpf dw elf z lzma bz2
ifeq ($(words $(wildcard $(foreach l,$(STATIC_LIBS),$(shell $(CC) -print-file-name=lib$(l).a)))),6)
LDLIBS := -Wl,-Bstatic $(addprefix -l,$(STATIC_LIBS)) -Wl,-Bdynamic -lm
else
LDLIBS := -lbpf -ldw -lelf -lz -lm
endif
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -Isrc -Wall -Werror \
	-Wno-unused-function -Wno-compare-distinct-pointer-types

BPF_SRCS := $(filter-out $(BPF_EXCLUDE),$(wildcard src/*/*.bpf.c))
# EXCLUDE=src/x/y.c builds around a file that is mid-edit (several people share a tree)
USER_SRCS := $(filter-out %.bpf.c $(EXCLUDE),$(wildcard src/*/*.c))
SKELS := $(patsubst %.bpf.c,$(BUILD)/skel/%.skel.h,$(notdir $(BPF_SRCS)))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(USER_SRCS))
MAIN_OBJ := $(BUILD)/obj/whyslow.o
LIBA := $(BUILD)/libwhyslow.a
UNIT_SRCS := $(filter-out $(UNIT_EXCLUDE),$(wildcard tests/unit/*.c))
WORKLOAD_SRCS := $(wildcard tests/workloads/*.c)
WORKLOADS := $(patsubst tests/workloads/%.c,$(BUILD)/workloads/%,$(WORKLOAD_SRCS))

vpath %.bpf.c $(sort $(dir $(BPF_SRCS)))

# biolatency hashes the low half of a request pointer, which needs a real 32-bit move
# (alu32, BPF ISA v3; kernels since 5.1): the verifier refuses math on a tp_btf pointer
$(BUILD)/bpf/biolatency.bpf.o: BPF_CFLAGS += -mcpu=v3

.PHONY: all run test unit integration bench fuzz clean deps links lab
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/whyslow

deps:
	@scripts/deps.sh

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	@test -r $(VMLINUX_BTF) || { echo "no kernel BTF at $(VMLINUX_BTF): set VMLINUX_BTF=path (CONFIG_DEBUG_INFO_BTF=y is needed)"; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/bpf/%.bpf.o: %.bpf.c $(BUILD)/vmlinux.h $(wildcard src/bpf/*.h src/*/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# every user object may include any skeleton; building them first keeps the rule simple
$(BUILD)/obj/%.o: src/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(BUILD)/skel -MMD -MP -c $< -o $@

$(LIBA): $(filter-out $(MAIN_OBJ),$(LIB_OBJS))
	rm -f $@ && ar rcs $@ $^

$(BUILD)/whyslow: $(MAIN_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBA) $(LDLIBS)

$(MAIN_OBJ): src/whyslow.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(BUILD)/skel -MMD -MP -c $< -o $@

# symlinks named after commands (busybox style): build/bin/biolatency -> ../whyslow
links: $(BUILD)/whyslow
	@mkdir -p $(BUILD)/bin
	@for c in $$($(BUILD)/whyslow --list); do ln -sf ../whyslow $(BUILD)/bin/$$c; done

$(BUILD)/unit: $(UNIT_SRCS) $(LIBA)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $(UNIT_SRCS) $(LIBA) $(LDLIBS)

# test workloads are built plain (no sanitizer) and with frame pointers and symbols, so
# that symbol and stack tests have known answers
$(BUILD)/workloads/%: tests/workloads/%.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -fno-omit-frame-pointer -fno-inline -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lpthread -lm

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/whyslow $(or $(RUN_CMD),doctor)

test: deps
	@$(MAKE) --no-print-directory -j$(shell nproc) all $(BUILD)/unit $(WORKLOADS) links
	@$(MAKE) --no-print-directory -j$(shell nproc) SAN=1 all build-san/unit links
	@tests/run

bench: deps
	@scripts/deps.sh --bench
	@$(MAKE) --no-print-directory all $(WORKLOADS) $(BUILD)/bench/floor
	bench/run

$(BUILD)/bench/floor: bench/floor.c $(BUILD)/skel/floor.skel.h $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -I$(BUILD)/skel $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(BUILD)/skel/floor.skel.h: $(BUILD)/bpf/floor.bpf.o
$(BUILD)/bpf/floor.bpf.o: bench/floor.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
# The parsers under test live in src/lib, src/render and src/check; they are compiled once
# with the fuzzer's instrumentation into an archive that every target links, so adding a
# target costs one compile, not one per library file. Fuzzing uses the plain build's
# skeletons and vmlinux.h (the library includes the feature-probe skeleton).
FUZZ_LIB_SRCS := $(filter src/lib/%.c src/render/%.c src/check/%.c,$(USER_SRCS))
FUZZ_OBJS := $(patsubst src/%.c,build/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc -Ibuild -Ibuild/skel -DWHYSLOW_VERSION='"fuzz"'
fuzz: $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
build/fuzz/obj/%.o: src/%.c | build/vmlinux.h $(if $(filter build,$(BUILD)),$(SKELS))
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@
build/fuzz/libfuzzlib.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^
build/fuzz/%: tests/fuzz/%.c build/fuzz/libfuzzlib.a
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< build/fuzz/libfuzzlib.a $(LDLIBS)
-include $(FUZZ_OBJS:.o=.d)

# the fault lab (lab/): every scenario with the doctor, and the table of diagnoses
lab: all $(WORKLOADS)
	WHYSLOW=$(CURDIR)/$(BUILD)/whyslow WORKLOADS=$(CURDIR)/$(BUILD)/workloads lab/run

clean:
	rm -rf build build-san

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)
