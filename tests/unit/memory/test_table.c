/* tests/unit/memory/test_table.c — the shared table: rows, columns and
 * their errors, a full table, colliding keys, incr from 4 processes,
 * iteration while 2 processes write, and processes killed holding a row
 * lock. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "memory/internal.h"
#include "memtest.h"

/* A table with one column of each kind. */
static swirl_table_t *make_table(size_t rows) {
    swirl_table_t *t;
    cr_assert_eq(swirl_table_new(&t, rows), 0);
    cr_assert_eq(swirl_table_column(t, "hits", SWIRL_TABLE_INT, 0), 0);
    cr_assert_eq(swirl_table_column(t, "small", SWIRL_TABLE_INT, 1), 0);
    cr_assert_eq(swirl_table_column(t, "mid", SWIRL_TABLE_INT, 4), 0);
    cr_assert_eq(swirl_table_column(t, "score", SWIRL_TABLE_FLOAT, 0), 0);
    cr_assert_eq(swirl_table_column(t, "name", SWIRL_TABLE_STRING, 32), 0);
    cr_assert_eq(swirl_table_create(t), 0);
    return t;
}

Test(table, set_get_exists_del, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_table_t *t = make_table(16);
    swirl_table_value_t v[] = {swirl_table_int("hits", 42), swirl_table_float("score", 2.5),
                               swirl_table_string("name", "alice", 5)};
    cr_assert_eq(swirl_table_set(t, "k1", 2, v, 3), 0);
    cr_assert_eq(swirl_table_count(t), 1);
    cr_assert_eq(swirl_table_exists(t, "k1", 2), 1);
    cr_assert_eq(swirl_table_exists(t, "k2", 2), 0);

    int64_t i;
    double f;
    char s[64];
    size_t n;
    cr_assert_eq(swirl_table_get_int(t, "k1", 2, "hits", &i), 0);
    cr_assert_eq(i, 42);
    cr_assert_eq(swirl_table_get_int(t, "k1", 2, "small", &i), 0);
    cr_assert_eq(i, 0, "a new row starts zeroed");
    cr_assert_eq(swirl_table_get_float(t, "k1", 2, "score", &f), 0);
    cr_assert_float_eq(f, 2.5, 1e-12);
    cr_assert_eq(swirl_table_get_string(t, "k1", 2, "name", s, sizeof(s), &n), 0);
    cr_assert_str_eq(s, "alice");
    cr_assert_eq(n, 5);
    cr_assert_eq(swirl_table_get_string(t, "k1", 2, "name", s, 5, &n), SWIRL_ETOOBIG);
    MT_MSG_HAS("5 bytes");

    /* Columns not given keep their values (Swoole's set). */
    swirl_table_value_t v2 = swirl_table_int("small", 7);
    cr_assert_eq(swirl_table_set(t, "k1", 2, &v2, 1), 0);
    swirl_table_row_t *row;
    cr_assert_eq(swirl_table_row_new(t, &row), 0);
    cr_assert_eq(swirl_table_get(t, "k1", 2, row), 0);
    size_t klen;
    cr_assert_str_eq(swirl_table_row_key(row, &klen), "k1");
    cr_assert_eq(klen, 2);
    cr_assert_eq(swirl_table_row_int(row, 0, &i), 0);
    cr_assert_eq(i, 42);
    cr_assert_eq(swirl_table_row_int(row, 1, &i), 0);
    cr_assert_eq(i, 7);
    const char *p;
    cr_assert_eq(swirl_table_row_string(row, 4, &p, &n), 0);
    cr_assert_str_eq(p, "alice");
    cr_assert_eq(swirl_table_row_float(row, 3, &f), 0);
    cr_assert_float_eq(f, 2.5, 1e-12);
    cr_assert_eq(swirl_table_row_float(row, 0, &f), SWIRL_EBADARG);
    MT_MSG_HAS("\"hits\" is an int, not a float");
    cr_assert_eq(swirl_table_row_int(row, 9, &i), SWIRL_EBADARG);
    MT_MSG_HAS("no column #9");

    /* Values by column index; a binary key. */
    swirl_table_value_t byidx = {NULL, 2, SWIRL_TABLE_INT, {.i = -5}};
    cr_assert_eq(swirl_table_set(t, "\x00\xff", 2, &byidx, 1), 0);
    cr_assert_eq(swirl_table_get_int(t, "\x00\xff", 2, "mid", &i), 0);
    cr_assert_eq(i, -5);
    cr_assert_eq(swirl_table_count(t), 2);

    cr_assert_eq(swirl_table_del(t, "k1", 2), 0);
    cr_assert_eq(swirl_table_del(t, "k1", 2), SWIRL_ENOTFOUND);
    MT_MSG_HAS("no key \"k1\"");
    cr_assert_eq(swirl_table_get(t, "k1", 2, row), SWIRL_ENOTFOUND);
    cr_assert_eq(swirl_table_get_int(t, "zz", 2, "hits", &i), SWIRL_ENOTFOUND);
    cr_assert_eq(swirl_table_count(t), 1);

    /* Column introspection. */
    cr_assert_eq(swirl_table_column_count(t), 5);
    const char *name;
    int type;
    size_t size;
    cr_assert_eq(swirl_table_column_info(t, 4, &name, &type, &size), 0);
    cr_assert_str_eq(name, "name");
    cr_assert_eq(type, SWIRL_TABLE_STRING);
    cr_assert_eq(size, 32);
    cr_assert_eq(swirl_table_column_info(t, 0, NULL, NULL, &size), 0);
    cr_assert_eq(size, 8, "int size 0 means 8");
    cr_assert_eq(swirl_table_column_index(t, "score"), 3);
    cr_assert_eq(swirl_table_column_index(t, "nope"), SWIRL_EBADARG);
    cr_assert_eq(swirl_table_size(t), 16);
    /* rows * (72 + data) + 16 buckets * 4 + 16 mutexes + head, in pages */
    cr_assert_geq(swirl_table_memory_size(t), 16 * (72 + 8 + 1 + 4 + 8 + 37));
    cr_assert_eq(swirl_table_memory_size(t) % 4096, 0);

    swirl_table_row_free(row);
    swirl_table_free(t);
    TU_FD_END();
}

