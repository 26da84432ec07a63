/* tests/integration/test_http_hostile.c — the HTTP layer against a hostile
 * client and a careless handler, over real sockets, in a server of the
 * test's own (forked), BASE and PROCESS mode:
 * - a chunked body of tiny chunks with long extensions keeps the worker's
 *   memory bounded (its VmHWM from /proc) and is refused;
 * - what the response API puts on the wire is always framed as its head
 *   says: no body after 1xx/204/304, never past a Content-Length the
 *   handler set, a close when the body ends short; read raw, byte for byte;
 * - a cookie expiring past year 9999 is refused;
 * - the upload temp files of a worker killed mid-upload are removed when
 *   its successor starts, those of a server gone when a server starts, and
 *   a live writer's files are never touched. */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <swirl/swirl.h>

#include "cli_harness.h"
#include "forkserver.h"
#include "rawsock.h"

TU_SUITE(http_hostile);

#ifndef SWIRL_HTTP_COOKIE_EXPIRES_MAX /* (so the test builds against older code too) */
#define SWIRL_HTTP_COOKIE_EXPIRES_MAX INT64_C(253402300799)
#endif

/* ---- a server of the test's own -------------------------------------------------------------- */

static int last_rc;        /* in the worker: what the last checked call returned */
static char last_msg[256]; /* and its message */

static void note(int rc) {
    last_rc = rc;
    snprintf(last_msg, sizeof(last_msg), "%s", rc < 0 ? swirl_last_error_msg() : "");
}

static void handler(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                    void *user) {
    (void)hs;
    (void)user;
    size_t n;
    const char *path = swirl_http_req_path(req, &n);
    char out[512];
    if (strcmp(path, "/pid") == 0) {
        int o = snprintf(out, sizeof(out), "pid %d", (int)getpid());
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/sum") == 0) { /* the body's length and byte sum */
        size_t len;
        const unsigned char *b = (const unsigned char *)swirl_http_req_body(req, &len);
        unsigned long sum = 0;
        for (size_t i = 0; i < len; i++)
            sum += b[i];
        int o = snprintf(out, sizeof(out), "len %zu sum %lu", len, sum);
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/last") == 0) {
        int o = snprintf(out, sizeof(out), "rc=%d %s", last_rc, last_msg);
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/204write") == 0) {
        swirl_http_resp_status(resp, 204, NULL);
        note(swirl_http_resp_write(resp, "evil", 4));
        swirl_http_resp_end(resp, NULL, 0);
    } else if (strcmp(path, "/304write") == 0) {
        swirl_http_resp_status(resp, 304, NULL);
        swirl_http_resp_write(resp, "", 0); /* the head alone */
        note(swirl_http_resp_write(resp, "evil", 4));
        swirl_http_resp_end(resp, NULL, 0);
    } else if (strcmp(path, "/204te") == 0) { /* a chunked 204 must not get a last chunk */
        swirl_http_resp_status(resp, 204, NULL);
        swirl_http_resp_header(resp, "Transfer-Encoding", "chunked");
        note(swirl_http_resp_end(resp, "evil", 4));
        swirl_http_resp_end(resp, NULL, 0);
    } else if (strcmp(path, "/cl") == 0) {
        swirl_http_resp_header(resp, "Content-Length", "5");
        int a = swirl_http_resp_write(resp, "hello world", 11);
        swirl_http_resp_write(resp, "hel", 3);
        swirl_http_resp_write(resp, "lo", 2);
        note(swirl_http_resp_write(resp, "x", 1));
        if (a >= 0)
            note(0); /* the first should have been refused */
        swirl_http_resp_end(resp, NULL, 0);
    } else if (strcmp(path, "/cllong") == 0) {
        swirl_http_resp_header(resp, "Content-Length", "2");
        note(swirl_http_resp_end(resp, "abcdef", 6));
        swirl_http_resp_end(resp, "ab", 2);
    } else if (strcmp(path, "/clshort") == 0) {
        swirl_http_resp_header(resp, "Content-Length", "10");
        swirl_http_resp_end(resp, "abc", 3);
    } else if (strcmp(path, "/clgz") == 0) { /* a set length is never compressed away */
        memset(out, 'z', 400);
        swirl_http_resp_header(resp, "Content-Type", "text/plain");
        swirl_http_resp_header(resp, "Content-Length", "400");
        swirl_http_resp_compress(resp, 6);
        swirl_http_resp_end(resp, out, 400);
    } else if (strcmp(path, "/clbad") == 0) {
        int a = swirl_http_resp_header(resp, "Content-Length", "5x");
        int b = swirl_http_resp_header(resp, "Transfer-Encoding", "gzip");
        int c = swirl_http_resp_header(resp, "Content-Length", "3");
        int d = swirl_http_resp_header(resp, "Transfer-Encoding", "chunked");
        int e = swirl_http_resp_header(resp, "content-length", "4");
        int f = swirl_http_resp_header_set(resp, "Content-Length", "y");
        int g = swirl_http_resp_header_set(resp, "Content-Length", "2");
        int o = snprintf(out, sizeof(out), "%d %d %d %d %d %d %d", a, b, c, d, e, f, g);
        swirl_http_resp_header_set(resp, "Content-Length", NULL);
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/head") == 0) {
        swirl_http_resp_end(resp, "abcdef", 6);
    } else if (strcmp(path, "/cookie") == 0) {
        swirl_http_cookie_t k = {.name = "a", .value = "1", .expires = INT64_MAX};
        int a = swirl_http_resp_cookie(resp, &k);
        char why[200];
        snprintf(why, sizeof(why), "%s", swirl_last_error_msg());
        k.expires = SWIRL_HTTP_COOKIE_EXPIRES_MAX + 1;
        int b = swirl_http_resp_cookie(resp, &k);
        k.name = "last";
        k.expires = SWIRL_HTTP_COOKIE_EXPIRES_MAX;
        int c = swirl_http_resp_cookie(resp, &k);
        int o = snprintf(out, sizeof(out), "%d %d %d|%s", a, b, c, why);
        swirl_http_resp_end(resp, out, (size_t)o);
    } else {
        swirl_http_resp_status(resp, 404, NULL);
        swirl_http_resp_end(resp, "nope", 4);
    }
}

