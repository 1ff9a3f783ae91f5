# Policy site and consent portal. Plain make; explicit lists.
#   make            build the programs into build/
#   make site       build the demo site into public/
#   make run        the whole system on 127.0.0.1:$(PORT) with demo data
#   make check      every test; prints "N passed, N failed"
#   make install    programs, templates, content, man pages, configuration, units (PREFIX, DESTDIR)
#   make golden     regenerate the expected output of the golden tests, on purpose

PORT ?= 8080
DB ?= var/consent.db

# Install any missing Debian packages before pkg-config is asked (cheap when all are present).
# NODEPS=1 skips this (the Debian package build, whose Build-Depends have them).
ifeq ($(filter clean,$(MAKECMDGOALS))$(NODEPS),)
DEPSET := $(if $(filter check check-% fuzz bench bench-portal valgrind,$(MAKECMDGOALS)),check,build)
DEPS_STATUS := $(shell tools/deps.sh $(DEPSET) >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error tools/deps.sh could not install the packages the build needs)
endif
endif

PKGS = libcmark fcgi sqlite3 libqrencode libsodium yaml-0.1 libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

CC = cc
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
       -Wformat=2 -Wvla -Werror
INCLUDES = -Isrc/core -Isrc/site -Isrc/portal -Itests
CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -O2 -g $(WARN) $(INCLUDES) $(PKG_CFLAGS)
ASAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDLIBS = $(PKG_LIBS) -lm -pthread

