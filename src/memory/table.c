/* src/memory/table.c — the shared hash table (Swoole\Table): typed columns,
 * a fixed pool of rows chained into buckets, striped robust row locks.
 *
 * One shared mapping:   [head][stripe mutexes][bucket heads][rows ...]
 * Rows are linked by index (+1, so 0 is "none"), never by pointer. A row's
 * `owner` word is its bucket + 1 while it is in use and 0 while free: the
 * iterator reads it without a lock to know which stripe to take, then checks
 * it again under that stripe. Everything else in a row, and the chain it is
 * on, changes only under the stripe of its bucket. The free list and the
 * never-used tail of the pool change only under the pool mutex (taken inside
 * a stripe, never the other way round). */
#include <stdio.h>
#include <string.h>
#include <swirl/core.h>
#include <swirl/memory.h>

#include "core/internal.h"
#include "internal.h"

#define TABLE_MAGIC 0x7377726c5461626cULL /* "swrlTabl" */
/* Row-lock stripes at most (a power of two); overridable to measure. */
#ifndef SWIRL_TABLE_STRIPES_MAX
#define SWIRL_TABLE_STRIPES_MAX 1024u
#endif

/* Fixed part of every row: 72 bytes, then the column data (8-aligned). */
struct row_hdr {
    uint32_t owner; /* bucket + 1 while in use, 0 while free (atomic) */
    uint32_t next;  /* next row + 1 on its chain or the free list, 0: end */
    uint8_t klen;
    char key[SWIRL_TABLE_KEY_MAX];
};
_Static_assert(sizeof(struct row_hdr) == 72, "row header is 72 bytes");

struct shm_head {
    uint64_t magic;
    uint32_t count;       /* rows in use (atomic) */
    uint32_t free_head;   /* first free row + 1 (pool mutex) */
    uint32_t next_unused; /* rows [next_unused, rows) were never used (pool mutex; atomic) */
    uint32_t destroyed;   /* set once by swirl_table_destroy (atomic) */
    pthread_mutex_t pool;
};
_Static_assert(sizeof(struct shm_head) <= 64, "table head fits 64 bytes");

/* The counters of swirl_table_stats, the 64 bytes after the head (atomic). */
struct shm_stats {
    uint64_t inserts, updates, deletes;
    uint64_t conflicts;    /* inserts into a bucket that already held a row */
    uint32_t conflict_max; /* the longest chain an insert has made */
};
_Static_assert(sizeof(struct shm_stats) <= 64, "table stats fit 64 bytes");

struct column {
    char name[SWIRL_TABLE_NAME_MAX + 1];
    int type;
    uint32_t size;   /* int: 1..8, float: 8, string: n */
    uint32_t offset; /* in the row's data */
};

struct swirl_table {
    uint32_t rows, nbuckets, nstripes;
    uint32_t data_size, row_size;
    int ncols, capcols;
    struct column *cols;
    size_t off_locks, off_heads, off_rows, map_size;
    char *base;     /* the mapping; NULL before create and after destroy */
    bool destroyed; /* swirl_table_destroy was called in this process */
};

struct swirl_table_row {
    const swirl_table_t *t;
    uint8_t klen;
    char key[SWIRL_TABLE_KEY_MAX + 1];
    unsigned char data[];
};

/* ---- layout -------------------------------------------------------------------------------- */

static size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

/* Recompute the offsets and the size from the columns declared so far. */
static void layout(swirl_table_t *t) {
    size_t off = 0;
    for (int i = 0; i < t->ncols; i++) {
        struct column *c = &t->cols[i];
        size_t bytes = c->type == SWIRL_TABLE_STRING ? 4 + (size_t)c->size + 1 : c->size;
        size_t align = c->type == SWIRL_TABLE_STRING ? 4 : c->size;
        off = align_up(off, align);
        c->offset = (uint32_t)off;
        off += bytes;
    }
    t->data_size = (uint32_t)align_up(off, 8);
    t->row_size = (uint32_t)sizeof(struct row_hdr) + t->data_size;
    t->off_locks = 128; /* the head, then the stats */
    t->off_heads = t->off_locks + (size_t)t->nstripes * sizeof(pthread_mutex_t);
    t->off_rows = align_up(t->off_heads + (size_t)t->nbuckets * 4, 64);
    t->map_size = t->off_rows + (size_t)t->rows * t->row_size;
}