Test(table, narrow_ints_wrap_and_incr_decr, .timeout = 30) {
    swirl_table_t *t = make_table(4);
    int64_t i;
    swirl_table_value_t v = swirl_table_int("small", 300);
    cr_assert_eq(swirl_table_set(t, "a", 1, &v, 1), 0);
    cr_assert_eq(swirl_table_get_int(t, "a", 1, "small", &i), 0);
    cr_assert_eq(i, 44, "300 in one byte keeps the low byte");
    v = swirl_table_int("small", 127);
    cr_assert_eq(swirl_table_set(t, "a", 1, &v, 1), 0);
    cr_assert_eq(swirl_table_incr(t, "a", 1, "small", 1, &i), 0);
    cr_assert_eq(i, -128);
    cr_assert_eq(swirl_table_incr(t, "new", 3, "hits", 5, &i), 0, "incr creates the row");
    cr_assert_eq(i, 5);
    cr_assert_eq(swirl_table_decr(t, "new", 3, "hits", 7, &i), 0);
    cr_assert_eq(i, -2);
    double f;
    cr_assert_eq(swirl_table_incr_float(t, "new", 3, "score", 1.25, &f), 0);
    cr_assert_eq(swirl_table_decr_float(t, "new", 3, "score", 0.5, &f), 0);
    cr_assert_float_eq(f, 0.75, 1e-12);
    cr_assert_eq(swirl_table_incr(t, "new", 3, "score", 1, &i), SWIRL_EBADARG);
    MT_MSG_HAS("column \"score\" is a float, not an int");
    cr_assert_eq(swirl_table_incr(t, "new", 3, "name", 1, &i), SWIRL_EBADARG);
    MT_MSG_HAS("column \"name\" is a string, not an int");
    cr_assert_eq(swirl_table_incr(t, "new", 3, "nope", 1, &i), SWIRL_EBADARG);
    MT_MSG_HAS("no column \"nope\"");
    swirl_table_free(t);
}

