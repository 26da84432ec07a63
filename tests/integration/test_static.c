/* tests/integration/test_static.c — static files and sendfile over real
 * sockets: in PROCESS mode the file the worker opened (under
 * document_root, in its chroot, as its user) is the one the reactor sends
 * — no path is opened a second time by the master — and a FIFO, socket or
 * device under document_root is refused at once instead of hanging. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <swirl/swirl.h>

#include "forkserver.h"
#include "rawsock.h"
#include "testutil.h"

TU_SUITE(static_files);

/* ---- a server of the test's own --------------------------------------------------------- */

static char fifo_path[512]; /* for the handler's "/raw-fifo" */
static char send_path[512]; /* for the handler's "/send" */

/* Not a static file: "/send" sends send_path with the response API,
 * "/raw-fifo" asks swirl_server_sendfile for the FIFO (must fail at
 * once), anything else is 404 "handler". */
static void handler(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                    void *user) {
    (void)user;
    size_t n;
    const char *path = swirl_http_req_path(req, &n);
    if (n == 5 && memcmp(path, "/send", 5) == 0) {
        if (swirl_http_resp_sendfile(resp, send_path, 0, 0) < 0) {
            swirl_http_resp_status(resp, 500, NULL);
            swirl_http_resp_end(resp, "sendfile failed", 15);
        }
        return;
    }
    if (n > 8 && memcmp(path, "/sendto/", 8) == 0) { /* send_path to another connection */
        char id[32];
        snprintf(id, sizeof(id), "%.*s", (int)(n - 8), path + 8);
        int rc = swirl_server_sendfile(swirl_http_server_base(hs), atoll(id), send_path, 0, 0);
        swirl_http_resp_status(resp, rc < 0 ? 500 : 200, NULL);
        swirl_http_resp_end(resp, rc < 0 ? "failed" : "queued", 6);
        return;
    }
    if (n == 7 && memcmp(path, "/whoami", 7) == 0) { /* "<worker> <connection>" */
        char who[64];
        int len = snprintf(who, sizeof(who), "%d %lld",
                           swirl_server_worker_id(swirl_http_server_base(hs)),
                           (long long)swirl_http_resp_fd(resp));
        swirl_http_resp_end(resp, who, (size_t)len);
        return;
    }
    if (n == 9 && memcmp(path, "/raw-fifo", 9) == 0) {
        int rc = swirl_server_sendfile(swirl_http_server_base(hs), swirl_http_resp_fd(resp),
                                       fifo_path, 0, 0);
        swirl_http_resp_status(resp, rc < 0 ? 403 : 200, NULL);
        swirl_http_resp_end(resp, rc < 0 ? "refused" : "queued", rc < 0 ? 7 : 6);
        return;
    }
    swirl_http_resp_status(resp, 404, NULL);
    swirl_http_resp_end(resp, "handler", 7);
}

/* Fork a server (settings: "key", "value", ..., NULL); its pid and port. */
static pid_t start(const char *mode, const char *const *settings, int *port) {
    static const char *const suite[] = {"enable_static_handler", "true", "log_level", "warning",
                                        NULL};
    return tu_fork_http(&(tu_http_spec_t){mode, handler, {suite, settings}, SWIRL_HTTP_FIELDS_PLAIN}, port);
}

static void stop(pid_t pid) {
    int status = tu_stop_server(pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the server exits 0");
}

/* GET target with Connection: close; the status (-1: no answer within
 * 10 s, a generous bound: the server hangs), the whole response in out. */
static int get(int port, const char *target, char *out, size_t size) {
    int fd = tu_dial(port);
    char req[600];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                     target);
    cr_assert(tu_send_all(fd, req, (size_t)n));
    tu_read_all(fd, out, size, 10000, NULL);
    close(fd);
    return strncmp(out, "HTTP/1.1 ", 9) == 0 ? atoi(out + 9) : -1;
}

static const char *body_of(const char *out) {
    const char *b = strstr(out, "\r\n\r\n");
    return b ? b + 4 : "";
}

static void put_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static void rm_rf(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", dir);
}

/* ---- chroot: the worker's file, not the host's ------------------------------------------- */

/* The jail is a directory J; document_root is the path D = J/docs, which
 * names one directory on the host and another (J + D) inside the jail. A
 * request must get the jail's file: the worker is confined to it. */
