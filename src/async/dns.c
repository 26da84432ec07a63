/* src/async/dns.c — non-blocking name lookups: numeric addresses and cache
 * hits are answered on the loop, other names go to getaddrinfo on the pool;
 * a per-process cache keeps successful answers for a minute. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/internal.h"
#include "internal.h"

#define HOST_MAX 253 /* the longest DNS name */

_Atomic int swirl__dns_test_delay_ms;
static atomic_ulong resolver_calls;

unsigned long swirl__dns_resolver_calls(void) { return atomic_load(&resolver_calls); }

typedef struct {
    swirl__job_t base;
    char host[HOST_MAX + 1]; /* lower-cased */
    int family;
    int64_t timer;  /* the timeout's id, 0 if none (loop thread) */
    bool timed_out; /* the callback already ran with -ETIMEDOUT (loop thread) */
    swirl_dns_cb cb;
    void *user;
    int gai;       /* getaddrinfo's failure, 0 if none */
    int sys_errno; /* errno with EAI_SYSTEM */
    size_t n;
    swirl_addr_t addrs[SWIRL_DNS_MAX_ADDRS];
} dns_job_t;

/* ---- the cache --------------------------------------------------------------------------- */

/* Per-process singleton: recent successful answers, filled by pool threads
 * and read by loops, hence the lock (held across fork by pthread_atfork so
 * a child never finds it locked by a thread that no longer exists). */
static struct {
    pthread_mutex_t lock;
    pthread_once_t once;
    struct cache_entry {
        char host[HOST_MAX + 1];
        int family;
        uint64_t expires_ms; /* 0: empty slot */
        size_t n;
        swirl_addr_t *addrs;
    } e[SWIRL_DNS_CACHE_SIZE];
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER, .once = PTHREAD_ONCE_INIT};

static void cache_lock(void) { pthread_mutex_lock(&cache.lock); }
static void cache_unlock(void) { pthread_mutex_unlock(&cache.lock); }
static void cache_setup(void) { pthread_atfork(cache_lock, cache_unlock, cache_unlock); }

/* Copy a live answer for (host, family) into j. True on a hit. */
static bool cache_get(dns_job_t *j) {
    pthread_once(&cache.once, cache_setup);
    uint64_t now = swirl_clock_ms();
    bool hit = false;
    cache_lock();
    for (size_t i = 0; i < SWIRL_DNS_CACHE_SIZE; i++) {
        struct cache_entry *e = &cache.e[i];
        if (e->expires_ms > now && e->family == j->family && strcmp(e->host, j->host) == 0) {
            memcpy(j->addrs, e->addrs, e->n * sizeof(*e->addrs));
            j->n = e->n;
            hit = true;
            break;
        }
    }
    cache_unlock();
    return hit;
}

/* Remember j's answer; replaces the same name, else an empty or expired
 * slot, else the entry closest to expiry (the oldest). On OOM, skipped. */
static void cache_put(const dns_job_t *j) {
    swirl_addr_t *copy = swirl_malloc(j->n * sizeof(*copy));
    if (!copy)
        return;
    memcpy(copy, j->addrs, j->n * sizeof(*copy));
    uint64_t now = swirl_clock_ms();
    cache_lock();
    struct cache_entry *slot = NULL;
    for (size_t i = 0; i < SWIRL_DNS_CACHE_SIZE; i++) {
        struct cache_entry *e = &cache.e[i];
        if (e->expires_ms && e->family == j->family && strcmp(e->host, j->host) == 0) {
            slot = e;
            break;
        }
        if (!slot || (slot->expires_ms > now && e->expires_ms < slot->expires_ms))
            slot = e;
    }
    swirl_addr_t *old = slot->addrs;
    memcpy(slot->host, j->host, sizeof(slot->host));
    slot->family = j->family;
    slot->expires_ms = now + SWIRL_DNS_CACHE_TTL_MS;
    slot->n = j->n;
    slot->addrs = copy;
    cache_unlock();
    swirl_free(old);
}