/* Fork a server running `handler` in `mode` with settings ("key", "value",
 * ..., NULL); its port. */
static pid_t start(const char *mode, const char *const *settings, int *port) {
    static const char *const quiet[] = {"log_level", "5", NULL};
    return tu_fork_http(&(tu_http_spec_t){mode, handler, {quiet, settings}, SWIRL_HTTP_FIELDS_PLAIN}, port);
}

/* One GET on a new connection: the whole answer in out. */
static void get(int port, const char *target, char *out, size_t size) {
    int fd = tu_dial(port);
    char req[256];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
                     target);
    tu_send_all(fd, req, (size_t)n);
    bool closed;
    tu_read_all(fd, out, size, 10000, &closed);
    close(fd);
}

static pid_t worker_pid(int port) {
    char out[1024];
    get(port, "/pid", out, sizeof(out));
    const char *at = strstr(out, "\r\n\r\npid ");
    return at ? (pid_t)atoi(at + 8) : -1;
}

/* The peak resident size of `pid` in KiB (VmHWM). */
static long vm_hwm_kib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    cr_assert(f, "no %s", path);
    long kib = -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = atol(line + 6);
    fclose(f);
    return kib;
}

/* ---- chunked framing: memory bounded --------------------------------------------------------- */

/* 1-byte chunks with 4 KB extensions (each chunk well formed) for up to
 * 100 MB of framing around 25 000 body bytes. The server must refuse
 * (413 or 400) and its worker's peak memory must not grow by 50 MB. */
static void tiny_chunks_long_extensions(const char *mode) {
    int port;
    pid_t srv = start(mode, NULL, &port);
    pid_t w = worker_pid(port);
    cr_assert_gt(w, 0);
    long before = vm_hwm_kib(w);
    int fd = tu_dial(port);
    const char head[] = "POST /sum HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    cr_assert(tu_send_all(fd, head, sizeof(head) - 1));
    enum { EXT = 4000, PER = 64, ROUNDS = 400 };
    static char batch[PER * (EXT + 16)];
    size_t bl = 0;
    for (int i = 0; i < PER; i++) {
        memcpy(batch + bl, "1;", 2);
        memset(batch + bl + 2, 'e', EXT);
        memcpy(batch + bl + 2 + EXT, "\r\nX\r\n", 5);
        bl += EXT + 7;
    }
    bool sent_all = true;
    for (int r = 0; r < ROUNDS && sent_all; r++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 0) > 0)
            break; /* answered (refused): stop sending */
        sent_all = tu_send_all(fd, batch, bl);
    }
    if (sent_all)
        tu_send_all(fd, "0\r\n\r\n", 5);
    static char out[8192];
    bool closed;
    tu_read_all(fd, out, sizeof(out), 20000, &closed);
    close(fd);
    long after = vm_hwm_kib(w);
    cr_expect_lt(after - before, 50 * 1024, "the worker's peak memory grew by %ld KiB",
                 after - before);
    cr_expect(strncmp(out, "HTTP/1.1 413 ", 13) == 0 || strncmp(out, "HTTP/1.1 400 ", 13) == 0,
              "refused: %.300s", out);
    cr_expect(strstr(out, "chunk framing out of proportion"), "%.300s", out);
    /* the worker lives on and serves */
    cr_expect_eq(worker_pid(port), w);
    tu_stop_server(srv);
}

