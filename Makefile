# pald and pal. `make run` and `make check` are the two entry points; see
# README.md. Everything builds out of tree under $(BUILD).

BUILD	?= build
CC	?= cc
PREFIX	?= /usr/local
VERSION	:= 0.1.0

PKGS	:= libevent libevent_pthreads libpq libcurl jansson libcrypto \
	   pangocairo
WARN	:= -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2
OPT	?= -O2 -g
ifeq ($(SAN),1)
OPT	:= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined
LDSAN	:= -fsanitize=address,undefined
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DPALD_VERSION='"$(VERSION)"' \
	$(WARN) $(WERROR) $(OPT) -MMD -MP -iquote common -iquote server -iquote client -iquote tests/support \
	$(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDSAN) $(LDFLAGS)
LIBS	= $(PKG_LIBS) -lpthread -lm

COMMON_SRC	:= $(wildcard common/*.c)
SERVER_SRC	:= $(filter-out server/main.c,$(wildcard server/*.c))
CLIENT_SRC	:= $(filter-out client/main.c,$(wildcard client/*.c))
UNIT_SRC	:= $(wildcard tests/unit/*.c)
INTEG_SRC	:= $(wildcard tests/integration/*.c) \
		   $(wildcard tests/support/*.c)
MIGRATIONS	:= $(sort $(wildcard db/migrations/*.sql))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

COMMON_OBJ	:= $(call obj,$(COMMON_SRC))
SERVER_OBJ	:= $(call obj,$(SERVER_SRC)) $(BUILD)/obj/gen/migrations.o
CLIENT_OBJ	:= $(call obj,$(CLIENT_SRC))

PALD		:= $(BUILD)/pald
PAL		:= $(BUILD)/pal
UNIT_TESTS	:= $(BUILD)/unit-tests
INTEG_TESTS	:= $(BUILD)/integration-tests

.PHONY: all deps run check test unit integration clean install format \
	format-check bench
.DEFAULT_GOAL := all

all: $(PALD) $(PAL)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) db/embed-migrations.sh
	@mkdir -p $(dir $@)
	sh db/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libpald.a: $(SERVER_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libpal.a: $(CLIENT_OBJ)
	rm -f $@ && ar rcs $@ $^

$(PALD): $(BUILD)/obj/server/main.o $(BUILD)/libpald.a $(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(PAL): $(BUILD)/obj/client/main.o $(BUILD)/libpal.a $(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(UNIT_TESTS): $(call obj,$(UNIT_SRC)) $(BUILD)/libpald.a $(BUILD)/libpal.a \
		$(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CRIT_LIBS)

$(INTEG_TESTS): $(call obj,$(INTEG_SRC)) $(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CRIT_LIBS)

# Installs the Debian packages that are missing (and only those).
deps:
	@sh deploy/install-deps.sh

# Everything a person needs to try pald: see README.md.
run: deps
	@$(MAKE) --no-print-directory all
	@sh deploy/dev-run.sh $(BUILD)

test: all $(UNIT_TESTS) $(INTEG_TESTS)
	@sh tests/run.sh $(BUILD)

unit: $(UNIT_TESTS)
	$(UNIT_TESTS)

# The whole suite twice: a normal -Werror build, then AddressSanitizer and
# UBSan; then a second of fuzzing per target, the deployment tests and the
# short faults and soak. Every step runs even when one before it failed,
# and leaves a counts file behind; tests/summary.sh adds them up, prints
# the closing line and decides the exit status.
check: deps
	-@$(MAKE) --no-print-directory BUILD=build/check WERROR=-Werror test
	-@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 WERROR=-Werror test
	-@$(MAKE) --no-print-directory BUILD=build/check FUZZ_SECONDS=1 fuzz
	-@sh tests/deploy/run.sh build/check
	-@sh tests/faults/run.sh --short build/check
	-@sh tests/soak/run.sh --short build/check
	@sh tests/summary.sh build/check build/asan build/check/fuzz \
	    build/check/deploy build/check/faults build/check/soak

bench: deps all
	@sh tests/bench/run.sh $(BUILD)

# Fault injection and the soak (tests/faults/run.sh, tests/soak/run.sh;
# SOAK_MINUTES=N for a longer soak). `make check` runs their --short forms.
.PHONY: faults soak
faults: deps all
	@sh tests/faults/run.sh $(BUILD)

soak: deps all
	@sh tests/soak/run.sh $(BUILD)

# Hostile-input fuzzing (tests/fuzz): libFuzzer targets built with clang,
# ASan and UBSan under $(BUILD)/fuzz, each run FUZZ_SECONDS after its
# seeds. Targets link archives, so each pulls in only what it uses; body
# and router take most of the server because the route table names every
# handler. One clang-only warning is off for the tree's files:
# -Wstring-concatenation flags long messages split over lines in string
# tables.
FUZZ_CC		:= clang
FUZZ_SECONDS	?= 60
FUZZ_SAN	:= -fsanitize=address,undefined \
		   -fno-sanitize-recover=undefined
FUZZ_CFLAGS	= -std=c11 -D_GNU_SOURCE -DPALD_VERSION='"$(VERSION)"' \
	$(WARN) -Wno-string-concatenation \
	-g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
	-MMD -MP -iquote common -iquote server -iquote tests/fuzz \
	$(PKG_CFLAGS) $(FUZZ_DEFS)
FUZZ_SRC	:= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
fuzz_obj = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(1))
.SECONDARY: $(call fuzz_obj,$(FUZZ_SRC) tests/fuzz/fuzz.c)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

# Our own fuzz code must build clean under clang too.
$(BUILD)/fuzz/obj/tests/fuzz/%.o: FUZZ_CFLAGS += -Werror

$(BUILD)/fuzz/libcommon.a: $(call fuzz_obj,$(COMMON_SRC))
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/libpald.a: $(call fuzz_obj,$(SERVER_SRC))
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o \
		$(BUILD)/fuzz/obj/tests/fuzz/fuzz.o $(BUILD)/fuzz/libpald.a \
		$(BUILD)/fuzz/libcommon.a
	@echo "  LINK    $@"
	@$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS)

.PHONY: fuzz
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

-include $(shell find $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)

# Binaries, manuals, bash completion, the systemd unit (with PREFIX in
# its paths; systemd reads /usr/local/lib/systemd/system too), the
# operator's scripts in share/pald and the examples in share/doc/pald.
# It never touches /etc: README.md, "Deployment", says what goes there.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	    $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system \
	    $(DESTDIR)$(PREFIX)/share/pald $(DESTDIR)$(PREFIX)/share/doc/pald
	install -m 755 $(PAL) $(DESTDIR)$(PREFIX)/bin/pal
	install -m 755 $(PALD) $(DESTDIR)$(PREFIX)/sbin/pald
	sed 's,/usr/local/,$(PREFIX)/,g' docs/man/pal.1 \
	    >$(DESTDIR)$(PREFIX)/share/man/man1/pal.1
	sed 's,/usr/local/,$(PREFIX)/,g' docs/man/pald.8 \
	    >$(DESTDIR)$(PREFIX)/share/man/man8/pald.8
	install -m 644 deploy/pal.bash-completion \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pal
	sed 's,/usr/local/,$(PREFIX)/,g' deploy/pald.service \
	    >$(DESTDIR)$(PREFIX)/lib/systemd/system/pald.service
	chmod 644 $(DESTDIR)$(PREFIX)/share/man/man1/pal.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man8/pald.8 \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/pald.service
	install -m 755 deploy/backup.sh deploy/restore.sh \
	    $(DESTDIR)$(PREFIX)/share/pald/
	install -m 644 deploy/pald-db-role.sql $(DESTDIR)$(PREFIX)/share/pald/
	install -m 644 README.md docs/API.md deploy/pald.conf.example \
	    deploy/nginx.conf.example $(DESTDIR)$(PREFIX)/share/doc/pald/

format:
	clang-format -i $(wildcard common/*.[ch] server/*.[ch] client/*.[ch])

format-check:
	clang-format --dry-run $(wildcard common/*.[ch] server/*.[ch] \
	    client/*.[ch])

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
