/* tests/unit/process/test_pool.c — process pools with real workers: every
 * message handled exactly once over both queues, workers replaced when
 * they die, SIGTERM and shutdown stop everything, nothing left behind. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>
#include <swirl/swirl.h>

#include "testutil.h"

#define NMSG 2000
#define NWORKERS 3

/* Counters every process of a test shares. */
typedef struct {
    atomic_int handled[NMSG];
    atomic_int total;
    atomic_int starts, stops;
    atomic_int by_worker[NWORKERS];
    atomic_int died; /* the "die" message was acted on */
    pid_t first_pid0;
} shared_t;

static shared_t *shared_new(void) {
    shared_t *s =
        mmap(NULL, sizeof(shared_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(s, MAP_FAILED);
    memset(s, 0, sizeof(*s));
    return s;
}

static void assert_no_children(void) {
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a worker is left");
    cr_assert_eq(errno, ECHILD);
}

static void on_worker_start(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    atomic_fetch_add(&s->starts, 1);
}

static void on_worker_stop(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    atomic_fetch_add(&s->stops, 1);
}

static void on_message(swirl_process_pool_t *pool, int id, const void *data, size_t len,
                       void *user) {
    shared_t *s = user;
    char buf[32];
    if (len >= sizeof(buf))
        return;
    memcpy(buf, data, len);
    buf[len] = 0;
    if (strcmp(buf, "die") == 0) {
        atomic_store(&s->died, 1);
        raise(SIGKILL);
    }
    int n = atoi(buf);
    if (n >= 0 && n < NMSG)
        atomic_fetch_add(&s->handled[n], 1);
    atomic_fetch_add(&s->by_worker[id], 1);
    if (atomic_fetch_add(&s->total, 1) + 1 == NMSG)
        swirl_process_pool_shutdown(pool); /* from a worker: signals the master */
}

/* Push NMSG numbered messages from the master, retrying while the queue is full. */
static void push_all(swirl_process_pool_t *pool, void *user) {
    for (int i = 0; i < NMSG; i++) {
        char m[16];
        int len = snprintf(m, sizeof(m), "%d", i);
        int rc;
        while ((rc = swirl_process_pool_push(pool, m, (size_t)len)) == -EAGAIN)
            usleep(1000);
        cr_assert_eq(rc, 0, "push %d: %s", i, swirl_strerror(rc));
    }
}

static void run_exactly_once(int ipc) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, NWORKERS, ipc, 0), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_worker_start(pool, on_worker_start);
    swirl_process_pool_on_worker_stop(pool, on_worker_stop);
    swirl_process_pool_on_message(pool, on_message);
    swirl_process_pool_on_start(pool, push_all);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    cr_assert_eq(atomic_load(&s->total), NMSG);
    for (int i = 0; i < NMSG; i++)
        cr_assert_eq(atomic_load(&s->handled[i]), 1, "message %d handled %d times", i,
                     atomic_load(&s->handled[i]));
    cr_assert_eq(atomic_load(&s->starts), NWORKERS);
    cr_assert_eq(atomic_load(&s->stops), NWORKERS, "every worker ran its stop callback");
    cr_assert_null(swirl_process_pool_loop(pool));
    if (ipc == SWIRL_IPC_MSGQUEUE)
        cr_assert_eq(tu_queues_sent_by(getpid()), 1);
    swirl_process_pool_free(pool);
    cr_assert_eq(tu_queues_sent_by(getpid()), 0, "the private queue went with the pool");
    assert_no_children();
    munmap(s, sizeof(*s));
    TU_FD_END();
}

Test(pool, unix_socket_queue_every_message_exactly_once, .timeout = 30) {
    run_exactly_once(SWIRL_IPC_UNIXSOCK);
}

Test(pool, message_queue_every_message_exactly_once, .timeout = 30) {
    run_exactly_once(SWIRL_IPC_MSGQUEUE);
}

/* ---- a worker that dies is replaced -------------------------------------------------------- */

static void push_die_then_all(swirl_process_pool_t *pool, void *user) {
    shared_t *s = user;
    s->first_pid0 = swirl_process_pool_worker_pid(pool, 0);
    cr_assert_gt(s->first_pid0, 0);
    cr_assert_eq(swirl_process_pool_push(pool, "die", 3), 0);
    push_all(pool, user);
}