static struct shm_head *head_of(const swirl_table_t *t) { return (struct shm_head *)t->base; }
static struct shm_stats *stats_of(const swirl_table_t *t) {
    return (struct shm_stats *)(t->base + 64);
}
static pthread_mutex_t *stripe_of(const swirl_table_t *t, uint32_t bucket) {
    return (pthread_mutex_t *)(t->base + t->off_locks) + (bucket & (t->nstripes - 1));
}
static uint32_t *heads_of(const swirl_table_t *t) { return (uint32_t *)(t->base + t->off_heads); }
static struct row_hdr *row_at(const swirl_table_t *t, uint32_t idx) {
    return (struct row_hdr *)(t->base + t->off_rows + (size_t)idx * t->row_size);
}
static unsigned char *row_data(struct row_hdr *r) { return (unsigned char *)(r + 1); }

static const char *type_name(int type) {
    switch (type) {
    case SWIRL_TABLE_INT:
        return "an int";
    case SWIRL_TABLE_FLOAT:
        return "a float";
    case SWIRL_TABLE_STRING:
        return "a string";
    default:
        return "of an unknown type";
    }
}

/* ---- construction -------------------------------------------------------------------------- */

int swirl_table_new(swirl_table_t **out, size_t rows) {
    if (!out)
        return swirl__error(SWIRL_EBADARG, "table: out is NULL");
    if (rows < 1 || rows > SWIRL_TABLE_ROWS_MAX)
        return swirl__error(SWIRL_EBADARG, "table: rows must be 1..%u, got %zu",
                            SWIRL_TABLE_ROWS_MAX, rows);
    swirl_table_t *t = swirl_calloc(1, sizeof(*t));
    if (!t)
        return swirl__error(-ENOMEM, "table: out of memory");
    t->rows = (uint32_t)rows;
    t->nbuckets = 1;
    while (t->nbuckets < t->rows)
        t->nbuckets <<= 1;
    t->nstripes = t->nbuckets < SWIRL_TABLE_STRIPES_MAX ? t->nbuckets : SWIRL_TABLE_STRIPES_MAX;
    layout(t);
    *out = t;
    return 0;
}

static int find_column(const swirl_table_t *t, const char *name) {
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return i;
    return -1;
}

int swirl_table_column(swirl_table_t *t, const char *name, int type, size_t size) {
    if (!t || !name)
        return swirl__error(SWIRL_EBADARG, "table: column: table or name is NULL");
    if (t->base)
        return swirl__error(SWIRL_ESTATE,
                            "table: column \"%.*s\" added after create: declare every column first",
                            SWIRL_TABLE_NAME_MAX, name);
    size_t nlen = strlen(name);
    if (nlen == 0)
        return swirl__error(SWIRL_EBADARG, "table: empty column name");
    if (nlen > SWIRL_TABLE_NAME_MAX)
        return swirl__error(SWIRL_EBADARG, "table: column name of %zu bytes is longer than %d",
                            nlen, SWIRL_TABLE_NAME_MAX);
    if (find_column(t, name) >= 0)
        return swirl__error(SWIRL_EBADARG, "table: column \"%s\" declared twice", name);
    switch (type) {
    case SWIRL_TABLE_INT:
        if (size == 0)
            size = 8;
        if (size != 1 && size != 2 && size != 4 && size != 8)
            return swirl__error(SWIRL_EBADARG,
                                "table: int column \"%s\": size must be 1, 2, 4 or 8, got %zu",
                                name, size);
        break;
    case SWIRL_TABLE_FLOAT:
        size = 8;
        break;
    case SWIRL_TABLE_STRING:
        if (size < 1 || size > (1u << 20))
            return swirl__error(SWIRL_EBADARG,
                                "table: string column \"%s\": size must be 1..%u bytes, got %zu",
                                name, 1u << 20, size);
        break;
    default:
        return swirl__error(SWIRL_EBADARG,
                            "table: column \"%s\": unknown type %d (expected SWIRL_TABLE_INT 1, "
                            "SWIRL_TABLE_FLOAT 2 or SWIRL_TABLE_STRING 3)",
                            name, type);
    }
    if ((size_t)t->data_size + size + 16 > (1u << 30))
        return swirl__error(SWIRL_ETOOBIG, "table: column \"%s\" makes a row larger than 1 GiB",
                            name);
    if (t->ncols == t->capcols) {
        int cap = t->capcols ? t->capcols * 2 : 8;
        struct column *cols = swirl_realloc(t->cols, (size_t)cap * sizeof(*cols));
        if (!cols)
            return swirl__error(-ENOMEM, "table: column \"%s\": out of memory", name);
        t->cols = cols;
        t->capcols = cap;
    }
    struct column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof(*c));
    memcpy(c->name, name, nlen + 1);
    c->type = type;
    c->size = (uint32_t)size;
    t->ncols++;
    layout(t);
    return 0;
}

