/* src/server/query.c — what any process of a running server can answer
 * from shared memory: exist, bind, connection_info, connection_list, stats
 * and a worker's request count. */
#include <stdlib.h>

#include "../core/internal.h"
#include "internal.h"

bool swirl_server_exist(swirl_server_t *srv, int64_t fd) {
    return swirl__conn_get(srv, fd) != NULL;
}

int swirl_server_bind(swirl_server_t *srv, int64_t fd, uint32_t uid) {
    swirl__conn_t *c = swirl__conn_get(srv, fd);
    if (!c)
        return swirl__error(SWIRL_ECLOSED, "bind connection %lld: no such connection",
                            (long long)fd);
    atomic_store(&c->uid, uid);
    return 0;
}

int swirl_server_connection_info(swirl_server_t *srv, int64_t fd, swirl_conn_info_t *out) {
    swirl__conn_t *c = swirl__conn_get(srv, fd);
    if (!c)
        return swirl__error(SWIRL_ECLOSED, "connection_info %lld: no such connection",
                            (long long)fd);
    memset(out, 0, sizeof(*out));
    out->reactor_id = c->owner;
    swirl_port_t *p = srv->ports[c->port_index];
    out->server_port = p->bound_port;
    out->server_fd = p->fd;
    out->sock_type = p->type;
    swirl_addr_host(&c->peer, out->remote_ip, sizeof(out->remote_ip));
    out->remote_port = swirl_addr_port(&c->peer);
    out->connect_time = c->connect_time;
    /* last_ms is monotonic (cheap to keep): convert to wall time */
    out->last_time =
        swirl_time_now() - (double)((int64_t)swirl_clock_ms() - atomic_load(&c->last_ms)) / 1000.0;
    out->uid = atomic_load(&c->uid);
    out->websocket_status = atomic_load(&c->proto[SWIRL__CONN_PROTO_STATUS]);
    /* the slot may have been reused while we read it: only a stable read counts */
    if (atomic_load(&c->session) != fd)
        return swirl__error(SWIRL_ECLOSED, "connection_info %lld: no such connection",
                            (long long)fd);
    return 0;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int swirl_server_connection_list(swirl_server_t *srv, int64_t start_fd, int64_t *out, int max) {
    if (!srv->conns || max <= 0)
        return 0;
    size_t nslots = (size_t)srv->owners * (size_t)srv->fd_cap;
    int n = 0;
    /* collect everything above start_fd, keep the smallest `max` */
    int64_t *all = swirl_malloc(sizeof(int64_t) * (size_t)(max + 1));
    if (!all)
        return swirl__error(-ENOMEM, "connection_list:");
    for (size_t i = 0; i < nslots; i++) {
        int64_t s = atomic_load(&srv->conns[i].session);
        if (s <= 0 || s <= start_fd)
            continue; /* a free slot (0), or not after start_fd */
        if (n < max) {
            all[n++] = s;
            if (n == max)
                qsort(all, (size_t)n, sizeof(*all), cmp_i64);
        } else if (s < all[max - 1]) {
            int j = max - 1;
            while (j > 0 && all[j - 1] > s) {
                all[j] = all[j - 1];
                j--;
            }
            all[j] = s;
        }
    }
    if (n < max)
        qsort(all, (size_t)n, sizeof(*all), cmp_i64);
    memcpy(out, all, sizeof(int64_t) * (size_t)n);
    swirl_free(all);
    return n;
}

int swirl_server_heartbeat(swirl_server_t *srv, bool close, int64_t *out, int max) {
    int64_t idle = swirl__heartbeat_idle(srv);
    if (idle <= 0)
        return swirl__error(
            SWIRL_ESTATE,
            "heartbeat: heartbeat_idle_time (or heartbeat_check_interval) is not set");
    int n = swirl_server_connection_list(srv, 0, out, max);
    int64_t cutoff = (int64_t)swirl_clock_ms() - idle * 1000;
    int k = 0;
    for (int i = 0; i < n; i++) {
        swirl__conn_t *c = swirl__conn_get(srv, out[i]);
        if (!c || !swirl__conn_idle(c, cutoff))
            continue;
        out[k++] = out[i];
        if (close)
            swirl_server_close(srv, out[i], false);
    }
    return k;
}

int swirl_server_stats(swirl_server_t *srv, swirl_server_stats_t *out) {
    if (!srv->shared)
        return swirl__error(SWIRL_ESTATE, "stats: the server is not running");
    swirl__shared_t *sh = srv->shared;
    memset(out, 0, sizeof(*out));
    out->start_time = sh->start_time;
    out->connection_num = atomic_load(&sh->connection_num);
    out->accept_count = atomic_load(&sh->accept_count);
    out->close_count = atomic_load(&sh->close_count);
    out->rejected_count = atomic_load(&sh->rejected_count);
    out->tls_failed_count = atomic_load(&sh->tls_failed_count);
    out->request_count = atomic_load(&sh->request_count);
    out->dispatch_count = atomic_load(&sh->dispatch_count);
    out->worker_num = srv->worker_num;
    for (int i = 0; i < srv->worker_num; i++)
        out->idle_worker_num += !atomic_load(&sh->workers[i].busy);
    if (srv->role == SWIRL__ROLE_WORKER && srv->worker_id >= 0) /* (not a user process) */
        out->worker_request_count = atomic_load(&sh->workers[srv->worker_id].requests);
    out->task_worker_num = srv->task_worker_num;
    for (int t = 0; t < srv->task_worker_num; t++) {
        int id = srv->worker_num + t;
        int busy = atomic_load(&sh->workers[id].busy) != 0;
        out->tasking_num += busy;
        out->task_idle_worker_num += !busy && atomic_load(&sh->workers[id].tasks_queued) == 0;
        out->task_queue_num += atomic_load(&sh->workers[id].tasks_queued);
        out->task_queue_bytes += atomic_load(&sh->workers[id].task_bytes);
    }
    out->task_rejected_count = atomic_load(&sh->task_rejected);
    return 0;
}

int64_t swirl_server_worker_requests(swirl_server_t *srv, int worker_id) {
    if (!srv->shared)
        return swirl__error(SWIRL_ESTATE, "worker requests: the server is not running");
    if (worker_id < 0 || worker_id >= srv->worker_num + srv->task_worker_num)
        return swirl__error(SWIRL_EBADARG, "worker requests: worker %d: expected 0..%d", worker_id,
                            srv->worker_num + srv->task_worker_num - 1);
    return atomic_load(&srv->shared->workers[worker_id].requests);
}

int swirl_server_worker_status(swirl_server_t *srv, int worker_id) {
    if (!srv->shared)
        return swirl__error(SWIRL_ESTATE, "worker status: the server is not running");
    if (worker_id < 0 || worker_id >= srv->worker_num + srv->task_worker_num)
        return swirl__error(SWIRL_EBADARG, "worker status: worker %d: expected 0..%d", worker_id,
                            srv->worker_num + srv->task_worker_num - 1);
    if (atomic_load(&srv->shared->workers[worker_id].exiting))
        return SWIRL_WORKER_EXIT;
    return atomic_load(&srv->shared->workers[worker_id].busy) ? SWIRL_WORKER_BUSY
                                                                : SWIRL_WORKER_IDLE;
}