/* The pool stops when every message was handled AND the replacement
 * worker started, whichever comes last (seq_cst: one of the two sees both). */
static void start_counting(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    if (atomic_fetch_add(&s->starts, 1) + 1 == NWORKERS + 1 && atomic_load(&s->total) == NMSG)
        swirl_process_pool_shutdown(pool);
}

static void message_counting(swirl_process_pool_t *pool, int id, const void *data, size_t len,
                             void *user) {
    shared_t *s = user;
    if (len == 3 && memcmp(data, "die", 3) == 0) {
        atomic_store(&s->died, 1);
        raise(SIGKILL);
    }
    char buf[16] = {0};
    memcpy(buf, data, len < 15 ? len : 15);
    atomic_fetch_add(&s->handled[atoi(buf)], 1);
    if (atomic_fetch_add(&s->total, 1) + 1 == NMSG && atomic_load(&s->starts) == NWORKERS + 1)
        swirl_process_pool_shutdown(pool);
}

Test(pool, a_worker_killed_mid_way_is_replaced_and_the_rest_is_handled, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, NWORKERS, SWIRL_IPC_UNIXSOCK, 0), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_worker_start(pool, start_counting);
    swirl_process_pool_on_message(pool, message_counting);
    swirl_process_pool_on_start(pool, push_die_then_all);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    cr_assert_eq(atomic_load(&s->died), 1);
    cr_assert_eq(atomic_load(&s->total), NMSG);
    for (int i = 0; i < NMSG; i++)
        cr_assert_eq(atomic_load(&s->handled[i]), 1);
    cr_assert_eq(atomic_load(&s->starts), NWORKERS + 1, "one replacement");
    swirl_process_pool_free(pool);
    assert_no_children();
    munmap(s, sizeof(*s));
    TU_FD_END();
}

/* ---- a pool without a queue; shutdown from the master -------------------------------------- */

static void short_job(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    atomic_fetch_add(&s->starts, 1);
    atomic_fetch_add(&s->by_worker[id], 1);
    usleep(20000); /* returns quickly: the pool restarts it after a delay */
}

static void stop_soon(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_process_pool_shutdown(user);
}

static void arm_stop(swirl_process_pool_t *pool, void *user) {
    cr_assert_gt(swirl_timer_after(swirl_process_pool_loop(pool), 700, stop_soon, pool), 0);
}

Test(pool, without_a_queue_workers_run_their_start_and_are_restarted, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, 2, SWIRL_IPC_NONE, 0), 0);
    swirl_process_pool_set_user(pool, s);
    cr_assert_eq(swirl_process_pool_start(pool), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "on_worker_start"), "%s", swirl_last_error_msg());
    swirl_process_pool_on_worker_start(pool, short_job);
    swirl_process_pool_on_start(pool, arm_stop);
    cr_assert_eq(swirl_process_pool_push(pool, "x", 1), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    /* each worker ran at least twice; the back-off (100, 200, 400 ms) kept
     * it from restarting more than a few times in 700 ms */
    for (int i = 0; i < 2; i++) {
        int runs = atomic_load(&s->by_worker[i]);
        cr_assert(runs >= 2 && runs <= 5, "worker %d ran %d times", i, runs);
    }
    swirl_process_pool_free(pool);
    assert_no_children();
    munmap(s, sizeof(*s));
    TU_FD_END();
}

/* ---- SIGTERM to the master; a worker that ignores SIGTERM ---------------------------------- */

static void stubborn(swirl_process_pool_t *pool, int id, const void *data, size_t len, void *user) {
    shared_t *s = user;
    signal(SIGTERM, SIG_IGN);
    atomic_fetch_add(&s->total, 1);
    for (;;)
        pause();
}

static void push_one_then_term(swirl_process_pool_t *pool, void *user) {
    shared_t *s = user;
    cr_assert_eq(swirl_process_pool_push(pool, "x", 1), 0);
    while (atomic_load(&s->total) == 0)
        usleep(1000);
    kill(getpid(), SIGTERM); /* comes through the master's loop */
}