Test(table, errors_name_the_culprit, .timeout = 30) {
    TU_FD_BEGIN();
    swirl_table_t *t;
    cr_assert_eq(swirl_table_new(&t, 0), SWIRL_EBADARG);
    MT_MSG_HAS("rows must be");
    cr_assert_eq(swirl_table_new(&t, 8), 0);

    cr_assert_eq(swirl_table_create(t), SWIRL_ESTATE);
    MT_MSG_HAS("no column");
    cr_assert_eq(swirl_table_column(t, "n", SWIRL_TABLE_INT, 3), SWIRL_EBADARG);
    MT_MSG_HAS("int column \"n\": size must be 1, 2, 4 or 8, got 3");
    cr_assert_eq(swirl_table_column(t, "s", SWIRL_TABLE_STRING, 0), SWIRL_EBADARG);
    MT_MSG_HAS("string column \"s\": size must be");
    cr_assert_eq(swirl_table_column(t, "x", 9, 4), SWIRL_EBADARG);
    MT_MSG_HAS("column \"x\": unknown type 9");
    cr_assert_eq(swirl_table_column(t, "", SWIRL_TABLE_INT, 4), SWIRL_EBADARG);
    MT_MSG_HAS("empty column name");
    char longname[80];
    memset(longname, 'c', 70);
    longname[70] = 0;
    cr_assert_eq(swirl_table_column(t, longname, SWIRL_TABLE_INT, 4), SWIRL_EBADARG);
    MT_MSG_HAS("70 bytes");
    cr_assert_eq(swirl_table_column(t, "hits", SWIRL_TABLE_INT, 4), 0);
    cr_assert_eq(swirl_table_column(t, "hits", SWIRL_TABLE_INT, 4), SWIRL_EBADARG);
    MT_MSG_HAS("column \"hits\" declared twice");
    cr_assert_eq(swirl_table_column(t, "tag", SWIRL_TABLE_STRING, 4), 0);

    swirl_table_value_t v = swirl_table_int("hits", 1);
    cr_assert_eq(swirl_table_set(t, "k", 1, &v, 1), SWIRL_ESTATE, "set before create");
    MT_MSG_HAS("not created");
    size_t before = swirl_table_memory_size(t);
    cr_assert_eq(swirl_table_create(t), 0);
    cr_assert_eq(swirl_table_memory_size(t), before);
    cr_assert_eq(swirl_table_create(t), SWIRL_ESTATE);
    cr_assert_eq(swirl_table_column(t, "late", SWIRL_TABLE_INT, 8), SWIRL_ESTATE);
    MT_MSG_HAS("column \"late\" added after create");

    char key[70];
    memset(key, 'k', sizeof(key));
    cr_assert_eq(swirl_table_set(t, key, 70, &v, 1), SWIRL_ETOOBIG);
    MT_MSG_HAS("key of 70 bytes is longer than 63");
    cr_assert_eq(swirl_table_set(t, key, 63, &v, 1), 0, "63 bytes is fine");
    cr_assert_eq(swirl_table_set(t, "", 0, &v, 1), 0, "the empty key is a key, as in Swoole 6.2");
    cr_assert_eq(swirl_table_exists(t, "", 0), 1);
    cr_assert_eq(swirl_table_exists(t, key, 64), SWIRL_ETOOBIG);
    cr_assert_eq(swirl_table_del(t, "", 0), 0);
    cr_assert_eq(swirl_table_exists(t, "", 0), 0);

    swirl_table_value_t bad[] = {swirl_table_int("hits", 5), swirl_table_string("hits", "x", 1)};
    cr_assert_eq(swirl_table_set(t, "a", 1, bad, 2), SWIRL_EBADARG);
    MT_MSG_HAS("column \"hits\" is an int, not a string");
    cr_assert_eq(swirl_table_exists(t, "a", 1), 0, "a failed set changes nothing");
    swirl_table_value_t unk = swirl_table_int("nope", 1);
    cr_assert_eq(swirl_table_set(t, "a", 1, &unk, 1), SWIRL_EBADARG);
    MT_MSG_HAS("no column \"nope\"");
    swirl_table_value_t toolong = swirl_table_string("tag", "abcdef", 6);
    cr_assert_eq(swirl_table_set(t, "a", 1, &toolong, 1), SWIRL_ETOOBIG);
    MT_MSG_HAS("string of 6 bytes is longer than column \"tag\" (4 bytes)");
    swirl_table_value_t fits = swirl_table_string("tag", "abcd", 4);
    cr_assert_eq(swirl_table_set(t, "a", 1, &fits, 1), 0);
    swirl_table_value_t badidx = {NULL, 7, SWIRL_TABLE_INT, {.i = 1}};
    cr_assert_eq(swirl_table_set(t, "a", 1, &badidx, 1), SWIRL_EBADARG);
    MT_MSG_HAS("no column #7");
    int64_t i;
    cr_assert_eq(swirl_table_get_int(t, "a", 1, "tag", &i), SWIRL_EBADARG);
    MT_MSG_HAS("column \"tag\" is a string, not an int");
    swirl_table_free(t);
    TU_FD_END();
}