Test(static_files, process_mode_with_chroot_serves_the_jails_file_not_the_hosts, .timeout = 60) {
    if (geteuid() != 0) {
        cr_skip_test("chroot needs root: skipped (not root)");
        return;
    }
    char jail[128], docs[256], inside[512], path[600];
    tu_tmp_path(jail, sizeof(jail), "jail");
    snprintf(docs, sizeof(docs), "%s/docs", jail);
    snprintf(inside, sizeof(inside), "%s%s", jail, docs);
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s'", docs, inside);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/f.txt", docs);
    put_file(path, "HOST-CONTENT");
    snprintf(path, sizeof(path), "%s/only-host.txt", docs);
    put_file(path, "HOST-ONLY");
    snprintf(path, sizeof(path), "%s/f.txt", inside);
    put_file(path, "JAIL-CONTENT");
    /* the handler's Response::sendfile of the same absolute path, seen from the jail */
    snprintf(send_path, sizeof(send_path), "%s/f.txt", docs);

    const char *settings[] = {"document_root", docs, "chroot", jail, NULL};
    int port;
    pid_t pid = start("process", settings, &port);
    static char out[1 << 16];
    int code = get(port, "/f.txt", out, sizeof(out));
    cr_expect_eq(code, 200, "%s", out);
    cr_expect_str_eq(body_of(out), "JAIL-CONTENT", "static file: the host's file was served: %s",
                     out);
    code = get(port, "/only-host.txt", out, sizeof(out));
    cr_expect_eq(code, 404, "a file only on the host is not there: %s", out);
    cr_expect_null(strstr(out, "HOST-ONLY"), "%s", out);
    code = get(port, "/send", out, sizeof(out));
    cr_expect_eq(code, 200, "%s", out);
    cr_expect_str_eq(body_of(out), "JAIL-CONTENT", "Response::sendfile: the host's file: %s", out);
    stop(pid);
    rm_rf(jail);
}

/* ---- a file swapped for a symlink between two opens ------------------------------------- */

typedef struct {
    char dir[128], secret[160];
    atomic_bool quit;
    long swaps;
} swapper_t;

/* race.txt is, in turn, a regular file and a symlink to the secret outside
 * the root: the two names are exchanged atomically, as fast as can be. */
static void *swap_loop(void *arg) {
    swapper_t *s = arg;
    char file[200], link[200];
    snprintf(file, sizeof(file), "%s/race.txt", s->dir);
    snprintf(link, sizeof(link), "%s/.link", s->dir);
    while (!atomic_load(&s->quit)) {
        if (renameat2(AT_FDCWD, file, AT_FDCWD, link, RENAME_EXCHANGE) != 0) {
            cr_log_error("renameat2: %s", strerror(errno));
            break;
        }
        s->swaps++;
    }
    return NULL;
}

static void symlink_race(const char *mode) {
    static swapper_t s;
    memset(&s, 0, sizeof(s));
    tu_tmp_path(s.dir, sizeof(s.dir), "race");
    snprintf(s.secret, sizeof(s.secret), "%s.secret", s.dir);
    cr_assert_eq(mkdir(s.dir, 0755), 0);
    put_file(s.secret, "SECRET"); /* as long as the public file: Content-Length does not cut it */
    char file[200];
    snprintf(file, sizeof(file), "%s/race.txt", s.dir);
    put_file(file, "public");
    char link[200];
    snprintf(link, sizeof(link), "%s/.link", s.dir);
    cr_assert_eq(symlink(s.secret, link), 0);
    const char *settings[] = {"document_root", s.dir, NULL};
    int port;
    pid_t pid = start(mode, settings, &port);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, swap_loop, &s), 0);
    static char out[4096];
    int served = 0, refused = 0, leaked = 0, requests = 0, other = 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do { /* about 2.5 s of requests: the count does not matter, only what is served */
        int code = get(port, "/race.txt", out, sizeof(out));
        requests++;
        leaked += strstr(out, "SECRET") != NULL;
        served += code == 200 && strcmp(body_of(out), "public") == 0;
        refused += code == 403;
        if (code != 403 && !(code == 200 && strcmp(body_of(out), "public") == 0) && other++ < 3)
            cr_log_warn("%s: unexpected answer: %s", mode, out);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 < 2500);
    atomic_store(&s.quit, true);
    pthread_join(t, NULL);
    cr_log_info("%s: %d requests, %ld swaps: %d served, %d refused, %d leaked, %d other", mode,
                requests, s.swaps, served, refused, leaked, other);
    cr_expect_eq(leaked, 0, "%s: the secret outside document_root was served %d times of %d", mode,
                 leaked, requests);
    cr_expect_gt(served, 0, "%s: the file was never served", mode);
    cr_expect_eq(other, 0, "%s: %d answers neither the file nor 403", mode, other);
    stop(pid);
    rm_rf(s.dir);
    unlink(s.secret);
}