Test(pool, sigterm_stops_the_pool_and_a_stuck_worker_is_killed, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, 2, SWIRL_IPC_MSGQUEUE, 0), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_worker_stop(pool, on_worker_stop);
    swirl_process_pool_on_message(pool, stubborn);
    swirl_process_pool_on_start(pool, push_one_then_term);
    uint64_t t0 = swirl_clock_ms();
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    uint64_t took = swirl_clock_ms() - t0;
    cr_assert_geq(took, 2900, "the stuck worker had its 3 s");
    cr_assert_eq(atomic_load(&s->stops), 1, "the idle worker stopped cleanly");
    swirl_process_pool_free(pool);
    assert_no_children();
    munmap(s, sizeof(*s));
    TU_FD_END();
}

/* ---- a keyed queue fed by another program --------------------------------------------------- */

static void feeder(swirl_process_t *p, void *u) {
    for (int i = 0; i < NMSG; i++) {
        char m[16];
        int len = snprintf(m, sizeof(m), "%d", i);
        if (swirl_process_push(p, m, (size_t)len) != 0)
            _exit(2);
    }
}

static void start_feeder(swirl_process_pool_t *pool, void *user) {
    key_t key = *(key_t *)((char *)user + sizeof(shared_t));
    swirl_process_t *f;
    cr_assert_eq(swirl_process_new(&f, feeder, NULL, false, 0), 0);
    cr_assert_eq(swirl_process_use_queue(f, key, SWIRL_MSGQUEUE_BALANCE), 0);
    cr_assert_gt(swirl_process_start(f), 0); /* reaped by the pool's SIGCHLD handling */
    swirl_process_free(f);
}

Test(pool, a_keyed_message_queue_takes_work_from_other_processes, .timeout = 30) {
    TU_FD_BEGIN();
    /* the key travels right after the counters */
    char *mem = mmap(NULL, sizeof(shared_t) + sizeof(key_t), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(mem, MAP_FAILED);
    memset(mem, 0, sizeof(shared_t));
    shared_t *s = (shared_t *)(void *)mem;
    key_t key = (key_t)(0x5d000000 | (getpid() & 0xffffff));
    memcpy(mem + sizeof(shared_t), &key, sizeof(key));
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, NWORKERS, SWIRL_IPC_MSGQUEUE, key), 0);
    swirl_process_pool_set_user(pool, mem);
    swirl_process_pool_on_message(pool, on_message);
    swirl_process_pool_on_start(pool, start_feeder);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    cr_assert_eq(atomic_load(&s->total), NMSG);
    for (int i = 0; i < NMSG; i++)
        cr_assert_eq(atomic_load(&s->handled[i]), 1);
    swirl_process_pool_free(pool);
    /* a keyed queue is left for whoever feeds it; remove it here */
    int id = msgget(key, 0);
    cr_assert_geq(id, 0, "the keyed queue is still there");
    cr_assert_eq(msgctl(id, IPC_RMID, NULL), 0);
    while (waitpid(-1, NULL, 0) >
           0) /* the feeder, if the pool had not reaped it (it may still be exiting) */
        ;
    assert_no_children();
    munmap(mem, sizeof(shared_t) + sizeof(key_t));
    TU_FD_END();
}

/* ---- bad arguments ------------------------------------------------------------------------- */

Test(pool, bad_arguments_are_named, .timeout = 5) {
    swirl_process_pool_t *pool = NULL;
    cr_assert_eq(swirl_process_pool_new(&pool, 0, SWIRL_IPC_UNIXSOCK, 0), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "worker_num 0"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_process_pool_new(&pool, 5000, SWIRL_IPC_UNIXSOCK, 0), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_pool_new(&pool, 2, 9, 0), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "ipc_type 9"), "%s", swirl_last_error_msg());
    cr_assert_null(pool);
    cr_assert_eq(swirl_process_pool_new(&pool, 2, SWIRL_IPC_UNIXSOCK, 0), 0);
    cr_assert_eq(swirl_process_pool_start(pool), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "on_message"));
    static char big[70000];
    cr_assert_eq(swirl_process_pool_push(pool, big, sizeof(big)), SWIRL_ETOOBIG);
    cr_assert(strstr(swirl_last_error_msg(), "70000 bytes"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_process_pool_push(pool, big, 0), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_pool_worker_pid(pool, 7), 0);
    swirl_process_pool_free(pool);
}

/* ---- shutdown from a worker, the master's hooks, a second run, worker pipes ---------------- */