/* Fill exactly `rows` (not a power of two), refuse the next, stay usable. */
Test(table, full_table_refuses_and_recovers, .timeout = 30) {
    swirl_table_t *t = make_table(100);
    char key[32];
    for (int k = 0; k < 100; k++) {
        int n = snprintf(key, sizeof(key), "key-%d", k);
        cr_assert_eq(swirl_table_incr(t, key, (size_t)n, "hits", k, NULL), 0, "key %d", k);
    }
    cr_assert_eq(swirl_table_count(t), 100);
    swirl_table_value_t v = swirl_table_int("hits", 1);
    cr_assert_eq(swirl_table_set(t, "one-more", 8, &v, 1), SWIRL_EFULL);
    MT_MSG_HAS("full (100 rows)");
    MT_MSG_HAS("one-more");
    cr_assert_eq(swirl_table_incr(t, "one-more", 8, "hits", 1, NULL), SWIRL_EFULL);
    cr_assert_eq(swirl_table_set(t, "key-5", 5, &v, 1), 0, "an existing key still updates");
    cr_assert_eq(swirl_table_count(t), 100);
    for (int k = 0; k < 100; k++) {
        int n = snprintf(key, sizeof(key), "key-%d", k);
        int64_t i;
        cr_assert_eq(swirl_table_get_int(t, key, (size_t)n, "hits", &i), 0);
        cr_assert_eq(i, k == 5 ? 1 : k);
    }
    cr_assert_eq(swirl_table_del(t, "key-50", 6), 0);
    cr_assert_eq(swirl_table_set(t, "one-more", 8, &v, 1), 0);
    cr_assert_eq(swirl_table_set(t, "two-more", 8, &v, 1), SWIRL_EFULL);
    /* Iteration sees each of the 100 once. */
    swirl_table_row_t *row;
    cr_assert_eq(swirl_table_row_new(t, &row), 0);
    size_t cursor = 0, seen = 0;
    while (swirl_table_next(t, &cursor, row) == 1)
        seen++;
    cr_assert_eq(seen, 100);
    swirl_table_row_free(row);
    swirl_table_free(t);
}

Test(table, colliding_keys_all_fit, .timeout = 30) {
    swirl_table_t *t = make_table(64);
    char keys[65][24];
    size_t lens[65];
    int found = 0;
    for (int c = 0; found < 65; c++) {
        int n = snprintf(keys[found], sizeof(keys[found]), "c%d", c);
        if (swirl__table_bucket(t, keys[found], (size_t)n) == 3)
            lens[found++] = (size_t)n;
    }
    for (int k = 0; k < 64; k++) {
        swirl_table_value_t v = swirl_table_int("hits", k);
        cr_assert_eq(swirl_table_set(t, keys[k], lens[k], &v, 1), 0, "colliding key %d", k);
    }
    swirl_table_value_t v = swirl_table_int("hits", 1);
    cr_assert_eq(swirl_table_set(t, keys[64], lens[64], &v, 1), SWIRL_EFULL);
    for (int k = 0; k < 64; k++) {
        int64_t i;
        cr_assert_eq(swirl_table_get_int(t, keys[k], lens[k], "hits", &i), 0);
        cr_assert_eq(i, k);
    }
    /* Delete from the middle and both ends of the chain. */
    for (int k = 0; k < 64; k += 3)
        cr_assert_eq(swirl_table_del(t, keys[k], lens[k]), 0);
    for (int k = 0; k < 64; k++)
        cr_assert_eq(swirl_table_exists(t, keys[k], lens[k]), k % 3 != 0, "key %d", k);
    cr_assert_eq(swirl_table_set(t, keys[64], lens[64], &v, 1), 0);
    swirl_table_free(t);
}