Test(static_files, symlink_swapped_in_never_serves_a_file_outside_the_root_process, .timeout = 60) {
    symlink_race("process");
}

Test(static_files, symlink_swapped_in_never_serves_a_file_outside_the_root_base, .timeout = 60) {
    symlink_race("base");
}

/* ---- FIFOs, sockets, devices -------------------------------------------------------------- */

static void special_files(const char *mode) {
    char dir[128], path[200];
    tu_tmp_path(dir, sizeof(dir), "special");
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/index.html", dir);
    put_file(path, "<h1>ok</h1>");
    snprintf(fifo_path, sizeof(fifo_path), "%s/pipe", dir);
    cr_assert_eq(mkfifo(fifo_path, 0644), 0);
    mkdir(strcat(strcpy(path, dir), "/fifodir"), 0755);
    snprintf(path, sizeof(path), "%s/fifodir/index.html", dir);
    cr_assert_eq(mkfifo(path, 0644), 0);
    int us = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un ua = {.sun_family = AF_UNIX};
    snprintf(ua.sun_path, sizeof(ua.sun_path), "%.90s/sock", dir);
    cr_assert_eq(bind(us, (struct sockaddr *)&ua, sizeof(ua)), 0);
    snprintf(path, sizeof(path), "%s/null", dir);
    bool dev = geteuid() == 0 && mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0;
    if (!dev)
        cr_log_warn("not root: no device node made; FIFOs and sockets only");

    const char *settings[] = {"document_root", dir, NULL};
    int port;
    pid_t pid = start(mode, settings, &port);
    static char out[4096];
    const char *targets[] = {"/pipe", "/fifodir/", "/sock", "/null", "/raw-fifo"};
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        if (!dev && strcmp(targets[i], "/null") == 0)
            continue;
        int code = get(port, targets[i], out, sizeof(out));
        cr_assert_eq(code, 403, "%s %s: expected 403 at once, got %d: %s", mode, targets[i], code,
                     out);
        /* and the server still serves */
        code = get(port, "/", out, sizeof(out));
        cr_assert_eq(code, 200, "%s: after %s: %d %s", mode, targets[i], code, out);
        cr_expect_str_eq(body_of(out), "<h1>ok</h1>");
    }
    stop(pid);
    close(us);
    rm_rf(dir);
}

Test(static_files, fifo_socket_and_device_are_refused_without_hanging_process, .timeout = 120) {
    special_files("process");
}

Test(static_files, fifo_socket_and_device_are_refused_without_hanging_base, .timeout = 120) {
    special_files("base");
}

/* ---- no fd left behind --------------------------------------------------------------------- */

static int fd_count(pid_t pid) {
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Clients that ask for a big file and reset the connection at once: the
 * handed-over fds are closed whether the file was queued, found its
 * connection gone, or was still on its way. */
Test(static_files, handed_over_files_are_closed_when_clients_go_away, .timeout = 60) {
    char dir[128], path[200];
    tu_tmp_path(dir, sizeof(dir), "fds");
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/big.bin", dir);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "head -c 4000000 /dev/zero > '%s'", path);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/index.html", dir);
    put_file(path, "ok");
    char log[200];
    snprintf(log, sizeof(log), "%s.log", dir);
    const char *settings[] = {"document_root", dir, "log_file", log, NULL};
    int port;
    pid_t pid = start("process", settings, &port);
    static char out[4096];
    cr_assert_eq(get(port, "/", out, sizeof(out)), 200);
    int before = fd_count(pid);
    for (int i = 0; i < 40; i++) {
        int fd = tu_dial(port);
        const char req[] = "GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n";
        cr_assert_eq(send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(req) - 1);
        if (i % 2) { /* read a little first */
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, 5000) > 0 && recv(fd, out, sizeof(out), 0) < 0)
                cr_log_warn("recv: %s", strerror(errno));
        }
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(fd); /* RST */
    }
    cr_assert_eq(get(port, "/", out, sizeof(out)), 200);
    int after = fd_count(pid);
    for (int i = 0; i < 500 && after > before; i++) { /* closes may still be settling */
        usleep(20000);
        after = fd_count(pid);
    }
    cr_expect_leq(after, before, "the master holds %d fds, %d before the resets", after, before);
    stop(pid);
    /* a client leaving in the middle of a file is no server fault: no
     * warning per reset, which would let clients grow the log at will */
    int warned = 0;
    FILE *f = fopen(log, "r");
    cr_assert(f, "no log file %s", log);
    char line[1024];
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "WARN") && strstr(line, "sendfile")) {
            if (warned++ == 0)
                cr_log_warn("%s", line);
        }
    fclose(f);
    unlink(log);
    cr_expect_eq(warned, 0, "%d warnings for 40 clients leaving in the middle of a file", warned);
    rm_rf(dir);
}