static void stop_from_worker(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    atomic_fetch_add(&s->starts, 1);
    /* the master's pid and this worker's own, as every process sees them */
    if (swirl_process_pool_worker_pid(pool, id) == getpid() && swirl_process_pool_worker_id(pool) == id)
        atomic_fetch_add(&s->by_worker[id], 1);
    swirl_process_pool_shutdown(pool);
    sleep(20); /* SIGTERM ends it here: still in on_worker_start */
    atomic_fetch_add(&s->died, 1);
}

static void note_starting(swirl_process_pool_t *pool, void *user) {
    shared_t *s = user;
    cr_assert_eq(swirl_process_pool_worker_pid(pool, 0), 0, "no worker forked yet");
    cr_assert(swirl_process_pool_running(pool));
    atomic_fetch_add(&s->handled[0], 1);
}

static void note_shutdown(swirl_process_pool_t *pool, void *user) {
    shared_t *s = user;
    cr_assert_not(swirl_process_pool_running(pool));
    atomic_fetch_add(&s->handled[1], 1);
}

Test(pool, shutdown_from_a_worker_stops_the_pool_which_may_run_again, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, 1, SWIRL_IPC_NONE, 0), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_worker_start(pool, stop_from_worker);
    swirl_process_pool_on_starting(pool, note_starting);
    swirl_process_pool_on_shutdown(pool, note_shutdown);
    cr_assert_eq(swirl_process_pool_set_max_wait(pool, -1), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_pool_set_max_wait(pool, 1000), 0);
    for (int run = 1; run <= 2; run++) {
        cr_assert_eq(swirl_process_pool_start(pool), 0);
        cr_assert_eq(atomic_load(&s->starts), run, "one start per run, never restarted");
        cr_assert_eq(atomic_load(&s->by_worker[0]), run);
        cr_assert_eq(atomic_load(&s->handled[0]), run);
        cr_assert_eq(atomic_load(&s->handled[1]), run);
        cr_assert_eq(atomic_load(&s->died), 0, "SIGTERM ended the worker in its start");
        cr_assert_eq(swirl_process_pool_master_pid(pool), getpid());
        assert_no_children();
    }
    swirl_process_pool_free(pool);
    munmap(s, sizeof(*s));
    TU_FD_END();
}

/* worker 0 sends to worker 1's own pipe; worker 1 answers on worker 0's, which
 * worker 0 reads directly from its fd in its start */
static void pipes_start(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    if (id != 0)
        return;
    char big[70000];
    memset(big, 'A', sizeof big);
    if (swirl_process_pool_send(pool, 1, big, sizeof big) != 0)
        return;
    if (swirl_process_pool_send(pool, 5, "x", 1) == SWIRL_EBADARG)
        atomic_fetch_add(&s->by_worker[1], 1);
    char buf[16] = {0};
    ssize_t n = recv(swirl_process_pool_worker_fd(pool, 0), buf, sizeof buf - 1, 0);
    if (n == 4 && memcmp(buf, "done", 4) == 0)
        atomic_fetch_add(&s->total, 1);
    swirl_process_pool_shutdown(pool);
}

static void pipes_message(swirl_process_pool_t *pool, int id, const void *data, size_t len,
                          void *user) {
    shared_t *s = user;
    if (id == 1 && len == 70000)
        atomic_fetch_add(&s->by_worker[0], 1);
    swirl_process_pool_send(pool, 0, "done", 4);
}

Test(pool, unix_socket_workers_have_pipes_of_their_own, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, 2, SWIRL_IPC_UNIXSOCK, 0), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_worker_start(pool, pipes_start);
    swirl_process_pool_on_message(pool, pipes_message);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    cr_assert_eq(atomic_load(&s->by_worker[0]), 1, "worker 1 got the 70000 bytes as one message");
    cr_assert_eq(atomic_load(&s->by_worker[1]), 1, "a bad worker id is refused");
    cr_assert_eq(atomic_load(&s->total), 1, "worker 0 read the answer on its own pipe");
    swirl_process_pool_free(pool);
    assert_no_children();
    munmap(s, sizeof(*s));

    swirl_process_pool_t *none;
    cr_assert_eq(swirl_process_pool_new(&none, 1, SWIRL_IPC_NONE, 0), 0);
    cr_assert_eq(swirl_process_pool_worker_fd(none, 0), SWIRL_ESTATE);
    swirl_process_pool_free(none);
    TU_FD_END();
}

