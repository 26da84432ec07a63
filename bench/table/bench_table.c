/* bench/table/bench_table.c — swirl_table_t set / get / incr per second from
 * 1 and 2 processes, beside the same operations on a plain in-process hash
 * table under one pthread mutex (1 thread, and 2 threads for the 2-way
 * column): the price of sharing across processes with row locks.
 *
 *   bench_table [seconds per measurement, default 1]
 *
 * Keys: 1024 ("key-0" ..), picked at random by each worker; a table of 4096
 * rows with an int, a float and a 16-byte string column. "incr 1 key" has
 * every worker on one key (the worst case for the row locks). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEYS 1024
#define ROWS 4096

enum op { OP_SET, OP_GET, OP_INCR, OP_INCR1, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"set", "get", "incr", "incr 1 key"};

static char keys[KEYS][16];
static size_t key_lens[KEYS];

static uint32_t next_rand(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* ---- the reference: a chained hash table in process memory, one mutex ----------------------- */

struct ref_row {
    int32_t next; /* index, -1 = end */
    uint8_t klen;
    char key[63];
    int64_t hits;
    double score;
    uint32_t slen;
    char name[17];
};

struct ref_table {
    pthread_mutex_t mutex;
    int32_t heads[ROWS];
    struct ref_row rows[ROWS];
    int32_t used;
};

static uint32_t ref_hash(const char *k, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    return (uint32_t)h & (ROWS - 1);
}

/* Find or insert `key`; mutex held. */
static struct ref_row *ref_row(struct ref_table *t, const char *key, size_t n, int insert) {
    uint32_t b = ref_hash(key, n);
    for (int32_t i = t->heads[b]; i >= 0; i = t->rows[i].next)
        if (t->rows[i].klen == n && memcmp(t->rows[i].key, key, n) == 0)
            return &t->rows[i];
    if (!insert || t->used == ROWS)
        return NULL;
    struct ref_row *r = &t->rows[t->used];
    memset(r, 0, sizeof(*r));
    r->klen = (uint8_t)n;
    memcpy(r->key, key, n);
    r->next = t->heads[b];
    t->heads[b] = t->used++;
    return r;
}

/* ---- one worker: run `op` for `seconds`, return the count ------------------------------------ */

struct worker {
    swirl_table_t *table; /* or */
    struct ref_table *ref;
    enum op op;
    double seconds;
    uint32_t seed;
    long done;
};

static long run_table(swirl_table_t *t, enum op op, double seconds, uint32_t seed) {
    swirl_table_row_t *row;
    if (swirl_table_row_new(t, &row) < 0)
        return -1;
    uint64_t end = swirl_clock_ns() + (uint64_t)(seconds * 1e9);
    long n = 0;
    for (;;) {
        for (int k = 0; k < 1024; k++, n++) {
            uint32_t i = op == OP_INCR1 ? 0 : next_rand(&seed) % KEYS;
            int rc;
            if (op == OP_SET) {
                swirl_table_value_t v[3] = {swirl_table_int("hits", n),
                                            swirl_table_float("score", (double)n),
                                            swirl_table_string("name", keys[i], key_lens[i])};
                rc = swirl_table_set(t, keys[i], key_lens[i], v, 3);
            } else if (op == OP_GET) {
                rc = swirl_table_get(t, keys[i], key_lens[i], row);
            } else {
                rc = swirl_table_incr(t, keys[i], key_lens[i], "hits", 1, NULL);
            }
            if (rc < 0) {
                fprintf(stderr, "bench_table: %s\n", swirl_last_error_msg());
                exit(1);
            }
        }
        if (swirl_clock_ns() >= end)
            break;
    }
    swirl_table_row_free(row);
    return n;
}

static long run_ref(struct ref_table *t, enum op op, double seconds, uint32_t seed) {
    uint64_t end = swirl_clock_ns() + (uint64_t)(seconds * 1e9);
    long n = 0;
    struct ref_row copy;
    for (;;) {
        for (int k = 0; k < 1024; k++, n++) {
            uint32_t i = op == OP_INCR1 ? 0 : next_rand(&seed) % KEYS;
            pthread_mutex_lock(&t->mutex);
            struct ref_row *r = ref_row(t, keys[i], key_lens[i], op != OP_GET);
            if (op == OP_SET) {
                r->hits = n;
                r->score = (double)n;
                r->slen = (uint32_t)key_lens[i];
                memcpy(r->name, keys[i], key_lens[i] + 1);
            } else if (op == OP_GET) {
                if (r)
                    memcpy(&copy, r, sizeof(copy));
            } else {
                r->hits++;
            }
            pthread_mutex_unlock(&t->mutex);
        }
        if (swirl_clock_ns() >= end)
            break;
    }
    __asm__ volatile("" : : "r"(&copy) : "memory");
    return n;
}