/* ---- BASE mode: a file for another worker's connection ------------------------------------ */

/* One keep-alive request on fd; the body (Content-Length bodies only). */
static void ask(int fd, const char *target, char *body, size_t size) {
    char req[256], out[2048];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", target);
    cr_assert_eq(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    size_t got = 0;
    const char *end = NULL;
    while (!end ||
           got < (size_t)(end + 4 - out) + (size_t)atoi(strcasestr(out, "content-length:") + 15)) {
        struct pollfd p = {fd, POLLIN, 0};
        cr_assert_gt(poll(&p, 1, 10000), 0, "no answer to %s", target);
        ssize_t r = recv(fd, out + got, sizeof(out) - 1 - got, 0);
        cr_assert_gt(r, 0, "closed while asking %s", target);
        got += (size_t)r;
        out[got] = 0;
        end = strcasestr(out, "content-length:") ? strstr(out, "\r\n\r\n") : NULL;
    }
    snprintf(body, size, "%s", end + 4);
}

/* Worker Y sends a file to a connection worker X owns: the fd Y opened
 * goes to X through X's mailbox, and X sends it. */
Test(static_files, base_mode_sendfile_to_another_workers_connection, .timeout = 60) {
    char dir[128];
    tu_tmp_path(dir, sizeof(dir), "cross");
    cr_assert_eq(mkdir(dir, 0755), 0);
    snprintf(send_path, sizeof(send_path), "%s/payload.txt", dir);
    put_file(send_path, "PAYLOAD-FROM-THE-OTHER-WORKER");
    const char *settings[] = {"document_root",     dir,    "worker_num", "2",
                              "enable_reuse_port", "true", NULL};
    int port;
    pid_t pid = start("base", settings, &port);
    char body[256];
    int a = tu_dial(port), wa = -1;
    long long ida = 0;
    ask(a, "/whoami", body, sizeof(body));
    cr_assert_eq(sscanf(body, "%d %lld", &wa, &ida), 2, "%s", body);
    int b = -1;
    for (int i = 0; i < 64 && b < 0; i++) { /* a connection the other worker owns */
        int c = tu_dial(port), wc = -1;
        long long idc;
        ask(c, "/whoami", body, sizeof(body));
        cr_assert_eq(sscanf(body, "%d %lld", &wc, &idc), 2, "%s", body);
        if (wc != wa)
            b = c;
        else
            close(c);
    }
    if (b < 0) {
        stop(pid);
        rm_rf(dir);
        cr_skip_test("64 connections all went to worker %d: nothing to test", wa);
        return;
    }
    char target[64];
    snprintf(target, sizeof(target), "/sendto/%lld", ida);
    ask(b, target, body, sizeof(body));
    cr_assert_str_eq(body, "queued");
    /* the file's bytes arrive, raw, on the first connection */
    char got[64] = {0};
    size_t want = strlen("PAYLOAD-FROM-THE-OTHER-WORKER"), have = 0;
    while (have < want) {
        struct pollfd p = {a, POLLIN, 0};
        cr_assert_gt(poll(&p, 1, 10000), 0, "the file never came (%zu bytes)", have);
        ssize_t r = recv(a, got + have, want - have, 0);
        cr_assert_gt(r, 0);
        have += (size_t)r;
    }
    cr_expect_str_eq(got, "PAYLOAD-FROM-THE-OTHER-WORKER");
    close(a);
    close(b);
    stop(pid);
    rm_rf(dir);
}
