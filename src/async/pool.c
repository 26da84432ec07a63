/* src/async/pool.c — the per-process thread pool that runs blocking jobs,
 * and the per-loop completion queue (an eventfd) that brings each result
 * back to the loop's thread. Files and DNS build on it (file.c, dns.c). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../core/internal.h"
#include "../event/internal.h"
#include "internal.h"

/* A loop's side: finished jobs wait in `done` until the loop thread takes
 * them. Shared with the pool threads, so it lives apart from the loop and
 * is freed by whichever of the loop and the last job lets go of it last. */
struct swirl__aloop {
    pthread_mutex_t lock;
    swirl_loop_t *loop; /* NULL once the loop is freed */
    pid_t pid;          /* the process that made it: a child never touches it */
    int efd;
    size_t refs; /* 1 for the loop + 1 per job queued or running */
    swirl__job_t *done_head, *done_tail;
};

/* Per-process singleton: the pool. Threads do not survive fork, so the
 * child handler resets it to "not started" (the parent's queued jobs are
 * the parent's business; the child abandons them). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_once_t once;
    int nthreads;
    int busy;   /* jobs queued or running */
    int parked; /* threads waiting for a job */
    swirl__job_t *head, *tail;
} pool = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_ONCE_INIT, 0, 0, 0, NULL, NULL};

static void pool_prepare(void) { pthread_mutex_lock(&pool.lock); }
static void pool_parent(void) { pthread_mutex_unlock(&pool.lock); }
static void pool_child(void) {
    pthread_mutex_unlock(&pool.lock); /* held by this very thread since prepare */
    pthread_cond_init(&pool.cond, NULL);
    pool.nthreads = 0;
    pool.busy = 0;
    pool.parked = 0;
    pool.head = pool.tail = NULL;
}
static void pool_setup(void) { pthread_atfork(pool_prepare, pool_parent, pool_child); }

int swirl__async_pool_threads(void) {
    pthread_mutex_lock(&pool.lock);
    int n = pool.nthreads;
    pthread_mutex_unlock(&pool.lock);
    return n;
}

int swirl__async_pool_parked(void) {
    pthread_mutex_lock(&pool.lock);
    int n = pool.parked;
    pthread_mutex_unlock(&pool.lock);
    return n;
}

int swirl__async_pool_busy(void) {
    pthread_mutex_lock(&pool.lock);
    int n = pool.busy;
    pthread_mutex_unlock(&pool.lock);
    return n;
}

static void aloop_destroy(swirl__aloop_t *al) {
    pthread_mutex_destroy(&al->lock);
    swirl_free(al);
}

static void drop_list(swirl__job_t *j) {
    while (j) {
        swirl__job_t *next = j->next;
        j->release(j);
        j = next;
    }
}

/* Append to the loop's done list and wake it. Caller holds al->lock and
 * has checked that the loop is still there. */
static void deliver_locked(swirl__aloop_t *al, swirl__job_t *job) {
    job->next = NULL;
    bool was_empty = al->done_head == NULL;
    if (al->done_tail)
        al->done_tail->next = job;
    else
        al->done_head = job;
    al->done_tail = job;
    if (was_empty) {
        uint64_t one = 1;
        ssize_t n;
        do
            n = write(al->efd, &one, sizeof(one));
        while (n < 0 && errno == EINTR);
        /* EAGAIN means the counter is already huge: the loop is awake anyway */
    }
}

static void job_finished(swirl__job_t *job) {
    swirl__aloop_t *al = job->al;
    pthread_mutex_lock(&al->lock);
    bool orphan = al->loop == NULL;
    if (!orphan)
        deliver_locked(al, job);
    bool last = --al->refs == 0;
    pthread_mutex_unlock(&al->lock);
    if (orphan)
        job->release(job);
    if (last)
        aloop_destroy(al);
}

static void *pool_thread(void *arg) {
    SWIRL__UNUSED(arg);
    for (;;) {
        pthread_mutex_lock(&pool.lock);
        pool.parked++;
        while (!pool.head)
            pthread_cond_wait(&pool.cond, &pool.lock);
        pool.parked--;
        swirl__job_t *job = pool.head;
        pool.head = job->next;
        if (!pool.head)
            pool.tail = NULL;
        pthread_mutex_unlock(&pool.lock);
        job->work(job);
        job_finished(job);
        pthread_mutex_lock(&pool.lock);
        pool.busy--;
        pthread_mutex_unlock(&pool.lock);
    }
    return NULL;
}

/* Start the threads; caller holds pool.lock. They block every signal, so
 * process-directed signals reach the loops' signalfds, never a pool thread. */