Test(http_hostile, tiny_chunks_long_extensions_memory_bounded_base, .timeout = 120) {
    tiny_chunks_long_extensions("base");
}
Test(http_hostile, tiny_chunks_long_extensions_memory_bounded_process, .timeout = 120) {
    tiny_chunks_long_extensions("process");
}

/* Tiny chunks with short extensions, in pieces: accepted, the body whole
 * (the framing is cut off behind the decoded bytes as it comes). */
static void tiny_chunks_accepted(const char *mode) {
    int port;
    pid_t srv = start(mode, NULL, &port);
    int fd = tu_dial(port);
    const char head[] = "POST /sum HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    cr_assert(tu_send_all(fd, head, sizeof(head) - 1));
    static char buf[1 << 16];
    size_t bl = 0, len = 0;
    unsigned long sum = 0;
    for (int i = 0; i < 20000; i++) {
        int k = i % 3 + 1;
        bl += (size_t)snprintf(buf + bl, sizeof(buf) - bl, "%x;n=v\r\n", k);
        for (int j = 0; j < k; j++, len++) {
            buf[bl++] = (char)('a' + (i + j) % 26);
            sum += (unsigned char)buf[bl - 1];
        }
        memcpy(buf + bl, "\r\n", 2);
        bl += 2;
        if (bl > sizeof(buf) - 64) {
            cr_assert(tu_send_all(fd, buf, bl));
            bl = 0;
        }
    }
    memcpy(buf + bl, "0\r\nT: 1\r\n\r\n", 11);
    cr_assert(tu_send_all(fd, buf, bl + 11));
    char out[4096], want[64];
    bool closed;
    tu_read_all(fd, out, sizeof(out), 2000, &closed);
    close(fd);
    snprintf(want, sizeof(want), "\r\n\r\nlen %zu sum %lu", len, sum);
    cr_expect(strstr(out, want), "want \"%s\": %.300s", want + 4, out);
    tu_stop_server(srv);
}

Test(http_hostile, tiny_chunks_with_short_extensions_accepted_base, .timeout = 120) {
    tiny_chunks_accepted("base");
}
Test(http_hostile, tiny_chunks_with_short_extensions_accepted_process, .timeout = 120) {
    tiny_chunks_accepted("process");
}

/* ---- the response API: framed as its head says ----------------------------------------------- */

/* Send `req` (pipelined requests), read until the server is quiet or
 * closes. */
static size_t wire(int port, const char *req, char *out, size_t size, bool *closed) {
    int fd = tu_dial(port);
    tu_send_all(fd, req, strlen(req));
    size_t n = tu_read_all(fd, out, size, 1500, closed);
    close(fd);
    return n;
}

/* The length of the head at p (through its empty line), or 0. */
static size_t head_len(const char *p) {
    const char *e = strstr(p, "\r\n\r\n");
    return e ? (size_t)(e + 4 - p) : 0;
}

#define GET(t) "GET " t " HTTP/1.1\r\nHost: h\r\n\r\n"

