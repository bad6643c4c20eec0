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
# UBSan. tests/run.sh leaves a counts file behind for the closing line.
check: deps
	@$(MAKE) --no-print-directory BUILD=build/check WERROR=-Werror test
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 WERROR=-Werror test
	@sh tests/summary.sh build/check build/asan

bench: deps all
	@sh tests/bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin
	install -m 755 $(PAL) $(DESTDIR)$(PREFIX)/bin/pal
	install -m 755 $(PALD) $(DESTDIR)$(PREFIX)/sbin/pald

format:
	clang-format -i $(wildcard common/*.[ch] server/*.[ch] client/*.[ch])

format-check:
	clang-format --dry-run $(wildcard common/*.[ch] server/*.[ch] \
	    client/*.[ch])

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