# Library modules, one file each, in three parts: src/core (shared), src/site (the
# generator) and src/portal (the consent portal). Each part is its own archive, and a
# program links only the parts it may use: policygen site+core, the portal's programs
# portal+core. A call across (the portal into the content loader, say) fails to link.
CORE = arena buf config date handoff html out settings tmpl utf8 wire yml
SITE = cmem content diff fmcache publish resident site sitestate toc
PORTAL = audit catalog checkpoint cgi consent csv db evidence export form letters mis multipart policies portal qr records roster sandbox search staff token group
PARTS = core site portal
LIB = $(CORE) $(SITE) $(PORTAL)
HEADERS = $(wildcard src/*/*.h)
vpath %.c src/core src/site src/portal tests/core tests/site tests/portal

# The archives of a part and of the parts under it, in link order.
LIBS_core = build/libcore.a
LIBS_site = build/libsite.a build/libcore.a
LIBS_portal = build/libportal.a build/libcore.a
ASAN_LIBS_core = build/asan/libcore.a
ASAN_LIBS_site = build/asan/libsite.a build/asan/libcore.a
ASAN_LIBS_portal = build/asan/libportal.a build/asan/libcore.a

# Unit tests: tests/<part>/test-NAME.c (with the part's shared test headers, such as
# tests/portal/testdb.h), linked with that part's archives, each run by tests/run.sh (and
# again under ASan+UBSan).
UNIT_core = $(patsubst tests/core/test-%.c,%,$(wildcard tests/core/test-*.c))
UNIT_site = $(patsubst tests/site/test-%.c,%,$(wildcard tests/site/test-*.c))
UNIT_portal = $(patsubst tests/portal/test-%.c,%,$(wildcard tests/portal/test-*.c))
UNIT = $(UNIT_core) $(UNIT_site) $(UNIT_portal)

# libFuzzer targets: tests/fuzz/fuzz-NAME.c, corpus in tests/fuzz/corpus/NAME/.
FUZZ = csv date diff form multipart tmpl token wire yml toc
FUZZ_TIME ?= 60
FUZZ_CC = clang
FUZZ_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -g -O1

PROGS = build/policygen build/consentctl build/sign.fcgi build/office.fcgi build/fcgi-pool
UNIT_BIN = $(UNIT:%=build/tests/test-%)
ASAN_BIN = $(UNIT:%=build/asan/test-%)

all: $(PROGS)

# The configuration file the programs read when neither --config nor $$CONSENT_CONFIG
# names one (policies.conf(5)): none in a development build; make install and the
# Debian package build with SYSCONFDIR set. build/config-file remembers it, so that
# changing it rebuilds config.o.
SYSCONFDIR ?=
CONFIG_FILE = $(if $(SYSCONFDIR),$(SYSCONFDIR)/policies/policies.conf,)
build/config-file: FORCE
	@mkdir -p build
	@echo '$(CONFIG_FILE)' | cmp -s - $@ || echo '$(CONFIG_FILE)' >$@
build/obj/config.o build/asan/config.o: build/config-file
build/obj/config.o build/asan/config.o: CFLAGS += -DCONFIG_FILE='"$(CONFIG_FILE)"'
FORCE:

build/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "CC $< (ASan+UBSan)"
	@$(CC) $(CFLAGS) $(ASAN) -c -o $@ $<

build/libcore.a: $(CORE:%=build/obj/%.o)
build/libsite.a: $(SITE:%=build/obj/%.o)
build/libportal.a: $(PORTAL:%=build/obj/%.o)
build/asan/libcore.a: $(CORE:%=build/asan/%.o)
build/asan/libsite.a: $(SITE:%=build/asan/%.o)
build/asan/libportal.a: $(PORTAL:%=build/asan/%.o)
$(PARTS:%=build/lib%.a) $(PARTS:%=build/asan/lib%.a):
	@rm -f $@ && ar rcs $@ $^

build/policygen: src/site/policygen.c $(LIBS_site)
	@echo "LD $@"
	@$(CC) $(CFLAGS) -o $@ src/site/policygen.c $(LIBS_site) $(LDLIBS)

build/consentctl: src/portal/consentctl.c $(LIBS_portal)
	@echo "LD $@"
	@$(CC) $(CFLAGS) -o $@ src/portal/consentctl.c $(LIBS_portal) $(LDLIBS)

build/fcgi-pool: src/portal/fcgi-pool.c
	@echo "LD $@"
	@$(CC) $(CFLAGS) -o $@ src/portal/fcgi-pool.c

build/%.fcgi: cgi-bin/%.c $(LIBS_portal)
	@echo "LD $@"
	@$(CC) $(CFLAGS) -o $@ $< $(LIBS_portal) $(LDLIBS)

# office.c includes its policy pages' handlers.
build/office.fcgi build/asan/office.fcgi: cgi-bin/office-policies.c

build/tests/%-fixture: tests/%-fixture.c $(LIBS_portal)
	@mkdir -p $(@D)
	@echo "LD $@"
	@$(CC) $(CFLAGS) -o $@ $< $(LIBS_portal) $(LDLIBS)

build/tests/load: tests/load.c
	@mkdir -p $(@D)
	@echo "LD $@"
	@$(CC) $(CFLAGS) -pthread -o $@ tests/load.c $(LDLIBS)

define unit_rules
$$(UNIT_$(1):%=build/tests/test-%): build/tests/test-%: tests/$(1)/test-%.c tests/check.h $$(wildcard tests/$(1)/*.h) $$(LIBS_$(1))
	@mkdir -p $$(@D)
	@echo "LD $$@"
	@$$(CC) $$(CFLAGS) -o $$@ $$< $$(LIBS_$(1)) $$(LDLIBS)

$$(UNIT_$(1):%=build/asan/test-%): build/asan/test-%: tests/$(1)/test-%.c tests/check.h $$(wildcard tests/$(1)/*.h) \
		$$(ASAN_LIBS_$(1))
	@mkdir -p $$(@D)
	@echo "LD $$@"
	@$$(CC) $$(CFLAGS) $$(ASAN) -o $$@ $$< $$(ASAN_LIBS_$(1)) $$(LDLIBS)
endef
$(foreach part,$(PARTS),$(eval $(call unit_rules,$(part))))

# ASan+UBSan builds of the programs, for the CGI shell tests again (tests/asan.sh).
ASAN_PROGS = build/asan/sign.fcgi build/asan/office.fcgi build/asan/consentctl \
	build/asan/policygen build/asan/sign-fixture

build/asan/%.fcgi: cgi-bin/%.c $(ASAN_LIBS_portal)
	@echo "LD $@ (ASan+UBSan)"
	@$(CC) $(CFLAGS) $(ASAN) -o $@ $< $(ASAN_LIBS_portal) $(LDLIBS)

build/asan/consentctl: src/portal/consentctl.c $(ASAN_LIBS_portal)
	@echo "LD $@ (ASan+UBSan)"
	@$(CC) $(CFLAGS) $(ASAN) -o $@ $< $(ASAN_LIBS_portal) $(LDLIBS)

build/asan/policygen: src/site/policygen.c $(ASAN_LIBS_site)
	@echo "LD $@ (ASan+UBSan)"
	@$(CC) $(CFLAGS) $(ASAN) -o $@ $< $(ASAN_LIBS_site) $(LDLIBS)

build/asan/sign-fixture: tests/sign-fixture.c $(ASAN_LIBS_portal)
	@echo "LD $@ (ASan+UBSan)"
	@$(CC) $(CFLAGS) $(ASAN) -o $@ $< $(ASAN_LIBS_portal) $(LDLIBS)

# Shell tests, each printing PASS/FAIL lines.
SHELL_TESTS = tests/layout.sh tests/golden.sh tests/policygen-check.sh tests/qr-decode.sh tests/consentctl.sh tests/tamper.sh \
	tests/sign.sh tests/office.sh tests/office-policies.sh tests/import.sh tests/e2e.sh tests/concurrency.sh tests/crash.sh tests/fuzz.sh \
	tests/browser.sh tests/hostile.sh tests/disk-full.sh tests/asan.sh tests/config.sh \
	tests/man.sh tests/crash-journeys.sh tests/login-flood.sh tests/nginx.sh tests/jobs.sh \
	tests/deb.sh tests/fcgi-pool.sh tests/watch.sh

build/fuzz/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "CC $< (fuzz)"
	@$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -c -o $@ $<

build/libpc-fuzz.a: $(LIB:%=build/fuzz/%.o)
	@rm -f $@ && ar rcs $@ $(LIB:%=build/fuzz/%.o)

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c build/libpc-fuzz.a
	@echo "LD $@"
	@$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -Wno-missing-prototypes -fsanitize=fuzzer -o $@ $< build/libpc-fuzz.a $(LDLIBS)

# make fuzz: each target for FUZZ_TIME seconds, growing a scratch corpus beside the seeds.
fuzz: $(FUZZ:%=build/fuzz/fuzz-%)
	@for f in $(FUZZ); do \
		mkdir -p build/fuzz/corpus-$$f; \
		dict=; [ -f tests/fuzz/$$f.dict ] && dict=-dict=tests/fuzz/$$f.dict; \
		echo "fuzz-$$f: $(FUZZ_TIME) s"; \
		build/fuzz/fuzz-$$f -artifact_prefix=build/fuzz/ -max_total_time=$(FUZZ_TIME) -max_len=65536 $$dict \
			build/fuzz/corpus-$$f tests/fuzz/corpus/$$f || exit 1; \
	done

site: build/policygen
	build/policygen build --content content --templates templates --out public \
		--portal var/portal --state .cache/policygen

check: all build/tests/sign-fixture build/tests/load $(UNIT_BIN) $(ASAN_BIN) $(ASAN_PROGS) \
	$(FUZZ:%=build/fuzz/fuzz-%)
	@tests/run.sh $(UNIT_BIN) $(ASAN_BIN) $(SHELL_TESTS)

# The unit tests alone (quick, no servers; the Debian package build runs them).
unit: $(UNIT_BIN)
	@tests/run.sh $(UNIT_BIN)

golden: build/policygen
	cp content/i18n/en.yaml content/i18n/cy.yaml tests/golden/content/i18n/
	rm -rf tests/golden/expected tests/golden/expected-portal build/golden-state
	build/policygen build --content tests/golden/content --templates templates \
		--out tests/golden/expected --portal tests/golden/expected-portal \
		--state build/golden-state --today 2026-11-21
	rm tests/golden/expected/style.css
	@echo "tests/golden/expected and expected-portal regenerated: review them with git diff"

# The real-browser journeys, axe-core and the HTML checker alone (make check runs them too).
check-browser: all
	@tests/run.sh tests/browser.sh

# make valgrind: the CGI tests under valgrind; any memory error or definite leak fails.
valgrind: all build/tests/sign-fixture
	@tests/run.sh tests/valgrind.sh

# make bench: the generator against Hugo and raw libcmark (bench/README.md). Prints a
# table; asserts nothing.
bench: all
	@bench/run.sh
	@bench/portal.sh

# The portal half alone (bench/PORTAL.md).
bench-portal: all
	@bench/portal.sh

run: all
	@PORT=$(PORT) DB=$(DB) tools/run.sh

# make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=$(PREFIX)/etc]: programs,
# templates, the demonstration content, man pages, the example configuration (also put
# in SYSCONFDIR/policies/ unless one is there), the nginx site file and systemd units
# (examples under DOCDIR; NGINXSITEDIR and SYSTEMDUNITDIR put them in place too). The
# programs are rebuilt to read SYSCONFDIR/policies/policies.conf by default.
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
SBINDIR = $(PREFIX)/sbin
LIBEXECDIR = $(PREFIX)/lib/policies
DATADIR = $(PREFIX)/share
MANDIR = $(DATADIR)/man
DOCDIR = $(DATADIR)/doc/policies
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
NGINXSITEDIR ?=
MANPAGES = man/policygen.1 man/policies.conf.5 man/policies-content.5 man/consentctl.8 \
	man/sign.fcgi.8 man/office.fcgi.8 man/fcgi-pool.8
UNITS = policies-sign.socket policies-sign.service policies-office.socket \
	policies-office.service policies-daily.service policies-daily.timer \
	policies-review.service policies-review.timer policies-watch.service
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
	-e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

install:
	@$(MAKE) --no-print-directory SYSCONFDIR=$(or $(SYSCONFDIR),$(PREFIX)/etc) install-files

install-files: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(DATADIR)/policies/templates $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(SYSCONFDIR)/policies
	install -m 755 build/policygen $(DESTDIR)$(BINDIR)/
	install -m 755 build/consentctl build/fcgi-pool $(DESTDIR)$(SBINDIR)/
	install -m 755 build/sign.fcgi build/office.fcgi $(DESTDIR)$(LIBEXECDIR)/
	for f in policies-daily policies-review; do \
		$(SUBST) dist/$$f >$(DESTDIR)$(LIBEXECDIR)/$$f && chmod 755 $(DESTDIR)$(LIBEXECDIR)/$$f || exit 1; \
	done
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/policies/templates/
	rm -rf $(DESTDIR)$(DATADIR)/policies/content
	cp -R content $(DESTDIR)$(DATADIR)/policies/content
	chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/policies/content
	for m in $(MANPAGES); do \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	$(SUBST) dist/policies.conf >$(DESTDIR)$(DOCDIR)/examples/policies.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/policies/policies.conf ] || \
		install -m 644 $(DESTDIR)$(DOCDIR)/examples/policies.conf $(DESTDIR)$(SYSCONFDIR)/policies/
	$(SUBST) dist/nginx/policies.conf >$(DESTDIR)$(DOCDIR)/examples/nginx-policies.conf
	[ -z "$(NGINXSITEDIR)" ] || { install -d $(DESTDIR)$(NGINXSITEDIR) && \
		install -m 644 $(DESTDIR)$(DOCDIR)/examples/nginx-policies.conf $(DESTDIR)$(NGINXSITEDIR)/policies; }
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in $(UNITS); do \
		$(SUBST) dist/systemd/$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u && chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done

clean:
	rm -rf build public .cache/policygen

.PHONY: all site check check-browser clean run unit golden fuzz bench bench-portal valgrind install \
	install-files FORCE