/* the message bus: messages larger than a datagram arrive whole and in order */
#define BUS_N 3
#define BUS_LEN (1024 * 1024 + 7)

static void bus_start(swirl_process_pool_t *pool, int id, void *user) {
    if (id != 0)
        return;
    char *big = malloc(BUS_LEN);
    if (!big)
        return;
    for (int m = 0; m < BUS_N; m++) {
        for (int i = 0; i < BUS_LEN; i++)
            big[i] = (char)(i * 7 + m);
        if (swirl_process_pool_send(pool, 1, big, BUS_LEN) != 0)
            break;
    }
    free(big);
}

static void bus_message(swirl_process_pool_t *pool, int id, const void *data, size_t len,
                        void *user) {
    shared_t *s = user;
    const char *d = data;
    int m = atomic_load(&s->total);
    bool ok = id == 1 && len == BUS_LEN;
    for (size_t i = 0; ok && i < len; i++)
        ok = d[i] == (char)(i * 7 + m);
    if (ok)
        atomic_fetch_add(&s->by_worker[0], 1);
    if (atomic_fetch_add(&s->total, 1) + 1 == BUS_N)
        swirl_process_pool_shutdown(pool);
}

Test(pool, message_bus_carries_messages_larger_than_a_datagram, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, 2, SWIRL_IPC_UNIXSOCK, 0), 0);
    cr_assert_eq(swirl_process_pool_set_message_bus(pool, true), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_worker_start(pool, bus_start);
    swirl_process_pool_on_message(pool, bus_message);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    cr_assert_eq(atomic_load(&s->total), BUS_N);
    cr_assert_eq(atomic_load(&s->by_worker[0]), BUS_N, "each arrived whole and in order");
    swirl_process_pool_free(pool);
    assert_no_children();
    munmap(s, sizeof(*s));

    swirl_process_pool_t *q;
    cr_assert_eq(swirl_process_pool_new(&q, 1, SWIRL_IPC_MSGQUEUE, 0), 0);
    cr_assert_eq(swirl_process_pool_set_message_bus(q, true), SWIRL_ESTATE);
    swirl_process_pool_free(q);
    TU_FD_END();
}

/* SWIRL_IPC_SOCKET: a connection brings one length-prefixed message; the answer goes back the
 * same way. A worker that detaches is replaced at once and ends after its message. */
static int sock_port;

static void sock_message(swirl_process_pool_t *pool, int id, const void *data, size_t len,
                         void *user) {
    shared_t *s = user;
    atomic_fetch_add(&s->total, 1);
    if (len == 6 && memcmp(data, "detach", 6) == 0) {
        cr_assert_eq(swirl_process_pool_detach(pool), 0);
        atomic_fetch_add(&s->died, 1);
    }
    swirl_process_pool_write(pool, "re:", 3);
    swirl_process_pool_write(pool, data, len);
}

static void sock_starts(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    atomic_fetch_add(&s->starts, 1);
}

static void sock_stop(swirl_process_pool_t *pool, int id, void *user) {
    shared_t *s = user;
    atomic_fetch_add(&s->stops, 1);
}

static void ask(const char *msg, char *answer, size_t cap) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sock_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    uint32_t be = htonl((uint32_t)strlen(msg));
    cr_assert_eq(write(fd, &be, 4), 4);
    cr_assert_eq(write(fd, msg, strlen(msg)), (ssize_t)strlen(msg));
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, answer + got, cap - 1 - got)) > 0)
        got += (size_t)n;
    answer[got] = 0;
    close(fd);
}

/* The client runs in a process of its own (the master must keep serving
 * its loop: the detach goes through it), then stops the pool with SIGTERM. */
static void sock_client(swirl_process_pool_t *pool, void *user) {
    shared_t *s = user;
    pid_t master = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        char ans[64];
        ask("detach", ans, sizeof ans);
        bool ok = memcmp(ans + 4, "re:detach", 9) == 0;
        ask("hello", ans, sizeof ans);
        ok = ok && memcmp(ans + 4, "re:hello", 8) == 0 && ans[3] == 8;
        atomic_store(&s->by_worker[0], ok);
        kill(master, SIGTERM);
        _exit(0);
    }
}

