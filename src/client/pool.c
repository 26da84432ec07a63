/* src/client/pool.c — the keep-alive pool (SWIRL_CLIENT_KEEP): a per-process
 * singleton list of idle connections keyed by "host:port" or the caller's
 * key. A connection is checked before reuse (a readable socket means the
 * peer closed it or sent something nobody asked for: either way it is
 * replaced). A child process after fork() never uses its parent's entries. */
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>

#include "client/internal.h"

typedef struct pool_entry {
    struct pool_entry *next;
    char *key;
    int type;
    bool ssl;
    int fd;
    SSL *tls;
} pool_entry_t;

/* The process's keep-alive pool. The mutex makes it safe from several
 * threads; `owner` tells a forked child that the entries are its parent's. */
static struct {
    pthread_mutex_t lock;
    pool_entry_t *head;
    pid_t owner;
    size_t count;
} swirl__client_pool = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static void entry_close(pool_entry_t *e, bool ours) {
    if (ours)
        swirl__tls_free(e->tls);
    else
        SSL_free(e->tls); /* the parent's session: no close_notify from here */
    swirl_net_close(e->fd);
    swirl_free(e->key);
    swirl_free(e);
}

/* Drop a parent's entries in a forked child. Called with the lock held. */
static void check_owner(void) {
    pid_t me = getpid();
    if (swirl__client_pool.owner == me)
        return;
    pool_entry_t *e = swirl__client_pool.head;
    while (e) {
        pool_entry_t *next = e->next;
        entry_close(e, false);
        e = next;
    }
    swirl__client_pool.head = NULL;
    swirl__client_pool.count = 0;
    swirl__client_pool.owner = me;
}

/* Is an idle connection still usable? */
static bool alive(pool_entry_t *e) {
    struct pollfd p = {.fd = e->fd, .events = POLLIN};
    int n;
    while ((n = poll(&p, 1, 0)) < 0 && errno == EINTR) {
    }
    if (n == 0)
        return true; /* nothing to read: the peer has not closed */
    if (n < 0 || (p.revents & (POLLERR | POLLNVAL)))
        return false;
    if (e->tls) {
        /* TLS 1.3 servers send session tickets after the handshake: those
         * are readable bytes but no data. Let OpenSSL eat them. */
        char c;
        size_t got = 0;
        ERR_clear_error();
        int ret = SSL_peek_ex(e->tls, &c, 1, &got);
        bool ok = ret != 1 && SSL_get_error(e->tls, ret) == SSL_ERROR_WANT_READ;
        ERR_clear_error();
        return ok;
    }
    /* EOF, a reset, or unread bytes: not a clean idle connection. */
    return false;
}

int swirl__pool_take(const char *key, int type, bool ssl, int *fd, SSL **tls) {
    int rc = -ENOENT;
    pthread_mutex_lock(&swirl__client_pool.lock);
    check_owner();
    pool_entry_t **pp = &swirl__client_pool.head;
    while (*pp) {
        pool_entry_t *e = *pp;
        if (strcmp(e->key, key) != 0 || e->type != type || e->ssl != ssl) {
            pp = &e->next;
            continue;
        }
        *pp = e->next;
        swirl__client_pool.count--;
        if (!alive(e)) {
            swirl_log_debug("client pool: %s: connection closed by peer, replacing it", key);
            entry_close(e, true);
            continue;
        }
        *fd = e->fd;
        *tls = e->tls;
        swirl_free(e->key);
        swirl_free(e);
        rc = 0;
        break;
    }
    pthread_mutex_unlock(&swirl__client_pool.lock);
    return rc;
}

int swirl__pool_put(const char *key, int type, bool ssl, int fd, SSL *tls) {
    pool_entry_t *e = swirl_calloc(1, sizeof(*e));
    if (!e || !(e->key = swirl_strdup(key))) {
        swirl_free(e);
        return -ENOMEM;
    }
    e->type = type;
    e->ssl = ssl;
    e->fd = fd;
    e->tls = tls;
    pthread_mutex_lock(&swirl__client_pool.lock);
    check_owner();
    e->next = swirl__client_pool.head;
    swirl__client_pool.head = e;
    swirl__client_pool.count++;
    pthread_mutex_unlock(&swirl__client_pool.lock);
    return 0;
}

int swirl_client_pool_clear(void) {
    pthread_mutex_lock(&swirl__client_pool.lock);
    check_owner();
    int n = 0;
    pool_entry_t *e = swirl__client_pool.head;
    while (e) {
        pool_entry_t *next = e->next;
        entry_close(e, true);
        e = next;
        n++;
    }
    swirl__client_pool.head = NULL;
    swirl__client_pool.count = 0;
    pthread_mutex_unlock(&swirl__client_pool.lock);
    return n;
}

size_t swirl_client_pool_size(void) {
    pthread_mutex_lock(&swirl__client_pool.lock);
    check_owner();
    size_t n = swirl__client_pool.count;
    pthread_mutex_unlock(&swirl__client_pool.lock);
    return n;
}