/* ---- several processes ------------------------------------------------------------------- */

#define INCRS 100000

struct incr_arg {
    swirl_table_t *t;
    volatile int *go; /* all children start together */
};

static int incr_child(void *arg) {
    swirl_table_t *t = ((struct incr_arg *)arg)->t;
    while (!*((struct incr_arg *)arg)->go)
        sched_yield();
    for (int k = 0; k < INCRS; k++) {
        if (swirl_table_incr(t, "counter", 7, "hits", 1, NULL) < 0)
            return 1;
        if (swirl_table_incr_float(t, "counter", 7, "score", 1.0, NULL) < 0)
            return 2;
        if (swirl_table_incr(t, "counter", 7, "mid", 3, NULL) < 0)
            return 3;
    }
    return 0;
}

Test(table, incr_from_four_processes_is_exact, .timeout = 120) {
    TU_FD_BEGIN();
    swirl_table_t *t = make_table(8);
    volatile int *go = mt_shared_ints(1);
    struct incr_arg a = {t, go};
    pid_t pids[4];
    for (int p = 0; p < 4; p++)
        pids[p] = mt_fork(incr_child, &a);
    *go = 1;
    for (int p = 0; p < 4; p++)
        mt_reap_ok(pids[p]);
    int64_t i;
    double f;
    cr_assert_eq(swirl_table_get_int(t, "counter", 7, "hits", &i), 0);
    cr_assert_eq(i, 4 * INCRS);
    cr_assert_eq(swirl_table_get_int(t, "counter", 7, "mid", &i), 0);
    cr_assert_eq(i, 3 * 4 * INCRS);
    cr_assert_eq(swirl_table_get_float(t, "counter", 7, "score", &f), 0);
    cr_assert_float_eq(f, 4.0 * INCRS, 1e-9);
    cr_assert_eq(swirl_table_count(t), 1);
    munmap((void *)go, sizeof(int));
    swirl_table_free(t);
    mt_no_children();
    TU_FD_END();
}

/* Every column of a row is derived from one value, so a torn row shows. */
static void derived(int64_t v, swirl_table_value_t out[4], char *buf) {
    int n = sprintf(buf, "v=%lld", (long long)v);
    out[0] = swirl_table_int("hits", v);
    out[1] = swirl_table_int("mid", (int32_t)(v * 7));
    out[2] = swirl_table_float("score", (double)v * 0.5);
    out[3] = swirl_table_string("name", buf, (size_t)n);
}

static bool row_consistent(const swirl_table_row_t *row) {
    int64_t v, mid;
    double f;
    const char *s;
    size_t n;
    char expect[40];
    if (swirl_table_row_int(row, 0, &v) || swirl_table_row_int(row, 2, &mid) ||
        swirl_table_row_float(row, 3, &f) || swirl_table_row_string(row, 4, &s, &n))
        return false;
    sprintf(expect, "v=%lld", (long long)v);
    return mid == (int32_t)(v * 7) && f == (double)v * 0.5 && strcmp(s, expect) == 0 &&
           n == strlen(expect);
}

struct writer {
    swirl_table_t *t;
    volatile int *stop;
    int id;
};

static int writer_child(void *arg) {
    struct writer *w = arg;
    char key[16], buf[40];
    swirl_table_value_t vals[4];
    unsigned seed = (unsigned)w->id * 7919u;
    for (int64_t v = 1; !*w->stop; v++) {
        int k = (int)(rand_r(&seed) % 200);
        int n = snprintf(key, sizeof(key), "row%d", k);
        derived(v * 2 + w->id, vals, buf);
        int rc = swirl_table_set(w->t, key, (size_t)n, vals, 4);
        if (rc < 0 && rc != SWIRL_EFULL)
            return 1;
        if (v % 5 == 0 && swirl_table_del(w->t, key, (size_t)n) < 0 &&
            swirl_last_error() != SWIRL_ENOTFOUND)
            return 2;
    }
    return 0;
}

