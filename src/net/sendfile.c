/* src/net/sendfile.c — zero-copy file-to-socket transfer. Kept apart from
 * socket.c because, unlike send(), sendfile() has no MSG_NOSIGNAL: a closed
 * peer raises SIGPIPE, which this file keeps from ever reaching the process
 * (swirl__nopipe_begin/end, core/nopipe.c). */
#include <errno.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <swirl/net.h>

#include "../core/internal.h"

ssize_t swirl_net_sendfile(int out_fd, int in_fd, off_t *offset, size_t count) {
    swirl__nopipe_t g;
    swirl__nopipe_begin(&g);
    ssize_t n;
    while ((n = sendfile(out_fd, in_fd, offset, count)) < 0 && errno == EINTR)
        ;
    int rc = n >= 0 ? 0 : swirl__neg_errno();
    swirl__nopipe_end(&g);
    return rc < 0 ? rc : n;
}
