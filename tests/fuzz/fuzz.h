/* tests/fuzz/fuzz.h — what every libFuzzer harness here defines, and the
 * check its invariants use. A harness is built two ways: with clang's
 * libFuzzer (SWIRL_FUZZ, build-fuzz/fuzz_<name>), and into a Criterion test
 * (test_fuzz_<name>, tests/fuzz/replay.c) that replays its seed corpus and
 * its crash regressions in every test run. */
#ifndef SWIRL_TESTS_FUZZ_H
#define SWIRL_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broke: say which, and crash (libFuzzer keeps the input). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