static void *ref_thread(void *arg) {
    struct worker *w = arg;
    w->done = run_ref(w->ref, w->op, w->seconds, w->seed);
    return NULL;
}

/* ops per second of `op` on the shared table from `procs` processes */
static double table_rate(swirl_table_t *t, enum op op, int procs, double seconds) {
    if (procs == 1)
        return (double)run_table(t, op, seconds, 2463534242u) / seconds;
    long *counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counts == MAP_FAILED)
        exit(1);
    pid_t pids[2];
    for (int p = 0; p < procs; p++) {
        pids[p] = fork();
        if (pids[p] < 0)
            exit(1);
        if (pids[p] == 0) {
            counts[p] = run_table(t, op, seconds, 2463534242u + 7919u * (uint32_t)p);
            _exit(0);
        }
    }
    double total = 0;
    for (int p = 0; p < procs; p++) {
        int status;
        waitpid(pids[p], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            exit(1);
        total += (double)counts[p];
    }
    munmap(counts, 4096);
    return total / seconds;
}

static double ref_rate(struct ref_table *t, enum op op, int threads, double seconds) {
    struct worker w[2];
    pthread_t tid[2];
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){NULL, t, op, seconds, 2463534242u + 7919u * (uint32_t)i, 0};
        pthread_create(&tid[i], NULL, ref_thread, &w[i]);
    }
    double total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        total += (double)w[i].done;
    }
    return total / seconds;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    if (seconds <= 0)
        seconds = 1.0;
    for (int i = 0; i < KEYS; i++)
        key_lens[i] = (size_t)snprintf(keys[i], sizeof(keys[i]), "key-%d", i);

    swirl_table_t *t;
    if (swirl_table_new(&t, ROWS) < 0 || swirl_table_column(t, "hits", SWIRL_TABLE_INT, 8) < 0 ||
        swirl_table_column(t, "score", SWIRL_TABLE_FLOAT, 0) < 0 ||
        swirl_table_column(t, "name", SWIRL_TABLE_STRING, 16) < 0 || swirl_table_create(t) < 0) {
        fprintf(stderr, "bench_table: %s\n", swirl_last_error_msg());
        return 1;
    }
    struct ref_table *ref = calloc(1, sizeof(*ref));
    if (!ref)
        return 1;
    pthread_mutex_init(&ref->mutex, NULL);
    memset(ref->heads, 0xff, sizeof(ref->heads));
    /* Every key present before get / incr. */
    run_table(t, OP_SET, 0.05, 1);
    run_ref(ref, OP_SET, 0.05, 1);
    for (int i = 0; i < KEYS; i++) {
        swirl_table_value_t v = swirl_table_int("hits", 0);
        swirl_table_set(t, keys[i], key_lens[i], &v, 1);
        pthread_mutex_lock(&ref->mutex);
        ref_row(ref, keys[i], key_lens[i], 1);
        pthread_mutex_unlock(&ref->mutex);
    }

    printf("table: %d rows (%zu bytes of shared memory), %d keys, %.1f s per figure, %ld CPUs\n",
           ROWS, swirl_table_memory_size(t), KEYS, seconds, sysconf(_SC_NPROCESSORS_ONLN));
    printf("reference: a chained hash table in process memory under one pthread mutex\n\n");
    printf("%-11s %12s %12s %6s   %12s %12s %6s\n", "Mops/s", "table 1 proc", "ref 1 thread",
           "ratio", "table 2 proc", "ref 2 thread", "ratio");
    for (int op = 0; op < OP_COUNT; op++) {
        double t1 = table_rate(t, (enum op)op, 1, seconds) / 1e6;
        double r1 = ref_rate(ref, (enum op)op, 1, seconds) / 1e6;
        double t2 = table_rate(t, (enum op)op, 2, seconds) / 1e6;
        double r2 = ref_rate(ref, (enum op)op, 2, seconds) / 1e6;
        printf("%-11s %12.2f %12.2f %6.2f   %12.2f %12.2f %6.2f\n", op_names[op], t1, r1, t1 / r1,
               t2, r2, t2 / r2);
        fflush(stdout);
    }
    swirl_table_free(t);
    free(ref);
    return 0;
}