static int pool_start_locked(void) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = 0;
    while (pool.nthreads < SWIRL_ASYNC_THREADS) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&t, &attr, pool_thread, NULL);
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break;
        pool.nthreads++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pool.nthreads > 0 ? 0 : -rc; /* fewer threads than asked still work */
}

/* ---- the loop side ----------------------------------------------------------------------- */

static void on_wakeup(swirl_loop_t *loop, int fd, int events, void *user) {
    SWIRL__UNUSED(events);
    swirl__aloop_t *al = user;
    uint64_t v;
    ssize_t n;
    do
        n = read(fd, &v, sizeof(v));
    while (n < 0 && errno == EINTR);
    pthread_mutex_lock(&al->lock);
    swirl__job_t *j = al->done_head;
    al->done_head = al->done_tail = NULL;
    pthread_mutex_unlock(&al->lock);
    while (j) {
        swirl__job_t *next = j->next;
        swirl__async_uncount(loop, j);
        j->done(loop, j);
        j = next;
    }
}

/* The loop is being freed (or, forget = true, forgotten in a child). */
static void aloop_detach(swirl_loop_t *loop, bool forget) {
    swirl__aloop_t *al = swirl__loop_ext(loop);
    swirl__loop_set_ext(loop, NULL, NULL);
    if (al->pid != getpid()) {
        /* Inherited across fork: a parent's pool thread may have held the
         * lock at fork time and nothing here will ever complete. Abandon the
         * jobs (their memory is the parent's story) and free our side. */
        close(al->efd);
        swirl_free(al);
        return;
    }
    pthread_mutex_lock(&al->lock);
    al->loop = NULL; /* from here on pool threads drop results instead of writing efd */
    swirl__job_t *list = al->done_head;
    al->done_head = al->done_tail = NULL;
    bool last = --al->refs == 0;
    pthread_mutex_unlock(&al->lock);
    if (!forget)
        swirl__loop_del_internal(loop, al->efd);
    close(al->efd);
    drop_list(list);
    if (last)
        aloop_destroy(al);
}

int swirl__async_attach(swirl_loop_t *loop, const char *what) {
    if (!loop)
        return swirl__error(SWIRL_EBADARG, "%s: loop is NULL", what);
    swirl__aloop_t *al = swirl__loop_ext(loop);
    if (al) {
        if (al->pid != getpid())
            return swirl__error(SWIRL_ESTATE,
                                "%s: this loop belongs to the parent process; make a new loop "
                                "in the child",
                                what);
        return 0;
    }
    pthread_once(&pool.once, pool_setup);
    al = swirl_calloc(1, sizeof(*al));
    if (!al)
        return swirl__error(-ENOMEM, "%s: async state for the loop:", what);
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) {
        int rc = swirl__neg_errno();
        swirl_free(al);
        return swirl__error(rc, "%s: eventfd:", what);
    }
    int rc = swirl__loop_add_internal(loop, efd, on_wakeup, al);
    if (rc < 0) {
        close(efd);
        swirl_free(al);
        return swirl__error(rc, "%s: registering the async eventfd:", what);
    }
    pthread_mutex_init(&al->lock, NULL);
    al->loop = loop;
    al->pid = getpid();
    al->efd = efd;
    al->refs = 1;
    swirl__loop_set_ext(loop, al, aloop_detach);
    return 0;
}

int swirl__async_submit(swirl_loop_t *loop, swirl__job_t *job, const char *what) {
    swirl__aloop_t *al = swirl__loop_ext(loop);
    pthread_mutex_lock(&pool.lock);
    if (pool.nthreads == 0) {
        int rc = pool_start_locked();
        if (rc < 0) {
            pthread_mutex_unlock(&pool.lock);
            return swirl__error(rc, "%s: starting the async thread pool:", what);
        }
    }
    pthread_mutex_lock(&al->lock);
    al->refs++;
    pthread_mutex_unlock(&al->lock);
    job->al = al;
    job->next = NULL;
    job->counted = true;
    swirl__loop_work_add(loop);
    if (pool.tail)
        pool.tail->next = job;
    else
        pool.head = job;
    pool.tail = job;
    pool.busy++;
    pthread_cond_signal(&pool.cond);
    pthread_mutex_unlock(&pool.lock);
    return 0;
}

void swirl__async_post(swirl_loop_t *loop, swirl__job_t *job) {
    swirl__aloop_t *al = swirl__loop_ext(loop);
    job->al = al;
    job->counted = true;
    swirl__loop_work_add(loop);
    pthread_mutex_lock(&al->lock);
    deliver_locked(al, job);
    pthread_mutex_unlock(&al->lock);
}

void swirl__async_uncount(swirl_loop_t *loop, swirl__job_t *job) {
    if (job->counted) {
        job->counted = false;
        swirl__loop_work_done(loop);
    }
}