static void response_framing(const char *mode) {
    int port;
    pid_t srv = start(mode, NULL, &port);
    static char out[1 << 16];
    bool closed;
    /* after a 204 or 304 head, the next bytes are the next response */
    const char *nobody[] = {GET("/204write") GET("/last"), GET("/304write") GET("/last"),
                            GET("/204te") GET("/last")};
    for (size_t i = 0; i < sizeof(nobody) / sizeof(nobody[0]); i++) {
        wire(port, nobody[i], out, sizeof(out), &closed);
        size_t h = head_len(out);
        cr_assert(h, "%s", out);
        cr_expect(strncmp(out, "HTTP/1.1 204 ", 13) == 0 || strncmp(out, "HTTP/1.1 304 ", 13) == 0,
                  "%s", out);
        cr_expect(!memmem(out, h, "Content-Length", 14) && !memmem(out, h, "Transfer-Enc", 12) &&
                      !strstr(out, "evil"),
                  "%s", out);
        cr_expect(strncmp(out + h, "HTTP/1.1 200 OK\r\n", 17) == 0, "after the head: %s", out + h);
        cr_expect(strstr(out + h, "\r\n\r\nrc=-1012 http response: ") &&
                      strstr(out + h, "response has no body"),
                  "%s", out + h);
    }
    /* a Content-Length of the handler's: bytes past it refused */
    size_t n = wire(port, GET("/cl") GET("/last"), out, sizeof(out), &closed);
    size_t h = head_len(out);
    cr_assert(h && strstr(out, "Content-Length: 5\r\n") && !strstr(out, "chunked"), "%s", out);
    cr_expect(strncmp(out + h, "helloHTTP/1.1 200 OK\r\n", 22) == 0, "%s", out);
    cr_expect(strstr(out + h, "rc=-1012 http response: write: 1 bytes would pass the "
                              "Content-Length 5 (5 sent)"),
              "%s", out + h);
    cr_expect(!closed);
    n = wire(port, GET("/cllong") GET("/last"), out, sizeof(out), &closed);
    h = head_len(out);
    cr_expect(strncmp(out + h, "abHTTP/1.1 200 OK\r\n", 19) == 0, "%s", out);
    cr_expect(strstr(out + h, "rc=-1012 http response: end: 6 bytes would pass the "
                              "Content-Length 2 (0 sent)"),
              "%s", out + h);
    /* short: what there is, then the close (the request behind is not answered) */
    n = wire(port, GET("/clshort") GET("/last"), out, sizeof(out), &closed);
    h = head_len(out);
    cr_expect(closed && n == h + 3 && strcmp(out + h, "abc") == 0, "%s", out);
    cr_expect(strstr(out, "Content-Length: 10\r\n") && strstr(out, "Connection: close\r\n"), "%s",
              out);
    /* never compressed away from its length */
    const char gz[] = "GET /clgz HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n" GET("/pid");
    n = wire(port, gz, out, sizeof(out), &closed);
    h = head_len(out);
    cr_expect(!strstr(out, "Content-Encoding") && strspn(out + h, "z") == 400 &&
                  strncmp(out + h + 400, "HTTP/1.1 200 OK\r\n", 17) == 0,
              "%s", out);
    /* framing headers the server could not keep true */
    wire(port, GET("/clbad"), out, sizeof(out), &closed);
    cr_expect(strstr(out, "\r\n\r\n-1011 -1011 0 -1011 -1011 -1011 0"), "%s", out);
    /* HEAD: the body's length, no body; the next response right after */
    n = wire(port, "HEAD /head HTTP/1.1\r\nHost: h\r\n\r\n" GET("/pid"), out, sizeof(out), &closed);
    h = head_len(out);
    cr_expect(strstr(out, "Content-Length: 6\r\n") &&
                  strncmp(out + h, "HTTP/1.1 200 OK\r\n", 17) == 0,
              "%s", out);
    tu_stop_server(srv);
}

Test(http_hostile, response_framed_as_its_head_says_base, .timeout = 60) {
    response_framing("base");
}
Test(http_hostile, response_framed_as_its_head_says_process, .timeout = 60) {
    response_framing("process");
}

/* An expiry past year 9999 (PHP_INT_MAX included) is refused, naming it;
 * the end of 9999 is the last one taken. */
Test(http_hostile, cookie_expiring_past_year_9999_refused, .timeout = 60) {
    int port;
    pid_t srv = start("base", NULL, &port);
    static char out[1 << 16];
    bool closed;
    wire(port, GET("/cookie"), out, sizeof(out), &closed);
    cr_expect(strstr(out, "\r\n\r\n-1011 -1011 0|http response: cookie \"a\": expires "
                          "9223372036854775807 is past year 9999"),
              "%s", out);
    cr_expect(strstr(out, "Set-Cookie: last=1; expires=Fri, 31 Dec 9999 23:59:59 GMT; Max-Age=") &&
                  !strstr(out, "Set-Cookie: a="),
              "%s", out);
    tu_stop_server(srv);
}

/* ---- upload temp files of a killed worker ---------------------------------------------------- */

static char updir[128];

static void make_dir(void) {
    snprintf(updir, sizeof(updir), "/tmp/swirl-hostile-up-XXXXXX");
    cr_assert(mkdtemp(updir));
}

