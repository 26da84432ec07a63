# Thin wrapper over CMake. `make test` and `make run` work as the only command
# on a fresh Debian 12 machine: they install what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PREFIX     ?= /usr/local
PORT       ?= 8080
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# CI (CI=true) turns every warning into an error.
WERROR     ?= $(if $(filter true 1 yes,$(CI)),ON,OFF)
CMAKE_ARGS ?=

.PHONY: all deps build test asan run bench fuzz fuzz-build fuzz-ci install format clean php php-test php-memcheck \
	swoole-tests swoole-gate

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DSWIRL_WERROR=$(WERROR) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake -S . -B $(BUILD) -DSWIRL_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j 2
	$(MAKE) php-test

# The PHP extension, built the PHP way (phpize, configure, make) inside php/:
# php/modules/swirl.so. Its .phpt suite runs with PHP's run-tests.php.
# With CI=true its warnings (-Wall -Wextra, from config.m4) are errors too.
# configure runs again when config.m4 or CMakeLists.txt (the C sources it
# compiles in) is newer than php/Makefile.
PHP_EXTRA_CFLAGS = $(if $(filter ON,$(WERROR)),-Werror,)
php: deps
	cd php && { { test Makefile -nt config.m4 && test Makefile -nt ../CMakeLists.txt; } || { phpize && ./configure; }; } && $(MAKE) -j $(JOBS) EXTRA_CFLAGS="$(PHP_EXTRA_CFLAGS)"

# run-tests.php points extension_dir at php/modules: Debian's shared
# ext-sockets (for swoole_event_add on a Socket) is loaded by its full path
PHP_EXT_DIR = $(shell php -r 'echo PHP_EXTENSION_DIR;' 2>/dev/null)
PHP_TEST_EXTS = $(if $(wildcard $(PHP_EXT_DIR)/sockets.so),-d extension=$(PHP_EXT_DIR)/sockets.so)

php-test: php
	cd php && NO_INTERACTION=1 TEST_PHP_ARGS="-q --show-diff --no-color $(PHP_TEST_EXTS)" $(MAKE) test > phpt.log 2>&1; rc=$$?; \
	cat phpt.log; \
	echo "php: $$(tr '\r' '\n' < phpt.log | grep -c '^PASS ') passed, $$(tr '\r' '\n' < phpt.log | grep -c '^FAIL ') failed"; \
	exit $$rc

# Swoole v6.2.2's own tests (its tests/ with run.sh and dev-list.txt, kept
# outside the repository, in ../shared/swoole-tests or SWOOLE_TESTS=dir; none
# is ever copied here) run against php/modules/swirl.so by
# scripts/swoole-tests.sh. swoole-tests: the whole dev list (the
# non-coroutine tests that pass on real Swoole), `N passed, M failed`.
# swoole-gate: tests/swoole-passing.txt, those of the dev list that pass on
# swirl; fails if one no longer passes (CI runs it); skipped, said so, when
# the suite is not there.
SWOOLE_TESTS ?= ../shared/swoole-tests
swoole-tests: php
	@if [ ! -x "$(SWOOLE_TESTS)/run.sh" ]; then \
		echo "swoole-tests: $(SWOOLE_TESTS)/run.sh not found (set SWOOLE_TESTS=dir)"; exit 1; fi
	scripts/swoole-tests.sh "$(SWOOLE_TESTS)" "$(SWOOLE_TESTS)/dev-list.txt"

swoole-gate: php
	@if [ ! -x "$(SWOOLE_TESTS)/run.sh" ]; then \
		echo "swoole-gate: skipped: Swoole's tests are not in $(SWOOLE_TESTS) (set SWOOLE_TESTS=dir)"; \
	else scripts/swoole-tests.sh "$(SWOOLE_TESTS)" tests/swoole-passing.txt gate; fi

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSWIRL_SANITIZE=ON -DSWIRL_WERROR=$(WERROR) $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j 2
	$(MAKE) fuzz-ci

run: build
	@echo "swirl serve on http://127.0.0.1:$(PORT)/ — try:"
	@echo "    curl http://127.0.0.1:$(PORT)/hello"
	@echo "    curl -d hi http://127.0.0.1:$(PORT)/echo"
	@echo "    open http://127.0.0.1:$(PORT)/chat.html in two browser tabs (WebSocket chat)"
	@echo "Ctrl-C stops it."
	$(BUILD)/swirl serve --host 127.0.0.1 --port $(PORT)

bench: build php
	@scripts/deps.sh bench
	@bench/run.sh $(BUILD)

# The .phpt suite under valgrind (USE_ZEND_ALLOC=0; PCRE's JIT off, its SIMD
# over-reads are valgrind false positives). Timing-sensitive tests may fail
# under valgrind's slowness; the verdict is valgrind's own: a report in a
# php/tests/*.mem file. Not part of CI (slow). PHP_MEMCHECK_TESTS=... picks tests.
php-memcheck: php
	rm -f php/tests/*.mem
	-cd php && NO_INTERACTION=1 USE_ZEND_ALLOC=0 TEST_PHP_ARGS="-q -m -d pcre.jit=0" \
		$(MAKE) test $(if $(PHP_MEMCHECK_TESTS),TESTS="$(PHP_MEMCHECK_TESTS)")
	@# valgrind's own notes ("--pid--", e.g. a system call it does not know,
	@# openat2) are shown; its reports ("==pid==") fail the target
	@bad=$$(grep -l '^==' php/tests/*.mem 2>/dev/null); \
	for f in php/tests/*.mem; do [ -f "$$f" ] && ! grep -q '^==' "$$f" && \
		echo "php-memcheck: $$f holds only valgrind's notes:" && head -3 "$$f"; done; \
	if [ -n "$$bad" ]; then cat $$bad; echo "php-memcheck: valgrind reported errors in $$bad"; exit 1; \
	else echo "php-memcheck: no valgrind error"; fi

# libFuzzer (clang, ASan + UBSan) on the HTTP parser, the HTTP server's
# connections, WebSocket frames, permessage-deflate, multipart bodies and
# stream framing: the targets of tests/fuzz built in $(FUZZ_BUILD)
# (SWIRL_FUZZ=ON), run by scripts/fuzz.sh one after the other. Each first
# replays its crash regressions and seed corpus. `make fuzz`: FUZZ_SECONDS
# each (FUZZERS="framing deflate" picks some); `make asan` runs fuzz-ci:
# FUZZ_CI_SECONDS each, skipped (said so) without clang.
FUZZ_SECONDS    ?= 600
FUZZ_CI_SECONDS ?= 25
FUZZERS         ?=
fuzz-build: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSWIRL_FUZZ=ON \
		-DSWIRL_BUILD_TESTS=OFF -DSWIRL_WERROR=$(WERROR) $(CMAKE_ARGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZERS)

fuzz-ci:
	@if command -v clang >/dev/null 2>&1; then \
		$(MAKE) fuzz-build && scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_CI_SECONDS) $(FUZZERS); \
	else echo "fuzz: no clang: the fuzzers are not run (their corpora are replayed by ctest)"; fi

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
	if [ -f php/Makefile ]; then $(MAKE) -C php distclean; cd php && phpize --clean; fi