Test(pool, socket_pool_answers_and_a_detached_worker_is_replaced, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, 1, SWIRL_IPC_SOCKET, 0), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_worker_start(pool, sock_starts);
    swirl_process_pool_on_worker_stop(pool, sock_stop);
    swirl_process_pool_on_message(pool, sock_message);
    swirl_process_pool_on_start(pool, sock_client);
    cr_assert_eq(swirl_process_pool_start(pool), SWIRL_ESTATE, "listen first");
    cr_assert_eq(swirl_process_pool_write(pool, "x", 1), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_pool_detach(pool), SWIRL_ESTATE);
    /* a free port: bind 0, read it back */
    int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    cr_assert_eq(bind(probe, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(getsockname(probe, (struct sockaddr *)&a, &al), 0);
    sock_port = ntohs(a.sin_port);
    close(probe);
    cr_assert_eq(swirl_process_pool_listen(pool, "127.0.0.1", sock_port, 16), 0);
    cr_assert_eq(swirl_process_pool_listen(pool, "127.0.0.1", sock_port, 16), SWIRL_ESTATE);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    cr_assert_eq(atomic_load(&s->by_worker[0]), 1, "both answers came back");
    cr_assert_eq(atomic_load(&s->total), 2);
    cr_assert_eq(atomic_load(&s->died), 1);
    cr_assert_eq(atomic_load(&s->starts), 2, "the detached worker was replaced");
    swirl_process_pool_free(pool);
    /* the detached worker is not the pool's to wait for: reap it here */
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
    munmap(s, sizeof(*s));

    swirl_process_pool_t *u;
    cr_assert_eq(swirl_process_pool_new(&u, 1, SWIRL_IPC_UNIXSOCK, 0), 0);
    cr_assert_eq(swirl_process_pool_listen(u, "127.0.0.1", 0, 0), SWIRL_ESTATE);
    swirl_process_pool_free(u);
    TU_FD_END();
}

/* A hostile client of a SWIRL_IPC_SOCKET pool: one connection sends 2 bytes of
 * a length then nothing, another a length of 4 GiB; the one worker must drop
 * them (the read timeout, the size limit) and still answer the next client. */
static void slow_client(swirl_process_pool_t *pool, void *user) {
    shared_t *s = user;
    pid_t master = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sock_port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int slow = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok = slow >= 0 && connect(slow, (struct sockaddr *)&a, sizeof a) == 0 &&
                  write(slow, "\0\0", 2) == 2;
        int huge = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ok = ok && huge >= 0 && connect(huge, (struct sockaddr *)&a, sizeof a) == 0 &&
             write(huge, "\xff\xff\xff\xff", 4) == 4;
        char ans[64];
        ask("hello", ans, sizeof ans); /* blocks until answered (the test's timeout guards) */
        ok = ok && memcmp(ans + 4, "re:hello", 8) == 0;
        atomic_store(&s->by_worker[0], ok);
        close(slow);
        close(huge);
        kill(master, SIGTERM);
        _exit(0);
    }
}

Test(pool, socket_pool_drops_a_silent_client_and_serves_the_next, .timeout = 30) {
    TU_FD_BEGIN();
    shared_t *s = shared_new();
    swirl_process_pool_t *pool;
    cr_assert_eq(swirl_process_pool_new(&pool, 1, SWIRL_IPC_SOCKET, 0), 0);
    cr_assert_eq(swirl_process_pool_set_read_timeout(pool, 0), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_pool_set_read_timeout(pool, -5), SWIRL_EBADARG);
    cr_assert_eq(swirl_process_pool_set_read_timeout(pool, 200), 0);
    swirl_process_pool_set_user(pool, s);
    swirl_process_pool_on_message(pool, sock_message);
    swirl_process_pool_on_start(pool, slow_client);
    int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    cr_assert_eq(bind(probe, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(getsockname(probe, (struct sockaddr *)&a, &al), 0);
    sock_port = ntohs(a.sin_port);
    close(probe);
    cr_assert_eq(swirl_process_pool_listen(pool, "127.0.0.1", sock_port, 16), 0);
    cr_assert_eq(swirl_process_pool_start(pool), 0);
    cr_assert_eq(atomic_load(&s->by_worker[0]), 1, "the next client was answered");
    cr_assert_eq(atomic_load(&s->total), 1, "only the whole message reached on_message");
    swirl_process_pool_free(pool);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
    munmap(s, sizeof(*s));
    TU_FD_END();
}