static void remove_dir(void) {
    DIR *d = opendir(updir);
    if (d) {
        for (struct dirent *e; (e = readdir(d)) != NULL;)
            if (e->d_name[0] != '.')
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(updir);
}

static bool exists(const char *name) {
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", updir, name);
    return access(p, F_OK) == 0;
}

static void touch(const char *name) {
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", updir, name);
    int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
}

/* A "swirl-upload-" file in updir not in skip[0..nskip); into name. */
static bool find_upload(char *name, size_t size, char skip[][96], int nskip) {
    DIR *d = opendir(updir);
    bool found = false;
    for (struct dirent *e; d && !found && (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, "swirl-upload-", 13) != 0)
            continue;
        found = true;
        for (int i = 0; i < nskip; i++)
            found = found && strcmp(e->d_name, skip[i]) != 0;
        if (found)
            snprintf(name, size, "%s", e->d_name);
    }
    if (d)
        closedir(d);
    return found;
}

/* A pid that is gone (a child that exited, reaped). */
static pid_t dead_pid(void) {
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    return p;
}

/* In PROCESS mode with 1 worker; in BASE mode with 2 (a manager that
 * replaces the one killed), the writer known from the file's name. */
static void upload_swept(const char *mode) {
    bool base = strcmp(mode, "base") == 0;
    /* before the start: an orphan of a server gone, and a file of a live
     * writer (this test) of another server (this test too) */
    char fakes[2][96];
    pid_t gone = dead_pid();
    snprintf(fakes[0], sizeof(fakes[0]), "swirl-upload-%d-%d-orphan", (int)gone, (int)gone);
    snprintf(fakes[1], sizeof(fakes[1]), "swirl-upload-%d-%d-live", (int)getpid(), (int)getpid());
    touch(fakes[0]);
    touch(fakes[1]);
    const char *const settings[] = {"upload_tmp_dir", updir, "worker_num", base ? "2" : "1", NULL};
    int port;
    pid_t srv = start(mode, settings, &port);
    pid_t w = base ? 0 : worker_pid(port);
    cr_assert(base || w > 0);
    /* a file part, cut in the middle */
    int fd = tu_dial(port);
    const char part[] = "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
                        "\r\nsome bytes of the file";
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "POST /files HTTP/1.1\r\nHost: h\r\nContent-Type: "
                     "multipart/form-data; boundary=XX\r\nContent-Length: 1000000\r\n\r\n%s",
                     part);
    cr_assert(tu_send_all(fd, req, (size_t)n));
    char name[256];
    int i;
    for (i = 0; i < 1000 && !find_upload(name, sizeof(name), fakes, 2); i++)
        usleep(10000);
    cr_assert(i < 1000, "no upload temp file appeared in %s", updir);
    if (base) { /* swirl-upload-<master>-<writer>-XXXXXX */
        const char *at = strchr(name + 13, '-');
        w = at ? (pid_t)atoi(at + 1) : 0;
        cr_assert_gt(w, 0, "no writer pid in %s", name);
    }
    cr_assert_eq(kill(w, SIGKILL), 0);
    if (!base) {
        pid_t w2 = -1;
        for (i = 0; i < 1000 && ((w2 = worker_pid(port)) <= 0 || w2 == w); i++)
            usleep(10000);
        cr_assert(w2 > 0 && w2 != w, "no new worker after the kill");
    }
    close(fd);
    for (i = 0; i < 1000 && exists(name); i++)
        usleep(10000);
    cr_expect(!exists(name), "%s/%s of the killed worker %d is still there", updir, name, (int)w);
    char mine[64];
    snprintf(mine, sizeof(mine), "-%d-", (int)w);
    cr_expect(strstr(name, mine), "the name %s carries its writer's pid %d", name, (int)w);
    /* the server start removed the orphan of the server gone, not the live file */
    cr_expect(!exists(fakes[0]), "%s: an orphan of a server gone", fakes[0]);
    cr_expect(exists(fakes[1]), "%s: a live writer's file", fakes[1]);
    tu_stop_server(srv);
    cr_expect(exists(fakes[1]), "%s: a live writer's file", fakes[1]);
}

Test(http_hostile, upload_files_of_a_killed_worker_are_swept_process, .init = make_dir,
     .fini = remove_dir, .timeout = 120) {
    upload_swept("process");
}
Test(http_hostile, upload_files_of_a_killed_worker_are_swept_base, .init = make_dir,
     .fini = remove_dir, .timeout = 120) {
    upload_swept("base");
}