void swirl_dns_cache_clear(void) {
    pthread_once(&cache.once, cache_setup);
    cache_lock();
    for (size_t i = 0; i < SWIRL_DNS_CACHE_SIZE; i++) {
        swirl_free(cache.e[i].addrs);
        memset(&cache.e[i], 0, sizeof(cache.e[i]));
    }
    cache_unlock();
}

/* ---- the lookup -------------------------------------------------------------------------- */

static bool same_addr(const swirl_addr_t *a, const struct sockaddr *sa, socklen_t len) {
    return a->len == len && memcmp(&a->u.sa, sa, len) == 0;
}

static void dns_work(swirl__job_t *job) {
    dns_job_t *j = (dns_job_t *)job;
    int delay = atomic_load(&swirl__dns_test_delay_ms);
    if (delay > 0) {
        struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        }
    }
    atomic_fetch_add(&resolver_calls, 1);
    /* SOCK_STREAM: one entry per address instead of one per socket type */
    struct addrinfo hints = {.ai_family = j->family, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(j->host, NULL, &hints, &res);
    if (rc != 0) {
        j->gai = rc;
        j->sys_errno = errno;
        return;
    }
    for (struct addrinfo *ai = res; ai && j->n < SWIRL_DNS_MAX_ADDRS; ai = ai->ai_next) {
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            ai->ai_addrlen > sizeof(j->addrs[0].u))
            continue;
        bool dup = false;
        for (size_t i = 0; i < j->n && !dup; i++)
            dup = same_addr(&j->addrs[i], ai->ai_addr, ai->ai_addrlen);
        if (dup)
            continue;
        swirl_addr_t *a = &j->addrs[j->n++];
        memset(a, 0, sizeof(*a));
        memcpy(&a->u.sa, ai->ai_addr, ai->ai_addrlen);
        a->len = ai->ai_addrlen;
    }
    freeaddrinfo(res);
    if (j->n > 0)
        cache_put(j);
}

static void dns_release(swirl__job_t *job) { swirl_free(job); }

static const char *family_note(int family) {
    return family == AF_INET ? " (IPv4)" : family == AF_INET6 ? " (IPv6)" : "";
}

/* getaddrinfo's failure as a swirl code. */
static int gai_code(int gai, int sys_errno) {
    switch (gai) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
        return SWIRL_ENOTFOUND;
    case EAI_AGAIN:
        return -EAGAIN;
    case EAI_MEMORY:
        return -ENOMEM;
    case EAI_FAMILY:
        return SWIRL_EBADARG;
    case EAI_SYSTEM:
        return sys_errno > 0 ? -sys_errno : -EIO;
    default:
        return -EIO;
    }
}

static void dns_done(swirl_loop_t *loop, swirl__job_t *job) {
    dns_job_t *j = (dns_job_t *)job;
    if (j->timed_out) { /* the caller was told at the deadline: drop the late answer */
        dns_release(job);
        return;
    }
    if (j->timer > 0)
        swirl_timer_clear(loop, j->timer);
    if (j->gai != 0) {
        int code = gai_code(j->gai, j->sys_errno);
        const char *why = j->gai == EAI_SYSTEM ? swirl_strerror(code) : gai_strerror(j->gai);
        swirl__error(code, "dns lookup %s%s: %s", j->host, family_note(j->family), why);
        j->cb(loop, code, NULL, 0, j->user);
    } else if (j->n == 0) {
        swirl__error(SWIRL_ENOTFOUND, "dns lookup %s%s: no address of that family", j->host,
                     family_note(j->family));
        j->cb(loop, SWIRL_ENOTFOUND, NULL, 0, j->user);
    } else {
        j->cb(loop, (int)j->n, j->addrs, j->n, j->user);
    }
    dns_release(job);
}