Test(table, iteration_while_two_processes_write, .timeout = 60) {
    TU_FD_BEGIN();
    swirl_table_t *t = make_table(128); /* fewer rows than keys: some sets hit a full table */
    volatile int *stop = mt_shared_ints(1);
    struct writer w[2] = {{t, stop, 0}, {t, stop, 1}};
    pid_t pids[2] = {mt_fork(writer_child, &w[0]), mt_fork(writer_child, &w[1])};
    swirl_table_row_t *row;
    cr_assert_eq(swirl_table_row_new(t, &row), 0);
    uint64_t end = swirl_clock_ms() + 1500;
    long rows = 0, passes = 0;
    while (swirl_clock_ms() < end) {
        size_t cursor = 0, seen = 0;
        int rc;
        while ((rc = swirl_table_next(t, &cursor, row)) == 1) {
            cr_assert(row_consistent(row), "torn row \"%s\"", swirl_table_row_key(row, NULL));
            seen++;
        }
        cr_assert_eq(rc, 0);
        cr_assert_leq(seen, 128, "an iteration saw %zu rows of 128", seen);
        cr_assert_leq(swirl_table_count(t), 128);
        rows += (long)seen;
        passes++;
        /* and single gets too */
        if (swirl_table_get(t, "row7", 4, row) == 0)
            cr_assert(row_consistent(row));
    }
    *stop = 1;
    mt_reap_ok(pids[0]);
    mt_reap_ok(pids[1]);
    cr_assert_gt(passes, 10);
    cr_assert_gt(rows, 0);
    /* Quiet now: an iteration matches count exactly. */
    size_t cursor = 0, seen = 0;
    while (swirl_table_next(t, &cursor, row) == 1) {
        cr_assert(row_consistent(row));
        seen++;
    }
    cr_assert_eq(seen, swirl_table_count(t));
    swirl_table_row_free(row);
    swirl_table_free(t);
    munmap((void *)stop, sizeof(int));
    mt_no_children();
    TU_FD_END();
}

/* A child takes a row's lock and is killed holding it. */
struct holder {
    swirl_table_t *t;
    int fd; /* write end: one byte once the lock is held */
};

static int hold_lock_child(void *arg) {
    struct holder *h = arg;
    if (swirl__table_lock_key(h->t, "hot", 3) < 0)
        return 1;
    char c = 'L';
    if (write(h->fd, &c, 1) != 1)
        return 2;
    for (;;)
        pause();
}

