/* src/process/msgq.c — System V message queues, the way the task workers
 * (task_ipc_mode 2 and 3) and process objects use them. */
#include <errno.h>
#include <stdio.h>
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