static void on_timeout(swirl_loop_t *loop, int64_t id, void *user) {
    SWIRL__UNUSED(id);
    dns_job_t *j = user;
    j->timer = 0;
    j->timed_out = true;
    /* The job stays with the pool (or in the done list) and is freed when
     * it comes back; it no longer holds the loop open. */
    swirl__async_uncount(loop, &j->base);
    swirl__error(-ETIMEDOUT, "dns lookup %s%s: no answer in time:", j->host,
                 family_note(j->family));
    j->cb(loop, -ETIMEDOUT, NULL, 0, j->user);
}

/* A numeric address: 1 (filled into j), 0 if `host` is a name, or
 * SWIRL_EBADARG if it is an address of the family not asked for. */
static int parse_numeric(dns_job_t *j, const char *host) {
    swirl_addr_t *a = &j->addrs[0];
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, host, &a->u.in.sin_addr) == 1) {
        if (j->family == AF_INET6)
            return swirl__error(SWIRL_EBADARG, "dns lookup %s: an IPv4 address, IPv6 asked", host);
        a->u.in.sin_family = AF_INET;
        a->len = sizeof(a->u.in);
        j->n = 1;
        return 1;
    }
    char buf[INET6_ADDRSTRLEN + 2];
    size_t len = strlen(host);
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(buf)) {
        memcpy(buf, host + 1, len - 2);
        buf[len - 2] = '\0';
        host = buf;
    }
    if (inet_pton(AF_INET6, host, &a->u.in6.sin6_addr) == 1) {
        if (j->family == AF_INET)
            return swirl__error(SWIRL_EBADARG, "dns lookup %s: an IPv6 address, IPv4 asked", host);
        a->u.in6.sin6_family = AF_INET6;
        a->len = sizeof(a->u.in6);
        j->n = 1;
        return 1;
    }
    return 0;
}

int swirl_dns_lookup(swirl_loop_t *loop, const char *host, int family, int64_t timeout_ms,
                     swirl_dns_cb cb, void *user) {
    if (!host || !*host)
        return swirl__error(SWIRL_EBADARG, "dns lookup: host is %s", host ? "empty" : "NULL");
    size_t hlen = strlen(host);
    if (hlen > HOST_MAX)
        return swirl__error(SWIRL_EBADARG, "dns lookup %.40s...: name of %zu bytes, at most %d",
                            host, hlen, HOST_MAX);
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return swirl__error(SWIRL_EBADARG, "dns lookup %s: bad family %d", host, family);
    if (timeout_ms < 0)
        return swirl__error(SWIRL_EBADARG, "dns lookup %s: negative timeout %lld", host,
                            (long long)timeout_ms);
    if (!cb)
        return swirl__error(SWIRL_EBADARG, "dns lookup %s: callback is NULL", host);
    int rc = swirl__async_attach(loop, "dns lookup");
    if (rc < 0)
        return rc;
    dns_job_t *j = swirl_calloc(1, sizeof(*j));
    if (!j)
        return swirl__error(-ENOMEM, "dns lookup %s:", host);
    j->base.work = dns_work;
    j->base.done = dns_done;
    j->base.release = dns_release;
    j->family = family;
    j->cb = cb;
    j->user = user;
    for (size_t i = 0; i <= hlen; i++)
        j->host[i] = (char)tolower((unsigned char)host[i]);

    rc = parse_numeric(j, host);
    if (rc < 0) {
        swirl_free(j);
        return rc;
    }
    if (rc == 1 || cache_get(j)) {
        swirl__async_post(loop, &j->base);
        return 0;
    }
    if (timeout_ms > 0) {
        int64_t id = swirl_timer_after(loop, timeout_ms, on_timeout, j);
        if (id < 0) {
            swirl_free(j);
            return swirl__error((int)id, "dns lookup %s: timeout timer:", host);
        }
        j->timer = id;
    }
    rc = swirl__async_submit(loop, &j->base, "dns lookup");
    if (rc < 0) {
        if (j->timer > 0)
            swirl_timer_clear(loop, j->timer);
        swirl_free(j);
    }
    return rc;
}
