/* src/process/msgqueue.c — System V message queues, the way the task
 * workers (task_ipc_mode 2 and 3) and process objects (useQueue, push, pop)
 * use them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <swirl/core.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "../core/internal.h"
#include "internal.h"

int swirl__msgq_create(key_t key, int *id) {
    int q = msgget(key ? key : IPC_PRIVATE, IPC_CREAT | 0600);
    if (q < 0)
        return swirl__error(swirl__neg_errno(), "message queue (key %ld):", (long)key);
    *id = q;
    return 0;
}

int swirl__msgq_remove(int id) {
    if (msgctl(id, IPC_RMID, NULL) != 0)
        return swirl__error(swirl__neg_errno(), "message queue %d: remove:", id);
    return 0;
}

int swirl__msgq_stat(int id, size_t *messages, size_t *bytes) {
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) != 0)
        return swirl__error(swirl__neg_errno(), "message queue %d: stat:", id);
    if (messages)
        *messages = (size_t)ds.msg_qnum;
    if (bytes)
        *bytes = (size_t)ds.__msg_cbytes;
    return 0;
}

void swirl__msgq_limits(size_t *msgmax, size_t *msgmnb) {
    struct msginfo info;
    /* IPC_INFO fills a struct msginfo through the msqid_ds pointer */
    if (msgctl(0, IPC_INFO, (struct msqid_ds *)(void *)&info) < 0) {
        info.msgmax = 8192; /* Linux's defaults */
        info.msgmnb = 16384;
    }
    if (msgmax)
        *msgmax = (size_t)info.msgmax;
    if (msgmnb)
        *msgmnb = (size_t)info.msgmnb;
}

int swirl__msgq_send(int id, const void *msg, size_t len, bool nowait) {
    for (;;) {
        if (msgsnd(id, msg, len, nowait ? IPC_NOWAIT : 0) == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN)
            return -EAGAIN;
        return swirl__error(swirl__neg_errno(), "message queue %d: send of %zu bytes:", id, len);
    }
}

ssize_t swirl__msgq_recv(int id, void *msg, size_t cap, long type, bool nowait) {
    for (;;) {
        ssize_t n = msgrcv(id, msg, cap, type, nowait ? IPC_NOWAIT : 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno == ENOMSG)
            return -ENOMSG;
        return swirl__error(swirl__neg_errno(), "message queue %d: receive:", id);
    }
}

int swirl__msgq_send_bytes(int id, long type, const void *data, size_t len, bool nowait) {
    struct {
        long type;
        char text[8192];
    } small;
    long *msg = (long *)(void *)&small;
    if (len > sizeof(small.text)) {
        msg = swirl_malloc(sizeof(long) + len);
        if (!msg)
            return swirl__error(-ENOMEM, "message queue %d: %zu bytes:", id, len);
    }
    msg[0] = type;
    memcpy(msg + 1, data, len);
    int rc = swirl__msgq_send(id, msg, len, nowait);
    if (msg != (long *)(void *)&small)
        swirl_free(msg);
    return rc;
}

/* ---- a process object's queue -------------------------------------------------------------- */

int swirl_process_use_queue(swirl_process_t *p, key_t key, int mode) {
    int base = mode & ~SWIRL_PROCESS_IPC_NOWAIT;
    if (base == 0)
        base = SWIRL_MSGQUEUE_BALANCE;
    if (base != SWIRL_MSGQUEUE_BALANCE && base != SWIRL_MSGQUEUE_ORIENT)
        return swirl__error(SWIRL_EBADARG,
                            "process: queue mode %d: expected 1 (orient) or 2 (balance), "
                            "optionally | 256 (no wait)",
                            mode);
    int id = -1;
    int rc = swirl__msgq_create(key, &id);
    if (rc < 0)
        return rc;
    p->msgq = id;
    p->msgq_mode = base | (mode & SWIRL_PROCESS_IPC_NOWAIT);
    return 0;
}

static long push_type(const swirl_process_t *p) {
    return (p->msgq_mode & ~SWIRL_PROCESS_IPC_NOWAIT) == SWIRL_MSGQUEUE_ORIENT ? p->id + 1 : 1;
}

int swirl_process_push(swirl_process_t *p, const void *data, size_t len) {
    if (p->msgq < 0)
        return swirl__error(SWIRL_ESTATE, "process: push: no queue (use_queue first)");
    size_t msgmax;
    swirl__msgq_limits(&msgmax, NULL);
    if (len == 0 || len > msgmax)
        return swirl__error(len ? SWIRL_ETOOBIG : SWIRL_EBADARG,
                            "process: push: a message of %zu bytes (1..%zu, the system's msgmax)",
                            len, msgmax);
    int rc = swirl__msgq_send_bytes(p->msgq, push_type(p), data, len,
                                    p->msgq_mode & SWIRL_PROCESS_IPC_NOWAIT);
    if (rc == -EAGAIN)
        return swirl__error(-EAGAIN, "process: push: the queue is full");
    return rc;
}

ssize_t swirl_process_pop(swirl_process_t *p, void *buf, size_t cap) {
    if (p->msgq < 0)
        return swirl__error(SWIRL_ESTATE, "process: pop: no queue (use_queue first)");
    struct {
        long type;
        char text[8192];
    } small;
    long *msg = (long *)(void *)&small;
    if (cap > sizeof(small.text)) {
        msg = swirl_malloc(sizeof(long) + cap);
        if (!msg)
            return swirl__error(-ENOMEM, "process: pop:");
    }
    long type = (p->msgq_mode & ~SWIRL_PROCESS_IPC_NOWAIT) == SWIRL_MSGQUEUE_ORIENT ? p->id + 1 : 0;
    ssize_t n = swirl__msgq_recv(p->msgq, msg, cap, type, p->msgq_mode & SWIRL_PROCESS_IPC_NOWAIT);
    if (n >= 0)
        memcpy(buf, msg + 1, (size_t)n);
    if (msg != (long *)(void *)&small)
        swirl_free(msg);
    if (n == -ENOMSG)
        return swirl__error(-EAGAIN, "process: pop: the queue is empty");
    if (n == -E2BIG)
        return swirl__error(SWIRL_ETOOBIG,
                            "process: pop: the next message is longer than %zu bytes (it stays "
                            "in the queue)",
                            cap);
    return n;
}

int swirl_process_stat_queue(swirl_process_t *p, size_t *messages, size_t *bytes) {
    if (p->msgq < 0)
        return swirl__error(SWIRL_ESTATE, "process: stat_queue: no queue");
    return swirl__msgq_stat(p->msgq, messages, bytes);
}

int swirl_process_free_queue(swirl_process_t *p) {
    if (p->msgq < 0)
        return swirl__error(SWIRL_ESTATE, "process: free_queue: no queue");
    int rc = swirl__msgq_remove(p->msgq);
    p->msgq = -1;
    return rc;
}
