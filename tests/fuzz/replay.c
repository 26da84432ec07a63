/* tests/fuzz/replay.c — a libFuzzer harness's inputs replayed in the
 * ordinary test builds (gcc, and ASan + UBSan in build-asan), without
 * clang: every file of tests/fuzz/regressions/FUZZ_NAME/ (inputs that once
 * crashed) and tests/fuzz/corpus/FUZZ_NAME/ (the seeds) goes through the
 * harness's LLVMFuzzerTestOneInput once. A broken invariant aborts, which
 * fails the test. Linked with one harness (tests/CMakeLists.txt). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Replay every file of dir; the count of files. */
static int replay_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* no regressions yet */
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rbe");
        cr_assert(f, "%s: cannot open", path);
        uint8_t *buf = malloc(1 << 20);
        cr_assert(buf);
        size_t n = fread(buf, 1, 1 << 20, f);
        fclose(f);
        /* exactly n bytes, so ASan sees a read past the end */
        uint8_t *in = malloc(n ? n : 1);
        cr_assert(in);
        memcpy(in, buf, n);
        free(buf);
        LLVMFuzzerTestOneInput(in, n);
        free(in);
        count++;
    }
    closedir(d);
    return count;
}

Test(fuzz_replay, corpus_and_regressions, .timeout = 240) {
    int seeds = replay_dir(SWIRL_SOURCE_DIR "/tests/fuzz/corpus/" FUZZ_NAME);
    replay_dir(SWIRL_SOURCE_DIR "/tests/fuzz/regressions/" FUZZ_NAME);
    cr_assert_gt(seeds, 0, "no seed corpus in tests/fuzz/corpus/%s", FUZZ_NAME);
}