Test(table, killed_holding_a_row_lock, .timeout = 60) {
    TU_FD_BEGIN();
    swirl_table_t *t = make_table(16);
    char buf[40];
    swirl_table_value_t vals[4];
    derived(1, vals, buf);
    cr_assert_eq(swirl_table_set(t, "hot", 3, vals, 4), 0);
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    struct holder h = {t, p[1]};
    pid_t pid = mt_fork(hold_lock_child, &h);
    char c;
    cr_assert_eq(read(p[0], &c, 1), 1);
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int status = mt_reap(pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(p[0]);
    close(p[1]);
    /* The lock is recovered: the row and the table work. */
    derived(2, vals, buf);
    cr_assert_eq(swirl_table_set(t, "hot", 3, vals, 4), 0);
    int64_t i;
    cr_assert_eq(swirl_table_get_int(t, "hot", 3, "hits", &i), 0);
    cr_assert_eq(i, 2);
    cr_assert_eq(swirl_table_incr(t, "other", 5, "hits", 1, NULL), 0);
    swirl_table_free(t);
    mt_no_children();
    TU_FD_END();
}

struct hammer {
    swirl_table_t *t;
    volatile int *progress; /* bumped by the child at every loop */
};

static int hammer_child(void *arg) {
    struct hammer *h = arg;
    char buf[40];
    swirl_table_value_t vals[4];
    for (int64_t v = 1;; v++) {
        derived(v, vals, buf);
        swirl_table_set(h->t, "hot", 3, vals, 4);
        swirl_table_incr(h->t, "count", 5, "hits", 1, NULL);
        __atomic_add_fetch(h->progress, 1, __ATOMIC_RELAXED);
    }
    return 0;
}

/* SIGKILL children at random points while they and we hammer one key. */
Test(table, killed_while_hammering_one_key, .timeout = 90) {
    TU_FD_BEGIN();
    swirl_table_t *t = make_table(16);
    swirl_table_row_t *row;
    cr_assert_eq(swirl_table_row_new(t, &row), 0);
    volatile int *progress = mt_shared_ints(1);
    struct hammer h = {t, progress};
    char buf[40];
    swirl_table_value_t vals[4];
    unsigned seed = 12345;
    for (int round = 0; round < 40; round++) {
        *progress = 0;
        pid_t pid = mt_fork(hammer_child, &h);
        /* Hammer alongside until the child has done a random number of loops. */
        int target = 100 + (int)(rand_r(&seed) % 5000);
        for (int k = 0; *progress < target; k++) {
            derived(1000000 + k, vals, buf);
            cr_assert_eq(swirl_table_set(t, "hot", 3, vals, 4), 0);
            cr_assert_eq(swirl_table_incr(t, "count", 5, "hits", 1, NULL), 0);
        }
        kill(pid, SIGKILL);
        mt_reap(pid);
        /* Usable right after: a set and a get go through. */
        derived(7, vals, buf);
        cr_assert_eq(swirl_table_set(t, "hot", 3, vals, 4), 0);
        cr_assert_eq(swirl_table_get(t, "hot", 3, row), 0);
        cr_assert(row_consistent(row));
    }
    munmap((void *)progress, sizeof(int));
    cr_assert_leq(swirl_table_count(t), 2);
    swirl_table_row_free(row);
    swirl_table_free(t);
    mt_no_children();
    TU_FD_END();
}

/* stats count inserts, updates and deletes; destroy ends the table for the
 * processes that share it. */
static int destroyed_child(void *arg) {
    swirl_table_t *t = arg;
    usleep(1000);
    while (swirl_table_ready(t))
        usleep(1000);
    swirl_table_value_t v = swirl_table_int("n", 1);
    if (swirl_table_set(t, "a", 1, &v, 1) != SWIRL_ESTATE)
        return 1;
    swirl_table_stats_t st;
    return swirl_table_stats(t, &st) == SWIRL_ESTATE ? 0 : 2;
}

Test(table, stats_and_destroy_seen_by_every_process, .timeout = 30) {
    swirl_table_t *t;
    cr_assert_eq(swirl_table_new(&t, 8), 0);
    cr_assert_eq(swirl_table_column(t, "n", SWIRL_TABLE_INT, 8), 0);
    swirl_table_stats_t st;
    cr_assert_eq(swirl_table_stats(t, &st), SWIRL_ESTATE, "not created");
    cr_assert_not(swirl_table_ready(t));
    cr_assert_eq(swirl_table_destroy(t), SWIRL_ESTATE);
    cr_assert_eq(swirl_table_create(t), 0);
    cr_assert(swirl_table_ready(t));
    swirl_table_value_t v = swirl_table_int("n", 1);
    char k[4];
    for (int i = 0; i < 8; i++) {
        snprintf(k, sizeof k, "k%d", i);
        cr_assert_eq(swirl_table_set(t, k, strlen(k), &v, 1), 0);
    }
    cr_assert_eq(swirl_table_set(t, "k1", 2, &v, 1), 0);
    cr_assert_eq(swirl_table_set(t, "k2", 2, &v, 1), 0);
    cr_assert_eq(swirl_table_del(t, "k3", 2), 0);
    cr_assert_eq(swirl_table_stats(t, &st), 0);
    cr_assert_eq(st.num, 7);
    cr_assert_eq(st.inserts, 8);
    cr_assert_eq(st.updates, 2);
    cr_assert_eq(st.deletes, 1);
    cr_assert_eq(st.total_rows, 8);
    cr_assert_eq(st.free_rows, 1);
    cr_assert(st.conflicts == 0 || st.conflict_max_level >= 2);
    pid_t pid = mt_fork(destroyed_child, t);
    cr_assert_eq(swirl_table_destroy(t), 0);
    mt_reap_ok(pid);
    cr_assert_not(swirl_table_ready(t));
    cr_assert_eq(swirl_table_set(t, "a", 1, &v, 1), SWIRL_ESTATE);
    MT_MSG_HAS("destroyed");
    cr_assert_eq(swirl_table_destroy(t), SWIRL_ESTATE);
    cr_assert_eq(swirl_table_create(t), SWIRL_ESTATE, "no create after destroy");
    cr_assert_eq(swirl_table_count(t), 0);
    swirl_table_free(t);
    mt_no_children();
}