int swirl_table_create(swirl_table_t *t) {
    if (!t)
        return swirl__error(SWIRL_EBADARG, "table: create: table is NULL");
    if (t->base || t->destroyed)
        return swirl__error(SWIRL_ESTATE,
                            t->destroyed ? "table: create after destroy" : "table: created twice");
    if (t->ncols == 0)
        return swirl__error(SWIRL_ESTATE, "table: create: no column declared");
    layout(t);
    void *base;
    int rc = swirl__shm_map(t->map_size, "table", &base);
    if (rc < 0)
        return rc;
    t->base = base;
    struct shm_head *h = head_of(t);
    h->magic = TABLE_MAGIC;
    rc = swirl__mutex_init(&h->pool);
    for (uint32_t i = 0; rc == 0 && i < t->nstripes; i++)
        rc = swirl__mutex_init(stripe_of(t, i));
    if (rc < 0) {
        swirl__shm_unmap(t->base, t->map_size);
        t->base = NULL;
        return swirl__error(rc, "table: initialising its mutexes:");
    }
    /* Bucket heads and rows are zero already: every chain empty, nothing used. */
    return 0;
}

void swirl_table_free(swirl_table_t *t) {
    if (!t)
        return;
    swirl__shm_unmap(t->base, t->map_size);
    swirl_free(t->cols);
    swirl_free(t);
}

static int check_table(const swirl_table_t *t);

size_t swirl_table_memory_size(const swirl_table_t *t) {
    return t ? swirl__shm_page_round(t->map_size) : 0;
}

bool swirl_table_ready(const swirl_table_t *t) {
    return t && t->base && !__atomic_load_n(&head_of(t)->destroyed, __ATOMIC_ACQUIRE);
}

int swirl_table_destroy(swirl_table_t *t) {
    int rc = check_table(t);
    if (rc < 0)
        return rc;
    __atomic_store_n(&head_of(t)->destroyed, 1, __ATOMIC_RELEASE);
    swirl__shm_unmap(t->base, t->map_size);
    t->base = NULL;
    t->destroyed = true;
    return 0;
}

int swirl_table_stats(const swirl_table_t *t, swirl_table_stats_t *out) {
    int rc = check_table(t);
    if (rc < 0)
        return rc;
    if (!out)
        return swirl__error(SWIRL_EBADARG, "table: stats: out is NULL");
    const struct shm_stats *st = stats_of(t);
    out->num = __atomic_load_n(&head_of(t)->count, __ATOMIC_RELAXED);
    out->inserts = __atomic_load_n(&st->inserts, __ATOMIC_RELAXED);
    out->updates = __atomic_load_n(&st->updates, __ATOMIC_RELAXED);
    out->deletes = __atomic_load_n(&st->deletes, __ATOMIC_RELAXED);
    out->conflicts = __atomic_load_n(&st->conflicts, __ATOMIC_RELAXED);
    out->conflict_max_level = __atomic_load_n(&st->conflict_max, __ATOMIC_RELAXED);
    out->total_rows = t->rows;
    out->free_rows = t->rows - (out->num < t->rows ? out->num : t->rows);
    return 0;
}

size_t swirl_table_size(const swirl_table_t *t) { return t ? t->rows : 0; }

int swirl_table_column_count(const swirl_table_t *t) { return t ? t->ncols : 0; }

int swirl_table_column_info(const swirl_table_t *t, int i, const char **name, int *type,
                            size_t *size) {
    if (!t || i < 0 || i >= t->ncols)
        return swirl__error(SWIRL_EBADARG, "table: no column #%d (the table has %d)", i,
                            t ? t->ncols : 0);
    if (name)
        *name = t->cols[i].name;
    if (type)
        *type = t->cols[i].type;
    if (size)
        *size = t->cols[i].size;
    return 0;
}

int swirl_table_column_index(const swirl_table_t *t, const char *name) {
    if (!t || !name)
        return swirl__error(SWIRL_EBADARG, "table: column name is NULL");
    int i = find_column(t, name);
    if (i < 0)
        return swirl__error(SWIRL_EBADARG, "table: no column \"%.*s\"", SWIRL_TABLE_NAME_MAX, name);
    return i;
}

/* ---- keys, hashing, locking ---------------------------------------------------------------- */

static int check_table(const swirl_table_t *t) {
    if (!t)
        return swirl__error(SWIRL_EBADARG, "table: table is NULL");
    if (!t->base)
        return swirl__error(SWIRL_ESTATE, t->destroyed
                                              ? "table: destroyed"
                                              : "table: not created yet (call swirl_table_create)");
    if (__atomic_load_n(&head_of(t)->destroyed, __ATOMIC_ACQUIRE))
        return swirl__error(SWIRL_ESTATE, "table: destroyed (by another process)");
    return 0;
}

static int check_key(const void *key, size_t klen) {
    if (klen > SWIRL_TABLE_KEY_MAX)
        return swirl__error(SWIRL_ETOOBIG, "table: key of %zu bytes is longer than %d", klen,
                            SWIRL_TABLE_KEY_MAX);
    if (!key && klen)
        return swirl__error(SWIRL_EBADARG, "table: key is NULL");
    return 0;
}

/* The key for a message: printable bytes as they are, others as \xNN. */
static const char *key_text(const void *key, size_t klen, char buf[4 * SWIRL_TABLE_KEY_MAX + 1]) {
    const unsigned char *k = key;
    size_t o = 0;
    for (size_t i = 0; i < klen; i++) {
        if (k[i] >= 0x20 && k[i] < 0x7f && k[i] != '"' && k[i] != '\\')
            buf[o++] = (char)k[i];
        else
            o += (size_t)snprintf(buf + o, 5, "\\x%02x", k[i]);
    }
    buf[o] = '\0';
    return buf;
}

/* FNV-1a, then a 64-bit finaliser so the low bits (the bucket) mix well. */
static uint32_t bucket_of(const swirl_table_t *t, const void *key, size_t klen) {
    const unsigned char *k = key;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < klen; i++)
        h = (h ^ k[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (uint32_t)h & (t->nbuckets - 1);
}

uint32_t swirl__table_bucket(const swirl_table_t *t, const void *key, size_t klen) {
    return bucket_of(t, key, klen);
}

static int lock_mutex(pthread_mutex_t *m, const char *what) {
    int rc = swirl__mutex_lock(m, NULL);
    if (rc == 1) {
        swirl_log_warning("table: a process died holding the %s lock; recovered (a row it was "
                          "writing may hold a partial update)",
                          what);
        return 0;
    }
    if (rc < 0)
        return swirl__error(rc, "table: locking the %s lock:", what);
    return 0;
}

static int lock_bucket(const swirl_table_t *t, uint32_t bucket) {
    return lock_mutex(stripe_of(t, bucket), "row");
}
static void unlock_bucket(const swirl_table_t *t, uint32_t bucket) {
    swirl__mutex_unlock(stripe_of(t, bucket));
}

int swirl__table_lock_key(swirl_table_t *t, const void *key, size_t klen) {
    int rc = check_table(t);
    if (rc == 0)
        rc = check_key(key, klen);
    return rc < 0 ? rc : lock_bucket(t, bucket_of(t, key, klen));
}

/* The row of `key` in `bucket` (whose stripe is held), or NULL. With
 * `link`, also where the pointer to it is (the bucket head or the previous
 * row's `next`). */
static struct row_hdr *find_row(const swirl_table_t *t, uint32_t bucket, const void *key,
                                size_t klen, uint32_t **link, uint32_t *index) {
    uint32_t *l = &heads_of(t)[bucket];
    for (uint32_t i = *l; i; i = *l) {
        struct row_hdr *r = row_at(t, i - 1);
        if (r->klen == klen && memcmp(r->key, key, klen) == 0) {
            if (link)
                *link = l;
            if (index)
                *index = i - 1;
            return r;
        }
        l = &r->next;
    }
    return NULL;
}

/* Insert `key` zeroed into `bucket` (stripe held). SWIRL_EFULL when no row
 * is free. The row is written whole before the one store that links it, so
 * a process killed in between leaves the chain intact (and a row leaked). */
static int insert_row(const swirl_table_t *t, uint32_t bucket, const void *key, size_t klen,
                      struct row_hdr **out) {
    struct shm_head *h = head_of(t);
    int rc = lock_mutex(&h->pool, "row pool");
    if (rc < 0)
        return rc;
    uint32_t idx;
    if (h->free_head) {
        idx = h->free_head - 1;
        h->free_head = row_at(t, idx)->next;
    } else if (h->next_unused < t->rows) {
        idx = h->next_unused;
        __atomic_store_n(&h->next_unused, idx + 1, __ATOMIC_RELEASE);
    } else {
        swirl__mutex_unlock(&h->pool);
        char kb[4 * SWIRL_TABLE_KEY_MAX + 1];
        return swirl__error(SWIRL_EFULL, "table: full (%u rows), cannot insert key \"%s\"", t->rows,
                            key_text(key, klen, kb));
    }
    swirl__mutex_unlock(&h->pool);

    struct row_hdr *r = row_at(t, idx);
    memset(row_data(r), 0, t->data_size);
    r->klen = (uint8_t)klen;
    memcpy(r->key, key, klen);
    uint32_t *heads = heads_of(t);
    r->next = heads[bucket];
    struct shm_stats *st = stats_of(t);
    __atomic_add_fetch(&st->inserts, 1, __ATOMIC_RELAXED);
    if (r->next) {
        uint32_t level = 1; /* rows already on the chain (under the bucket's lock) */
        for (uint32_t i = r->next; i; i = row_at(t, i - 1)->next)
            level++;
        __atomic_add_fetch(&st->conflicts, 1, __ATOMIC_RELAXED);
        uint32_t max = __atomic_load_n(&st->conflict_max, __ATOMIC_RELAXED);
        while (level > max && !__atomic_compare_exchange_n(&st->conflict_max, &max, level, true,
                                                           __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        }
    }
    __atomic_store_n(&r->owner, bucket + 1, __ATOMIC_RELEASE);
    __atomic_store_n(&heads[bucket], idx + 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&h->count, 1, __ATOMIC_RELAXED);
    *out = r;
    return 0;
}

/* ---- column values ------------------------------------------------------------------------- */

static int64_t read_int(const unsigned char *p, uint32_t size) {
    switch (size) {
    case 1: {
        int8_t v;
        memcpy(&v, p, 1);
        return v;
    }
    case 2: {
        int16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

/* Store the low `size` bytes of v (two's complement: the value wraps). */
static void write_int(unsigned char *p, uint32_t size, int64_t v) {
    uint64_t u = (uint64_t)v;
    switch (size) {
    case 1: {
        uint8_t x = (uint8_t)u;
        memcpy(p, &x, 1);
        break;
    }
    case 2: {
        uint16_t x = (uint16_t)u;
        memcpy(p, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)u;
        memcpy(p, &x, 4);
        break;
    }
    default:
        memcpy(p, &u, 8);
    }
}

static void write_string(unsigned char *p, const void *s, size_t len) {
    uint32_t l = (uint32_t)len;
    memcpy(p, &l, 4);
    if (len)
        memcpy(p + 4, s, len);
    p[4 + len] = '\0';
}

static uint32_t string_len(const unsigned char *p) {
    uint32_t l;
    memcpy(&l, p, 4);
    return l;
}

/* The column a value names, checked against its type and size. */
static int resolve_value(const swirl_table_t *t, const swirl_table_value_t *v) {
    int i;
    if (v->column) {
        i = find_column(t, v->column);
        if (i < 0)
            return swirl__error(SWIRL_EBADARG, "table: no column \"%.*s\"", SWIRL_TABLE_NAME_MAX,
                                v->column);
    } else {
        i = v->index;
        if (i < 0 || i >= t->ncols)
            return swirl__error(SWIRL_EBADARG, "table: no column #%d (the table has %d)", i,
                                t->ncols);
    }
    const struct column *c = &t->cols[i];
    if (v->type != c->type)
        return swirl__error(SWIRL_EBADARG, "table: column \"%s\" is %s, not %s", c->name,
                            type_name(c->type), type_name(v->type));
    if (c->type == SWIRL_TABLE_STRING) {
        if (v->v.s.len > c->size)
            return swirl__error(
                SWIRL_ETOOBIG, "table: string of %zu bytes is longer than column \"%s\" (%u bytes)",
                v->v.s.len, c->name, c->size);
        if (v->v.s.len && !v->v.s.ptr)
            return swirl__error(SWIRL_EBADARG, "table: column \"%s\": string pointer is NULL",
                                c->name);
    }
    return i;
}

/* The column `name` of type `type`, for the single-column calls. */
static int typed_column(const swirl_table_t *t, const char *name, int type) {
    if (!name)
        return swirl__error(SWIRL_EBADARG, "table: column name is NULL");
    int i = find_column(t, name);
    if (i < 0)
        return swirl__error(SWIRL_EBADARG, "table: no column \"%.*s\"", SWIRL_TABLE_NAME_MAX, name);
    if (t->cols[i].type != type)
        return swirl__error(SWIRL_EBADARG, "table: column \"%s\" is %s, not %s", name,
                            type_name(t->cols[i].type), type_name(type));
    return i;
}

static int not_found(const void *key, size_t klen) {
    char kb[4 * SWIRL_TABLE_KEY_MAX + 1];
    return swirl__error(SWIRL_ENOTFOUND, "table: no key \"%s\"", key_text(key, klen, kb));
}

/* Copy row `r` (its stripe held) into `row`. A string length over its
 * column's size can only come from a writer killed mid-update: clamp it, so
 * the copy is always safe to read. */
static void copy_row(const swirl_table_t *t, swirl_table_row_t *row, struct row_hdr *r) {
    row->klen = r->klen;
    memcpy(row->key, r->key, r->klen);
    row->key[r->klen] = '\0';
    memcpy(row->data, row_data(r), t->data_size);
    for (int i = 0; i < t->ncols; i++) {
        const struct column *c = &t->cols[i];
        unsigned char *p = row->data + c->offset;
        if (c->type == SWIRL_TABLE_STRING && string_len(p) > c->size) {
            uint32_t l = c->size;
            memcpy(p, &l, 4);
            p[4 + l] = '\0';
        }
    }
}

/* ---- operations ---------------------------------------------------------------------------- */

int swirl_table_set(swirl_table_t *t, const void *key, size_t klen,
                    const swirl_table_value_t *values, size_t n) {
    int rc = check_table(t);
    if (rc == 0)
        rc = check_key(key, klen);
    if (rc < 0)
        return rc;
    if (n && !values)
        return swirl__error(SWIRL_EBADARG, "table: set: values is NULL");
    /* Check everything before touching the row, so a bad value changes nothing. */
    int idx_small[16];
    int *idx = idx_small;
    if (n > 16) {
        idx = swirl_malloc(n * sizeof(int));
        if (!idx)
            return swirl__error(-ENOMEM, "table: set: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        int c = resolve_value(t, &values[i]);
        if (c < 0) {
            rc = c;
            goto out;
        }
        idx[i] = c;
    }
    uint32_t b = bucket_of(t, key, klen);
    rc = lock_bucket(t, b);
    if (rc < 0)
        goto out;
    struct row_hdr *r = find_row(t, b, key, klen, NULL, NULL);
    if (!r)
        rc = insert_row(t, b, key, klen, &r);
    else
        __atomic_add_fetch(&stats_of(t)->updates, 1, __ATOMIC_RELAXED);
    if (rc == 0) {
        unsigned char *d = row_data(r);
        for (size_t i = 0; i < n; i++) {
            const struct column *c = &t->cols[idx[i]];
            const swirl_table_value_t *v = &values[i];
            if (c->type == SWIRL_TABLE_INT)
                write_int(d + c->offset, c->size, v->v.i);
            else if (c->type == SWIRL_TABLE_FLOAT)
                memcpy(d + c->offset, &v->v.f, 8);
            else
                write_string(d + c->offset, v->v.s.ptr, v->v.s.len);
        }
    }
    unlock_bucket(t, b);
out:
    if (idx != idx_small)
        swirl_free(idx);
    return rc;
}

int swirl_table_get(swirl_table_t *t, const void *key, size_t klen, swirl_table_row_t *row) {
    int rc = check_table(t);
    if (rc == 0)
        rc = check_key(key, klen);
    if (rc < 0)
        return rc;
    if (!row || row->t != t)
        return swirl__error(SWIRL_EBADARG, "table: get: the row was not made for this table");
    uint32_t b = bucket_of(t, key, klen);
    if ((rc = lock_bucket(t, b)) < 0)
        return rc;
    struct row_hdr *r = find_row(t, b, key, klen, NULL, NULL);
    if (r) {
        copy_row(t, row, r);
    }
    unlock_bucket(t, b);
    return r ? 0 : not_found(key, klen);
}

/* Lock the row of `key`, find its column `name` of `type`: on success the
 * stripe is held and *data points at the column's bytes. */
static int lock_column(swirl_table_t *t, const void *key, size_t klen, const char *name, int type,
                       uint32_t *bucket, const struct column **col, unsigned char **data) {
    int rc = check_table(t);
    if (rc == 0)
        rc = check_key(key, klen);
    if (rc < 0)
        return rc;
    int c = typed_column(t, name, type);
    if (c < 0)
        return c;
    uint32_t b = bucket_of(t, key, klen);
    if ((rc = lock_bucket(t, b)) < 0)
        return rc;
    struct row_hdr *r = find_row(t, b, key, klen, NULL, NULL);
    if (!r) {
        unlock_bucket(t, b);
        return not_found(key, klen);
    }
    *bucket = b;
    *col = &t->cols[c];
    *data = row_data(r) + t->cols[c].offset;
    return 0;
}

int swirl_table_get_int(swirl_table_t *t, const void *key, size_t klen, const char *column,
                        int64_t *out) {
    uint32_t b;
    const struct column *c;
    unsigned char *p;
    int rc = lock_column(t, key, klen, column, SWIRL_TABLE_INT, &b, &c, &p);
    if (rc < 0)
        return rc;
    int64_t v = read_int(p, c->size);
    unlock_bucket(t, b);
    if (out)
        *out = v;
    return 0;
}

int swirl_table_get_float(swirl_table_t *t, const void *key, size_t klen, const char *column,
                          double *out) {
    uint32_t b;
    const struct column *c;
    unsigned char *p;
    int rc = lock_column(t, key, klen, column, SWIRL_TABLE_FLOAT, &b, &c, &p);
    if (rc < 0)
        return rc;
    double v;
    memcpy(&v, p, 8);
    unlock_bucket(t, b);
    if (out)
        *out = v;
    return 0;
}

int swirl_table_get_string(swirl_table_t *t, const void *key, size_t klen, const char *column,
                           char *buf, size_t cap, size_t *len) {
    uint32_t b;
    const struct column *c;
    unsigned char *p;
    int rc = lock_column(t, key, klen, column, SWIRL_TABLE_STRING, &b, &c, &p);
    if (rc < 0)
        return rc;
    uint32_t l = string_len(p);
    if (l > c->size)
        l = c->size; /* only a torn write by a killed process could do this */
    if (buf && cap > l) {
        memcpy(buf, p + 4, l);
        buf[l] = '\0';
    } else {
        rc = swirl__error(SWIRL_ETOOBIG,
                          "table: column \"%s\": a buffer of %zu bytes cannot hold a string of "
                          "%u bytes and its NUL",
                          c->name, cap, l);
    }
    unlock_bucket(t, b);
    if (len)
        *len = l;
    return rc;
}

int swirl_table_exists(swirl_table_t *t, const void *key, size_t klen) {
    int rc = check_table(t);
    if (rc == 0)
        rc = check_key(key, klen);
    if (rc < 0)
        return rc;
    uint32_t b = bucket_of(t, key, klen);
    if ((rc = lock_bucket(t, b)) < 0)
        return rc;
    bool found = find_row(t, b, key, klen, NULL, NULL) != NULL;
    unlock_bucket(t, b);
    return found;
}

int swirl_table_del(swirl_table_t *t, const void *key, size_t klen) {
    int rc = check_table(t);
    if (rc == 0)
        rc = check_key(key, klen);
    if (rc < 0)
        return rc;
    uint32_t b = bucket_of(t, key, klen);
    if ((rc = lock_bucket(t, b)) < 0)
        return rc;
    uint32_t *link, idx;
    struct row_hdr *r = find_row(t, b, key, klen, &link, &idx);
    if (!r) {
        unlock_bucket(t, b);
        return not_found(key, klen);
    }
    struct shm_head *h = head_of(t);
    /* Unlink (one store), mark free, then give it back to the pool. */
    __atomic_store_n(link, r->next, __ATOMIC_RELEASE);
    __atomic_store_n(&r->owner, 0, __ATOMIC_RELEASE);
    __atomic_sub_fetch(&h->count, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&stats_of(t)->deletes, 1, __ATOMIC_RELAXED);
    rc = lock_mutex(&h->pool, "row pool");
    if (rc == 0) {
        r->next = h->free_head;
        __atomic_store_n(&h->free_head, idx + 1, __ATOMIC_RELEASE);
        swirl__mutex_unlock(&h->pool);
    }
    unlock_bucket(t, b);
    return rc;
}

/* incr / decr: `by` applies to an int column (`is_float` false) or a float one. */
static int add_to(swirl_table_t *t, const void *key, size_t klen, const char *column, bool is_float,
                  int64_t by_i, double by_f, int64_t *out_i, double *out_f) {
    int rc = check_table(t);
    if (rc == 0)
        rc = check_key(key, klen);
    if (rc < 0)
        return rc;
    int ci = typed_column(t, column, is_float ? SWIRL_TABLE_FLOAT : SWIRL_TABLE_INT);
    if (ci < 0)
        return ci;
    const struct column *c = &t->cols[ci];
    uint32_t b = bucket_of(t, key, klen);
    if ((rc = lock_bucket(t, b)) < 0)
        return rc;
    struct row_hdr *r = find_row(t, b, key, klen, NULL, NULL);
    if (!r)
        rc = insert_row(t, b, key, klen, &r);
    if (rc == 0) {
        unsigned char *p = row_data(r) + c->offset;
        if (is_float) {
            double v;
            memcpy(&v, p, 8);
            v += by_f;
            memcpy(p, &v, 8);
            if (out_f)
                *out_f = v;
        } else {
            uint64_t v = (uint64_t)read_int(p, c->size) + (uint64_t)by_i;
            write_int(p, c->size, (int64_t)v);
            if (out_i)
                *out_i = read_int(p, c->size);
        }
    }
    unlock_bucket(t, b);
    return rc;
}

int swirl_table_incr(swirl_table_t *t, const void *key, size_t klen, const char *column, int64_t by,
                     int64_t *out) {
    return add_to(t, key, klen, column, false, by, 0, out, NULL);
}

int swirl_table_decr(swirl_table_t *t, const void *key, size_t klen, const char *column, int64_t by,
                     int64_t *out) {
    return add_to(t, key, klen, column, false, (int64_t)(0 - (uint64_t)by), 0, out, NULL);
}

int swirl_table_incr_float(swirl_table_t *t, const void *key, size_t klen, const char *column,
                           double by, double *out) {
    return add_to(t, key, klen, column, true, 0, by, NULL, out);
}

int swirl_table_decr_float(swirl_table_t *t, const void *key, size_t klen, const char *column,
                           double by, double *out) {
    return add_to(t, key, klen, column, true, 0, -by, NULL, out);
}

size_t swirl_table_count(const swirl_table_t *t) {
    if (!t || !t->base)
        return 0;
    return __atomic_load_n(&head_of(t)->count, __ATOMIC_RELAXED);
}

int swirl_table_next(swirl_table_t *t, size_t *cursor, swirl_table_row_t *row) {
    int rc = check_table(t);
    if (rc < 0)
        return rc;
    if (!cursor || !row || row->t != t)
        return swirl__error(SWIRL_EBADARG, "table: next: no cursor, or the row was not made for "
                                           "this table");
    uint32_t used = __atomic_load_n(&head_of(t)->next_unused, __ATOMIC_ACQUIRE);
    for (size_t i = *cursor; i < used; i++) {
        struct row_hdr *r = row_at(t, (uint32_t)i);
        uint32_t owner = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE);
        if (!owner)
            continue;
        if ((rc = lock_bucket(t, owner - 1)) < 0)
            return rc;
        /* Still in use by the bucket whose stripe we hold: it cannot change now. */
        bool same = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE) == owner;
        if (same) {
            copy_row(t, row, r);
        }
        unlock_bucket(t, owner - 1);
        if (same) {
            *cursor = i + 1;
            return 1;
        }
    }
    if (*cursor < used)
        *cursor = used;
    return 0;
}

/* ---- row copies ---------------------------------------------------------------------------- */

int swirl_table_row_new(const swirl_table_t *t, swirl_table_row_t **out) {
    if (!t || !out)
        return swirl__error(SWIRL_EBADARG, "table: row_new: table or out is NULL");
    if (!t->base)
        return swirl__error(SWIRL_ESTATE, "table: not created yet (call swirl_table_create)");
    swirl_table_row_t *row = swirl_calloc(1, sizeof(*row) + t->data_size);
    if (!row)
        return swirl__error(-ENOMEM, "table: row_new: out of memory");
    row->t = t;
    *out = row;
    return 0;
}

void swirl_table_row_free(swirl_table_row_t *row) { swirl_free(row); }

const char *swirl_table_row_key(const swirl_table_row_t *row, size_t *len) {
    if (len)
        *len = row->klen;
    return row->key;
}

static int row_column(const swirl_table_row_t *row, int col, int type) {
    if (!row)
        return swirl__error(SWIRL_EBADARG, "table: row is NULL");
    const swirl_table_t *t = row->t;
    if (col < 0 || col >= t->ncols)
        return swirl__error(SWIRL_EBADARG, "table: no column #%d (the table has %d)", col,
                            t->ncols);
    if (t->cols[col].type != type)
        return swirl__error(SWIRL_EBADARG, "table: column \"%s\" is %s, not %s", t->cols[col].name,
                            type_name(t->cols[col].type), type_name(type));
    return 0;
}

int swirl_table_row_int(const swirl_table_row_t *row, int col, int64_t *out) {
    int rc = row_column(row, col, SWIRL_TABLE_INT);
    if (rc == 0 && out) {
        const struct column *c = &row->t->cols[col];
        *out = read_int(row->data + c->offset, c->size);
    }
    return rc;
}

int swirl_table_row_float(const swirl_table_row_t *row, int col, double *out) {
    int rc = row_column(row, col, SWIRL_TABLE_FLOAT);
    if (rc == 0 && out)
        memcpy(out, row->data + row->t->cols[col].offset, 8);
    return rc;
}

int swirl_table_row_string(const swirl_table_row_t *row, int col, const char **ptr, size_t *len) {
    int rc = row_column(row, col, SWIRL_TABLE_STRING);
    if (rc < 0)
        return rc;
    const unsigned char *p = row->data + row->t->cols[col].offset;
    uint32_t l = string_len(p); /* clamped by copy_row */
    if (ptr)
        *ptr = (const char *)p + 4;
    if (len)
        *len = l;
    return 0;
}
