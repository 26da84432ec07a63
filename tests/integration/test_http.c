/* tests/integration/test_http.c — `swirl serve` over real sockets, in
 * BASE and PROCESS mode: the shared conformance cases (responses counted,
 * refusals answered with an error status and never dispatched),
 * keep-alive, pipelining, chunked uploads, Expect: 100-continue both ways,
 * HEAD, 408/413/414/431, and slow clients that cannot stop a fast one.
 * curl is used where it is the natural client. */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <swirl/swirl.h>

#include "cli_harness.h"
#include "forkserver.h"
#include "rawsock.h"
#include "jsonl.h"

TU_SUITE(http);

/* Start `swirl serve` with extra arguments (NULL-terminated). */
static serve_t serve_start(const char *mode, const char *const *extra) {
    return serve_spawn(mode, NULL, extra);
}

static void serve_stop(serve_t *s) {
    kill(s->c.pid, SIGTERM);
    cr_expect_eq(wait_exit(&s->c, 10000), 0, "swirl serve exits 0 on SIGTERM");
    reap(&s->c);
}

/* Read until `want` responses are seen (counting status lines), the peer
 * closes, or `quiet_ms` pass without bytes. Returns the byte count;
 * *closed says whether the peer closed. */
static size_t collect(int fd, char *buf, size_t size, int want, int quiet_ms, bool *closed) {
    size_t n = 0;
    *closed = false;
    buf[0] = 0;
    for (;;) {
        int seen = 0;
        for (char *p = buf; (p = strstr(p, "HTTP/1.1 ")); p++)
            seen++;
        if (want > 0 && seen >= want && !strstr(buf, "HTTP/1.1 100 "))
            quiet_ms = 50; /* all there: only make sure nothing more comes */
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, quiet_ms) <= 0)
            return n;
        ssize_t r = recv(fd, buf + n, size - 1 - n, 0);
        if (r <= 0) {
            *closed = true;
            return n;
        }
        n += (size_t)r;
        buf[n] = 0;
    }
}

static int count_responses(const char *buf, int *errors) {
    int n = 0;
    *errors = 0;
    /* (no body served here holds "HTTP/1.1 ") */
    for (const char *p = buf; (p = strstr(p, "HTTP/1.1 ")); p++) {
        int code = atoi(p + 9);
        if (code == 100)
            continue;
        n++;
        *errors += code == 400 || code == 405 || code == 408 || code == 411 || code == 413 ||
                   code == 414 || code == 417 || code == 431 || code == 501 || code == 505;
    }
    return n;
}

/* ---- the shared conformance cases over sockets -------------------------------------------- */

static const char *const policy[] = {
    /* refused on purpose (see tests/unit/protocol/test_http_parser.c) */
    "SOURCE request with ICE", "OPTIONS request with RTSP", "ANNOUNCE request with RTSP",
    "No HTTP version", "POST with `chunked` as last transfer-encoding",
    "POST with `chunked` as last transfer-encoding (multiple headers)"};

static void conformance(const char *mode) {
    FILE *f = jl_open("http/llhttp_cases.jsonl");
    if (!f)
        cr_skip_test("../shared/conformance/http/llhttp_cases.jsonl not found (a clone without "
                     "the shared data): the project's own cases still run");
    serve_t s = serve_start(mode, NULL);
    static char line[1 << 18], out[1 << 17];
    static jl_case_t c;
    const char *name = c.name, *verdict = c.verdict;
    int checked = 0, failed = 0;
    while (jl_next_request_case(f, line, sizeof(line), &c)) {
        bool refused_by_policy = false;
        for (size_t i = 0; i < sizeof(policy) / sizeof(policy[0]); i++)
            refused_by_policy |= strcmp(name, policy[i]) == 0;
        long want = c.messages;
        bool no_host = c.no_host;
        int fd = tu_dial(s.port);
        tu_send_all(fd, c.input, c.len);
        bool closed;
        bool incomplete = strcmp(verdict, "INCOMPLETE") == 0;
        collect(fd, out, sizeof(out), incomplete ? 0 : (int)(want ? want : 1),
                incomplete ? 150 : 2000, &closed);
        close(fd);
        int errors, got = count_responses(out, &errors);
        bool ok;
        if (strcmp(verdict, "REJECT") == 0 || strcmp(verdict, "H2PREFACE") == 0 ||
            refused_by_policy || no_host) {
            /* an error status (or a close), and nothing dispatched before it that should not be */
            ok = errors >= 1 || (got == 0 && closed);
            if (!no_host && !refused_by_policy)
                ok = ok && got - errors == 0;
        } else if (incomplete) {
            ok = got == want && errors == 0; /* waits: nothing answered for the cut message */
        } else { /* ACCEPT, CLOSE, UPGRADE: n answers, no error */
            ok = got == want && errors == 0;
        }
        if (!ok) {
            failed++;
            cr_log_error("%s mode, case \"%s\" (%s %ld%s): %d responses, %d errors, %s:\n%.300s",
                         mode, name, verdict, want, no_host ? ", no Host" : "", got, errors,
                         closed ? "closed" : "open", out);
        }
        checked++;
    }
    fclose(f);
    cr_log_info("%s mode: %d llhttp request cases over sockets, %d failed", mode, checked, failed);
    cr_assert_gt(checked, 100);
    cr_assert_eq(failed, 0);
    serve_stop(&s);
}

Test(http, conformance_cases_over_sockets_base, .timeout = 120) { conformance("base"); }
Test(http, conformance_cases_over_sockets_process, .timeout = 120) { conformance("process"); }

/* ---- behaviour ------------------------------------------------------------------------------- */

static size_t exchange(int port, const char *req, size_t len, char *out, size_t size, int want,
                       bool *closed) {
    int fd = tu_dial(port);
    tu_send_all(fd, req, len);
    size_t n = collect(fd, out, size, want, 2000, closed);
    close(fd);
    return n;
}

static void pipelining_and_keepalive(const char *mode) {
    serve_t s = serve_start(mode, NULL);
    static char out[1 << 16];
    bool closed;
    const char req[] = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
                       "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nfirst"
                       "HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n"
                       "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "3\r\nsec\r\n3;x=y\r\nond\r\n0\r\nTrailer: t\r\n\r\n";
    exchange(s.port, req, sizeof(req) - 1, out, sizeof(out), 4, &closed);
    cr_assert_not(closed, "keep-alive: still open");
    const char *a = strstr(out, "hello world"), *b = strstr(out, "\r\n\r\nfirst"),
               *h = strstr(b ? b : out, "Content-Length: 11\r\n"),
               *c = strstr(out, "\r\n\r\nsecond");
    cr_assert(a && b && h && c && a < b && b < h && h < c, "four answers in order:\n%s", out);
    int errors;
    cr_assert_eq(count_responses(out, &errors), 4);
    /* HEAD: the length of the body, no body: the next status line follows the head at once */
    cr_assert(strstr(h, "\r\n\r\nHTTP/1.1 200 OK"), "HEAD has no body:\n%s", h);
    /* HTTP/1.0: closed after; Connection: close: bytes after it ignored */
    exchange(s.port, "GET /hello HTTP/1.0\r\n\r\n", 23, out, sizeof(out), 1, &closed);
    cr_assert(closed && strstr(out, "Connection: close"), "%s", out);
    const char two[] = "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                       "GET /stats HTTP/1.1\r\nHost: a\r\n\r\n";
    exchange(s.port, two, sizeof(two) - 1, out, sizeof(out), 2, &closed);
    cr_assert(closed && count_responses(out, &errors) == 1, "%s", out);
    serve_stop(&s);
}

Test(http, pipelining_keepalive_head_chunked_base, .timeout = 60) { pipelining_and_keepalive("base"); }
Test(http, pipelining_keepalive_head_chunked_process, .timeout = 60) {
    pipelining_and_keepalive("process");
}

Test(http, limits_answer_413_414_431_and_100_continue, .timeout = 60) {
    const char *extra[] = {"--set", "package_max_length=1000", "--set", "http_max_headers=20",
                           NULL};
    serve_t s = serve_start("process", extra);
    static char out[1 << 16], req[1 << 16];
    bool closed;
    int fd0;
    /* 414: a long request line */
    int n = snprintf(req, sizeof(req), "GET /%09000d HTTP/1.1\r\nHost: a\r\n\r\n", 7);
    exchange(s.port, req, (size_t)n, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "HTTP/1.1 414 ") && closed, "%s", out);
    /* 431: too many headers; and a head too large */
    n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 25; i++)
        n += snprintf(req + n, sizeof(req) - (size_t)n, "X-%d: v\r\n", i);
    n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
    exchange(s.port, req, (size_t)n, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "HTTP/1.1 431 ") && closed, "%s", out);
    n = snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: a\r\nX-Big: %020000d\r\n\r\n", 1);
    exchange(s.port, req, (size_t)n, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "HTTP/1.1 431 ") && closed, "%s", out);
    /* 413 before the body, even with Expect: 100-continue (no 100 sent) */
    const char big[] = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n"
                       "Expect: 100-continue\r\n\r\n";
    exchange(s.port, big, sizeof(big) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "HTTP/1.1 413 ") && !strstr(out, "100 Continue") && closed, "%s", out);
    /* a chunked body growing past the limit: 413 */
    n = snprintf(req, sizeof(req), "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
                                   "\r\n\r\n800\r\n%02048d\r\n", 0);
    /* (the client may still be sending: the server drops its bytes for
     * a while before it closes, so the 413 is not lost to a reset) */
    fd0 = tu_dial(s.port);
    tu_send_all(fd0, req, (size_t)n);
    uint64_t t0 = swirl_clock_ms();
    collect(fd0, out, sizeof(out), 0, 8000, &closed);
    cr_assert(strstr(out, "HTTP/1.1 413 ") && closed, "%s", out);
    cr_assert_geq(swirl_clock_ms() - t0, 4000, "lingered before closing");
    close(fd0);
    /* a body sent whole after the 413 still gets the 413 read */
    n = snprintf(req, sizeof(req), "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 60000\r\n\r\n");
    fd0 = tu_dial(s.port);
    tu_send_all(fd0, req, (size_t)n);
    static char body[60000];
    memset(body, 'q', sizeof(body));
    tu_send_all(fd0, body, sizeof(body));
    collect(fd0, out, sizeof(out), 1, 2000, &closed);
    cr_assert(strstr(out, "HTTP/1.1 413 "), "%s", out);
    close(fd0);
    /* 100-continue: the interim answer, then the body, then the response */
    int fd = tu_dial(s.port);
    const char ask[] = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                       "Expect: 100-continue\r\n\r\n";
    tu_send_all(fd, ask, sizeof(ask) - 1);
    read_until(fd, out, sizeof(out), "\r\n\r\n", 2000);
    cr_assert_str_eq(out, "HTTP/1.1 100 Continue\r\n\r\n");
    tu_send_all(fd, "body", 4);
    read_until(fd, out, sizeof(out), "body", 2000);
    cr_assert(strstr(out, "HTTP/1.1 200 OK") && strstr(out, "\r\n\r\nbody"), "%s", out);
    close(fd);
    serve_stop(&s);
}

Test(http, curl_reuses_connections_and_uploads_20mb_chunked, .timeout = 120) {
    if (system("command -v curl >/dev/null 2>&1") != 0)
        cr_skip_test("curl is not installed (scripts/deps.sh installs it)");
    /* echoing 20 MB back in one end() needs the output limits raised too */
    const char *extra[] = {"--set", "package_max_length=32M", "--set", "buffer_output_size=32M",
                           "--set", "socket_buffer_size=64M", NULL};
    serve_t s = serve_start("process", extra);
    char cmd[1024], path[128], got[128];
    snprintf(cmd, sizeof(cmd),
             "curl -sv http://127.0.0.1:%d/hello http://127.0.0.1:%d/hello 2>&1 | "
             "grep -c -i 're-using existing connection'", s.port, s.port);
    FILE *p = popen(cmd, "r");
    cr_assert(p && fgets(got, sizeof(got), p));
    pclose(p);
    cr_assert_eq(atoi(got), 1, "curl reused the connection for the second request");
    tu_tmp_path(path, sizeof(path), "upload");
    snprintf(cmd, sizeof(cmd),
             "head -c 20971520 /dev/urandom > %s && curl -s -H 'Transfer-Encoding: chunked' "
             "--data-binary @%s http://127.0.0.1:%d/echo | cmp - %s && echo same; rm -f %s",
             path, path, s.port, path, path);
    p = popen(cmd, "r");
    cr_assert(p);
    got[0] = 0;
    if (!fgets(got, sizeof(got), p))
        got[0] = 0;
    pclose(p);
    cr_assert_str_eq(got, "same\n", "20 MB chunked upload echoed back unchanged");
    serve_stop(&s);
}

/* ---- multipart uploads ---------------------------------------------------------------------- */

static unsigned long long fnv_file(const char *path) {
    unsigned long long h = 0xcbf29ce484222325ULL;
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    int c;
    while ((c = getc(f)) != EOF)
        h = (h ^ (unsigned char)c) * 0x100000001b3ULL;
    fclose(f);
    return h;
}

static void run_out(const char *cmd, char *out, size_t size) {
    FILE *p = popen(cmd, "r");
    cr_assert(p, "%s", cmd);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = 0;
    pclose(p);
}

/* Entries in dir other than . and .. */
static int dir_entries(const char *dir) {
    DIR *d = opendir(dir);
    cr_assert(d, "%s", dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Wait up to 3 s for dir to be empty. */
static bool dir_empties(const char *dir) {
    for (int i = 0; i < 300; i++) {
        if (dir_entries(dir) == 0)
            return true;
        usleep(10000);
    }
    return false;
}

static char updir[128], upfile[2][160];

static void make_uploads(void) {
    char base[100];
    tu_tmp_path(base, sizeof(base), "up");
    snprintf(updir, sizeof(updir), "%s-tmp", base);
    cr_assert_eq(mkdir(updir, 0700), 0);
    snprintf(upfile[0], sizeof(upfile[0]), "%s-big.bin", base);
    snprintf(upfile[1], sizeof(upfile[1]), "%s-small.txt", base);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "head -c 3000000 /dev/urandom > %s && head -c 10000 /dev/urandom "
             "> %s", upfile[0], upfile[1]);
    cr_assert_eq(system(cmd), 0);
}

static void remove_uploads(void) {
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", updir, upfile[0], upfile[1]);
    if (system(cmd) != 0)
        cr_log_warn("could not remove the upload files");
}

/* Two files and a field with curl -F (plain and chunked): streamed to
 * upload_tmp_dir, sizes and bytes right, temp files gone after; a file
 * over upload_max_filesize reported as UPLOAD_ERR_INI_SIZE. */
Test(http, multipart_uploads_stream_to_disk_and_are_removed, .init = make_uploads,
     .fini = remove_uploads, .timeout = 60) {
    if (system("command -v curl >/dev/null 2>&1") != 0)
        cr_skip_test("curl is not installed (scripts/deps.sh installs it)");
    char tmpset[200];
    snprintf(tmpset, sizeof(tmpset), "upload_tmp_dir=%s", updir);
    const char *extra[] = {"--set", "package_max_length=8M", "--set", tmpset, NULL};
    serve_t s = serve_start("process", extra);
    char cmd[1024], out[4096], want[1024];
    unsigned long long h0 = fnv_file(upfile[0]), h1 = fnv_file(upfile[1]);
    snprintf(want, sizeof(want),
             "field title=two files\nfield note=a&b=c\n"
             "file a big.bin application/x-test 3000000 0 %016llx\n"
             "file b small.txt text/plain 10000 0 %016llx\n", h0, h1);
    for (int chunked = 0; chunked <= 1; chunked++) {
        snprintf(cmd, sizeof(cmd),
                 "curl -s %s -F 'title=two files' -F 'note=a&b=c' "
                 "-F 'a=@%s;filename=big.bin;type=application/x-test' "
                 "-F 'b=@%s;filename=small.txt;type=text/plain' http://127.0.0.1:%d/upload",
                 chunked ? "-H 'Transfer-Encoding: chunked'" : "", upfile[0], upfile[1], s.port);
        run_out(cmd, out, sizeof(out));
        cr_assert_str_eq(out, want, "%s upload", chunked ? "chunked" : "plain");
        cr_assert_eq(dir_entries(updir), 0, "temp files removed after the request");
    }
    serve_stop(&s);

    /* a per-file limit: the big file is dropped with error 1, the rest kept */
    const char *limited[] = {"--set", "package_max_length=8M", "--set", tmpset,
                             "--set", "upload_max_filesize=1M", NULL};
    s = serve_start("base", limited);
    snprintf(cmd, sizeof(cmd),
             "curl -s -F 'a=@%s;filename=big.bin' -F 'b=@%s;filename=small.txt;type=text/plain' "
             "-F 'c=@/dev/null;filename=' http://127.0.0.1:%d/upload",
             upfile[0], upfile[1], s.port);
    run_out(cmd, out, sizeof(out));
    snprintf(want, sizeof(want),
             "file a big.bin application/octet-stream 0 1 0000000000000000\n"
             "file b small.txt text/plain 10000 0 %016llx\n"
             "file c - application/octet-stream 0 4 0000000000000000\n", h1);
    cr_assert_str_eq(out, want);
    cr_assert_eq(dir_entries(updir), 0);
    serve_stop(&s);
    /* http_parse_post off: a multipart body is an ordinary body, kept whole
     * (the handler sees the raw bytes, no fields, no files, nothing on disk) */
    const char *raw[] = {"--set", tmpset, "--set", "http_parse_post=false", NULL};
    s = serve_start("process", raw);
    snprintf(cmd, sizeof(cmd),
             "curl -s -F 'note=raw' -F 'b=@%s;filename=small.txt' http://127.0.0.1:%d/upload; "
             "curl -s -F 'note=raw' -F 'b=@%s;filename=small.txt' http://127.0.0.1:%d/echo "
             "| cmp -s - /dev/null || echo echoed",
             upfile[1], s.port, upfile[1], s.port);
    run_out(cmd, out, sizeof(out));
    cr_assert_str_eq(out, "echoed\n", "no fields or files were made; the body came back");
    snprintf(cmd, sizeof(cmd),
             "curl -s -F 'b=@%s;filename=small.txt' http://127.0.0.1:%d/echo | "
             "grep -c 'Content-Disposition: form-data; name=\"b\"; filename=\"small.txt\"'",
             upfile[1], s.port);
    run_out(cmd, out, sizeof(out));
    cr_assert_str_eq(out, "1\n", "the raw multipart body, as sent");
    cr_assert_eq(dir_entries(updir), 0);
    serve_stop(&s);
}

/* Bad multipart bodies cost only their connection; an upload cut off
 * leaves no temp file; a missing upload_tmp_dir stops the start. */
Test(http, bad_multipart_bodies_and_cut_uploads, .init = make_uploads, .fini = remove_uploads,
     .timeout = 60) {
    char tmpset[200];
    snprintf(tmpset, sizeof(tmpset), "upload_tmp_dir=%s", updir);
    const char *extra[] = {"--set", tmpset, NULL};
    serve_t s = serve_start("process", extra);
    static char out[1 << 16];
    static const struct {
        const char *ctype, *body;
        int status;
        const char *why;
    } bad[] = {
        {"multipart/form-data", "--b\r\n", 400, "no boundary"},
        {"multipart/form-data; boundary=a{b", "--a{b\r\n", 400, "0x7b"},
        {"multipart/form-data; boundary=b",
         "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nvalue", 400,
         "ended before its closing boundary"},
        {"multipart/form-data; boundary=b", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
         400, "without Content-Disposition"},
        {"multipart/form-data; boundary=b", "--b junk\r\n", 400, "after a boundary"},
        /* found by the multipart fuzzer: control bytes in a part's headers */
        {"multipart/form-data; boundary=b",
         "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.php\x01.jpg\"\r\n"
         "\r\nx\r\n--b--",
         400, "control byte 0x01"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char req[1024];
        int n = snprintf(req, sizeof(req),
                         "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Type: %s\r\n"
                         "Content-Length: %zu\r\n\r\n%s",
                         bad[i].ctype, strlen(bad[i].body), bad[i].body);
        bool closed;
        exchange(s.port, req, (size_t)n, out, sizeof(out), 1, &closed);
        char status[32];
        snprintf(status, sizeof(status), "HTTP/1.1 %d ", bad[i].status);
        cr_assert(strstr(out, status) && strstr(out, bad[i].why) && closed,
                  "case %zu: want %d naming \"%s\", got: %s", i, bad[i].status, bad[i].why, out);
    }
    /* 101 files: 413 */
    swirl_buf_t big = {0};
    for (int i = 0; i < 101; i++)
        swirl_buf_appendf(&big, "--b\r\nContent-Disposition: form-data; name=f%d; filename=x\r\n"
                                "\r\nx\r\n", i);
    swirl_buf_appendf(&big, "--b--\r\n");
    char head[256];
    int hn = snprintf(head, sizeof(head),
                      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; "
                      "boundary=b\r\nContent-Length: %zu\r\n\r\n", swirl_buf_size(&big));
    int fd = tu_dial(s.port);
    tu_send_all(fd, head, (size_t)hn);
    tu_send_all(fd, swirl_buf_bytes(&big), swirl_buf_size(&big));
    bool closed;
    collect(fd, out, sizeof(out), 1, 3000, &closed);
    close(fd);
    swirl_buf_destroy(&big);
    cr_assert(strstr(out, "HTTP/1.1 413 ") && strstr(out, "more than 100 files"), "%s", out);
    cr_assert(dir_empties(updir), "the files of a refused body are removed");

    /* a connection lost in the middle of a file: its temp file goes */
    static const char part[] = "--b\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\n";
    hn = snprintf(head, sizeof(head),
                  "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; "
                  "boundary=b\r\nContent-Length: 1000000\r\n\r\n%s", part);
    fd = tu_dial(s.port);
    tu_send_all(fd, head, (size_t)hn);
    static char junk[200000];
    memset(junk, 'z', sizeof(junk));
    tu_send_all(fd, junk, sizeof(junk));
    bool seen = false;
    for (int i = 0; i < 300 && !seen; i++, usleep(10000))
        seen = dir_entries(updir) == 1;
    cr_assert(seen, "the file part is being written to upload_tmp_dir");
    close(fd);
    cr_assert(dir_empties(updir), "the temp file of a cut upload is removed");
    /* and the server still answers */
    exchange(s.port, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", 33, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "hello world"));
    serve_stop(&s);

    /* no such upload_tmp_dir: a clear error at start */
    const char *argv[] = {SWIRL_BIN, "serve", "--port", "0", "--set",
                          "upload_tmp_dir=/nonexistent/swirl-up", NULL};
    child_t c = spawn(SWIRL_BIN, (char *const *)argv);
    cr_assert_neq(wait_exit(&c, 10000), 0);
    char err[2048];
    read_until(c.err, err, sizeof(err), NULL, 200);
    reap(&c);
    cr_assert(strstr(err, "upload_tmp_dir \"/nonexistent/swirl-up\""), "%s", err);
}

/* 500 clients sending one byte of a head every 100 ms hold no worker: a
 * fast client is answered meanwhile; after http_header_timeout they get
 * 408 and are closed. */
Test(http, slow_clients_do_not_stop_fast_ones, .timeout = 60) {
    const char *extra[] = {"--set", "http_header_timeout=2", NULL};
    serve_t s = serve_start("process", extra);
    enum { SLOW = 500 };
    int fds[SLOW];
    for (int i = 0; i < SLOW; i++)
        fds[i] = tu_dial(s.port);
    const char head[] = "GET /hello HTTP/1.1\r\nHost: a\r\n";
    static char out[4096];
    uint64_t t0 = swirl_clock_ms();
    int fast_ok = 0;
    for (size_t k = 0; k < 10; k++) {
        for (int i = 0; i < SLOW; i++)
            send(fds[i], head + k, 1, MSG_NOSIGNAL);
        bool closed;
        exchange(s.port, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", 33, out, sizeof(out), 1,
                 &closed);
        fast_ok += strstr(out, "hello world") != NULL;
        usleep(100000);
    }
    cr_assert_eq(fast_ok, 10, "the fast client was answered every time");
    /* after the timeout: 408 and closed */
    int timed_out = 0;
    for (int i = 0; i < SLOW; i++) {
        bool closed;
        size_t n = collect(fds[i], out, sizeof(out), 0, 4000, &closed);
        timed_out += n > 0 && strstr(out, "HTTP/1.1 408 ") && closed;
        close(fds[i]);
    }
    cr_log_info("%d slow clients, 408 after %llu ms", SLOW,
                (unsigned long long)(swirl_clock_ms() - t0));
    cr_assert_eq(timed_out, SLOW);
    serve_stop(&s);
}

/* ---- reload in BASE mode under keep-alive load ------------------------------------------- */

/* One keep-alive client: requests of four kinds in turn (a whole GET, a
 * GET whose head comes in two sends a round apart, two pipelined GETs, a
 * POST whose body comes in two sends), each answered before the next. */
typedef struct {
    int fd;
    char in[8192];
    size_t got;
    int owed;         /* responses still to come */
    const char *rest; /* the second send, for the next round */
    size_t rest_len;
    long seq, asked, answered;
    bool post; /* the pending answer is the POST's echo */
} ka_client_t;

#define KA_GET "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
#define KA_POST "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij"

static void ka_send_next(ka_client_t *c) {
    static const char get[] = KA_GET, post[] = KA_POST, two[] = KA_GET KA_GET;
    size_t glen = sizeof(get) - 1, plen = sizeof(post) - 1;
    int kind = (int)(c->seq++ % 4);
    c->post = kind == 3;
    c->owed = kind == 2 ? 2 : 1;
    c->asked += c->owed;
    c->rest = NULL;
    if (kind == 0) {
        tu_send_all(c->fd, get, glen);
    } else if (kind == 1) {
        tu_send_all(c->fd, get, 12);
        c->rest = get + 12, c->rest_len = glen - 12;
    } else if (kind == 2) {
        tu_send_all(c->fd, two, 2 * glen);
    } else {
        tu_send_all(c->fd, post, plen - 12);
        c->rest = post + plen - 12, c->rest_len = 12;
    }
}

/* Take the whole responses in c->in; false if one is not what was asked. */
static bool ka_take(ka_client_t *c, char *why, size_t why_len) {
    for (;;) {
        c->in[c->got] = 0;
        char *end = strstr(c->in, "\r\n\r\n");
        if (!end)
            return true;
        size_t head = (size_t)(end + 4 - c->in);
        char *cl = strcasestr(c->in, "Content-Length: ");
        size_t body = cl && cl < end ? (size_t)atol(cl + 16) : 0;
        if (c->got < head + body)
            return true;
        const char *want = c->post ? "0123456789abcdefghij" : "hello world";
        if (strncmp(c->in, "HTTP/1.1 200 ", 13) != 0 || body != strlen(want) ||
            memcmp(c->in + head, want, body) != 0 || strcasestr(c->in, "Connection: close")) {
            snprintf(why, why_len, "unexpected response: %.*s", (int)(head + body), c->in);
            return false;
        }
        memmove(c->in, c->in + head + body, c->got - head - body);
        c->got -= head + body;
        c->answered++;
        c->owed--;
    }
}

Test(http, reload_in_base_mode_keeps_keepalive_connections, .timeout = 120) {
    char log[128];
    tu_tmp_path(log, sizeof(log), "reload-log");
    char set_log[160];
    snprintf(set_log, sizeof(set_log), "log_file=%s", log);
    /* "reload done" is a DEBUG line (Swoole logs only the start of a reload) */
    const char *extra[] = {"--workers", "2", "--set", set_log, "--set", "log_level=debug", NULL};
    serve_t s = serve_start("base", extra);
    enum { N = 64 };
    static ka_client_t cl[N];
    struct pollfd pf[N];
    memset(cl, 0, sizeof(cl));
    for (int i = 0; i < N; i++) {
        cl[i].fd = tu_dial(s.port);
        ka_send_next(&cl[i]);
    }
    /* SIGUSR1 every 300 ms for 2.1 s, then the answers still owed */
    uint64_t end = swirl_clock_ms() + 2100, next = swirl_clock_ms() + 300;
    int reloads = 0;
    long asked = 0, answered = 0;
    for (;;) {
        uint64_t now = swirl_clock_ms();
        bool stopping = now >= end;
        if (!stopping && now >= next) {
            kill(s.c.pid, SIGUSR1);
            reloads++;
            next = now + 300;
        }
        bool all_done = true, halves = false;
        for (int i = 0; i < N; i++) {
            if (cl[i].rest) {
                tu_send_all(cl[i].fd, cl[i].rest, cl[i].rest_len);
                cl[i].rest = NULL;
                halves = true;
            }
            all_done &= cl[i].owed == 0;
            pf[i] = (struct pollfd){cl[i].fd, POLLIN, 0};
        }
        if (stopping && all_done)
            break;
        int r = poll(pf, N, 10000);
        cr_assert(r > 0 || halves, "no answer for 10 s");
        for (int i = 0; i < N; i++) {
            ka_client_t *c = &cl[i];
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t k = recv(c->fd, c->in + c->got, sizeof(c->in) - 1 - c->got, MSG_DONTWAIT);
            if (k < 0 && errno == EAGAIN)
                continue;
            cr_assert_gt(k, 0, "client %d: connection %s with %d responses owed, after %ld", i,
                         k == 0 ? "closed" : strerror(errno), c->owed, c->answered);
            c->got += (size_t)k;
            char why[512];
            cr_assert(ka_take(c, why, sizeof(why)), "client %d: %s", i, why);
            if (c->owed == 0 && !stopping)
                ka_send_next(c);
        }
    }
    for (int i = 0; i < N; i++) {
        asked += cl[i].asked;
        answered += cl[i].answered;
        close(cl[i].fd);
    }
    cr_log_info("BASE reload under keep-alive load: %d SIGUSR1, %ld requests answered", reloads,
                answered);
    cr_assert_eq(answered, asked, "every request answered");
    serve_stop(&s);
    FILE *f = fopen(log, "re");
    cr_assert(f, "no log file %s", log);
    char line[1024];
    int done = 0;
    while (fgets(line, sizeof(line), f))
        done += strstr(line, "reload done") != NULL;
    fclose(f);
    unlink(log);
    cr_assert_geq(done, 2, "the workers were replaced (%d reloads done)", done);
}

Test(http, bad_settings_and_arguments_are_clear_errors, .timeout = 30) {
    swirl_http_server_t *hs;
    cr_assert_eq(swirl_http_server_new(&hs, "127.0.0.1", 0, SWIRL_MODE_PROCESS), 0);
    cr_assert_eq(swirl_http_server_start(hs), SWIRL_ESTATE);
    cr_assert(strstr(swirl_last_error_msg(), "request handler"), "%s", swirl_last_error_msg());
    cr_assert_eq(swirl_http_server_set_text(hs, "http_max_headers", "0"), SWIRL_ESETTING);
    cr_assert(strstr(swirl_last_error_msg(), "http_max_headers"), "%s", swirl_last_error_msg());
    /* "receive" is the callback of listeners that do not speak HTTP (test_http_ports) */
    cr_assert_eq(swirl_http_server_on(hs, "nosuchevent", NULL, NULL), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "nosuchevent"), "%s", swirl_last_error_msg());
    swirl_http_server_free(hs);
    /* swirl serve: a bad --set names the key */
    char *argv[] = {SWIRL_BIN, "serve", "--port", "0", "--set", "http_header_timeout=soon", NULL};
    child_t c = spawn(SWIRL_BIN, argv);
    char err[1024];
    read_until(c.err, err, sizeof(err), NULL, 3000);
    cr_assert_eq(wait_exit(&c, 5000), 2);
    reap(&c);
    cr_assert(strstr(err, "http_header_timeout"), "%s", err);
}

/* A 3 MB echo in one end(): PROCESS mode cannot take it whole (one message
 * to the reactor is at most buffer_output_size, 2M): the connection is
 * closed, not left hanging; in BASE the worker writes its own connection
 * and, as Swoole's, takes the send that crosses socket_buffer_size (2M):
 * all of it arrives. */
static void echo_3mb(const char *mode, bool whole) {
    const char *extra[] = {"--set", "package_max_length=8M", NULL};
    serve_t s = serve_start(mode, extra);
    size_t body = 3u << 20;
    char *req = malloc(body + 256);
    int n = snprintf(req, 256, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: %zu\r\n\r\n",
                     body);
    memset(req + n, 'x', body);
    int fd = tu_dial(s.port);
    tu_send_all(fd, req, (size_t)n + body);
    free(req);
    static char out[(3u << 20) + 4096];
    bool closed;
    size_t got = collect(fd, out, sizeof(out), 0, 5000, &closed);
    close(fd);
    if (whole) {
        cr_assert(strncmp(out, "HTTP/1.1 200", 12) == 0, "%.80s", out);
        char *end = strstr(out, "\r\n\r\n");
        cr_assert_not_null(end);
        cr_assert_eq(got - (size_t)(end + 4 - out), body, "the whole body: %zu bytes",
                     got - (size_t)(end + 4 - out));
    } else {
        cr_assert(closed, "closed, not left waiting");
        cr_assert_null(strstr(out, "HTTP/1.1 200"), "no cut 200 answer");
    }
    serve_stop(&s);
}

Test(http, response_too_big_for_the_output_limits_closes_the_connection, .timeout = 30) {
    echo_3mb("process", false);
}

Test(http, base_takes_the_send_that_crosses_socket_buffer_size, .timeout = 30) {
    echo_3mb("base", true);
}

/* ---- static files ---------------------------------------------------------------------------- */

static char www[128], outside[160];

static void make_site(void) {
    tu_tmp_path(www, sizeof(www), "www");
    snprintf(outside, sizeof(outside), "%s.secret", www);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s/sub && printf '<h1>index</h1>' > %s/index.html && "
             "printf 'sub page' > %s/sub/index.html && head -c 16384 /dev/urandom > %s/data.bin && "
             "printf 'body{}' > %s/style.css && printf secret > %s && ln -s %s %s/link.txt",
             www, www, www, www, www, outside, outside, www);
    cr_assert_eq(system(cmd), 0);
}

static void remove_site(void) {
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", www, outside);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", www);
}

/* One request; the status code, and the response in out. */
static int get(int port, const char *target, const char *extra, char *out, size_t size) {
    char req[1024];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: a\r\n%s\r\n", target,
                     extra ? extra : "");
    bool closed;
    exchange(port, req, (size_t)n, out, size, 1, &closed);
    return strncmp(out, "HTTP/1.1 ", 9) == 0 ? atoi(out + 9) : -1;
}

static const char *header_of(const char *out, const char *name, char *val, size_t size) {
    const char *p = strcasestr(out, name);
    if (!p)
        return NULL;
    p += strlen(name);
    size_t n = strcspn(p, "\r");
    snprintf(val, size, "%.*s", (int)n, p);
    return val;
}

Test(http, static_files_types_ranges_304_and_no_escape, .init = make_site, .fini = remove_site,
     .timeout = 60) {
    const char *extra[] = {"--root", www, NULL};
    serve_t s = serve_start("process", extra);
    static char out[1 << 16];
    char v[256];
    cr_assert_eq(get(s.port, "/", NULL, out, sizeof(out)), 200);
    cr_assert(strstr(out, "\r\n\r\n<h1>index</h1>") && strstr(out, "text/html"), "%s", out);
    cr_assert_eq(get(s.port, "/sub/", NULL, out, sizeof(out)), 200);
    cr_assert(strstr(out, "sub page"), "%s", out);
    cr_assert_eq(get(s.port, "/style.css?v=1", NULL, out, sizeof(out)), 200);
    cr_assert(strstr(out, "Content-Type: text/css"), "%s", out);
    cr_assert_eq(get(s.port, "/data.bin", NULL, out, sizeof(out)), 200);
    cr_assert_str_eq(header_of(out, "Content-Length: ", v, sizeof(v)), "16384");
    char etag[64], modified[64];
    cr_assert(header_of(out, "ETag: ", etag, sizeof(etag)));
    cr_assert(header_of(out, "Last-Modified: ", modified, sizeof(modified)));
    char cond[160];
    snprintf(cond, sizeof(cond), "If-None-Match: %s\r\n", etag);
    cr_assert_eq(get(s.port, "/data.bin", cond, out, sizeof(out)), 304);
    snprintf(cond, sizeof(cond), "If-Modified-Since: %s\r\n", modified);
    cr_assert_eq(get(s.port, "/data.bin", cond, out, sizeof(out)), 304);
    cr_assert_eq(get(s.port, "/data.bin", "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n",
                     out, sizeof(out)), 200);
    cr_assert_eq(get(s.port, "/data.bin", "Range: bytes=10-19\r\n", out, sizeof(out)), 206);
    cr_assert_str_eq(header_of(out, "Content-Range: ", v, sizeof(v)), "bytes 10-19/16384");
    cr_assert_str_eq(header_of(out, "Content-Length: ", v, sizeof(v)), "10");
    cr_assert_eq(get(s.port, "/data.bin", "Range: bytes=-100\r\n", out, sizeof(out)), 206);
    cr_assert_str_eq(header_of(out, "Content-Range: ", v, sizeof(v)), "bytes 16284-16383/16384");
    cr_assert_eq(get(s.port, "/data.bin", "Range: bytes=20000-\r\n", out, sizeof(out)), 416);
    cr_assert_str_eq(header_of(out, "Content-Range: ", v, sizeof(v)), "bytes */16384");
    /* nothing outside the root, however it is spelled */
    const char *escapes[] = {"/../www.secret", "/%2e%2e/x", "/sub/%2E%2E/%2e%2e/x",
                             "/..%2fx", "/sub/..%5c..%5cx", "/a%00b", "/link.txt", "/%zz"};
    for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
        int code = get(s.port, escapes[i], NULL, out, sizeof(out));
        cr_assert(code == 403 || code == 404, "%s: %d", escapes[i], code);
        cr_assert_null(strstr(out, "secret"), "%s served the secret", escapes[i]);
    }
    /* a file that is not there goes to the handler */
    cr_assert_eq(get(s.port, "/hello", NULL, out, sizeof(out)), 200);
    cr_assert_eq(get(s.port, "/nothing.html", NULL, out, sizeof(out)), 404);
    serve_stop(&s);
}

/* ---- the C API in a server of the test's own -------------------------------------------------- */

static void own_handler(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                        void *user);

/* Settings own_start applies ("key", "value", ..., NULL), or NULL. */
static const char *const *own_settings;
/* The field rules own_start chooses (swirl_http_server_fields). */
static swirl_http_fields_t own_fields;

/* Fork a server running own_handler in `mode`; its port. */
static pid_t own_start(const char *mode, int *port) {
    return tu_fork_http(&(tu_http_spec_t){mode, own_handler, {own_settings, NULL}, own_fields}, port);
}

static void on_later_end(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_http_resp_end(user, "late", 4);
}

static void own_handler(swirl_http_server_t *hs, swirl_http_req_t *req, swirl_http_resp_t *resp,
                        void *user) {
    size_t n;
    const char *path = swirl_http_req_path(req, &n);
    char out[2048];
    if (strcmp(path, "/params") == 0) {
        int o = 0;
        const swirl_http_param_kind_t kinds[] = {SWIRL_HTTP_GET, SWIRL_HTTP_POST, SWIRL_HTTP_COOKIE};
        for (int k = 0; k < 3; k++) {
            const swirl_http_param_t *f;
            size_t c = swirl_http_req_params(req, kinds[k], &f);
            o += snprintf(out + o, sizeof(out) - (size_t)o, "%s", k ? ";" : "");
            for (size_t i = 0; i < c; i++)
                o += snprintf(out + o, sizeof(out) - (size_t)o, "%s%s=%s", i ? "," : "", f[i].name,
                              f[i].value);
        }
        const char *a = swirl_http_req_param(req, SWIRL_HTTP_GET, "a", NULL);
        o += snprintf(out + o, sizeof(out) - (size_t)o, "|a=%s", a ? a : "(none)");
        swirl_http_cookie_t ck = {.name = "sid", .value = "a b;c", .path = "/", .httponly = true,
                                  .secure = true, .samesite = "Lax", .expires = 2000000000};
        swirl_http_resp_cookie(resp, &ck);
        swirl_http_cookie_t bad = {.name = "x", .value = "v", .samesite = "Sometimes"};
        int rc = swirl_http_resp_cookie(resp, &bad);
        o += snprintf(out + o, sizeof(out) - (size_t)o, "|bad=%d %s", rc, swirl_last_error_msg());
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/big") == 0) {
        memset(out, 'z', 1500);
        swirl_http_resp_header(resp, "Content-Type", "text/plain");
        swirl_http_resp_end(resp, out, 1500);
    } else if (strcmp(path, "/chunks") == 0) {
        swirl_http_resp_write(resp, "one,", 4);
        swirl_http_resp_write(resp, "two,", 4);
        swirl_http_resp_end(resp, "three", 5);
    } else if (strcmp(path, "/later") == 0) {
        swirl_http_resp_detach(resp);
        swirl_timer_after(swirl_server_loop(swirl_http_server_base(hs)), 100, on_later_end, resp);
    } else if (strcmp(path, "/peer") == 0) {
        const char *ip = swirl_http_req_remote_ip(req);
        int o = snprintf(out, sizeof(out), "peer %s %d", ip ? ip : "(none)",
                         swirl_http_req_remote_port(req));
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/replace") == 0) {
        /* header_set replaces earlier lines of a name, or removes them
         * (swirl's own header comes back); a refused value keeps the old */
        swirl_http_resp_header(resp, "X-A", "1");
        swirl_http_resp_header(resp, "x-a", "2");
        swirl_http_resp_header(resp, "X-B", "keep");
        swirl_http_resp_header(resp, "Content-Type", "text/plain");
        swirl_http_resp_header(resp, "Connection", "close");
        int set = swirl_http_resp_header_set(resp, "X-A", "3");
        int del_ct = swirl_http_resp_header_set(resp, "content-type", NULL);
        int del_conn = swirl_http_resp_header_set(resp, "Connection", NULL);
        int bad = swirl_http_resp_header_set(resp, "X-B", "two\r\nlines");
        int o = snprintf(out, sizeof(out), "set=%d del=%d,%d bad=%d %s", set, del_ct, del_conn,
                         bad, swirl_last_error_msg());
        o += snprintf(out + o, sizeof(out) - (size_t)o, "|check=%d,%d",
                      swirl_http_header_check("X-C", "fine"), swirl_http_header_check("X C", "v"));
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strncmp(path, "/gz", 3) == 0) {
        /* a level of this response's own: /gz0 none, /gz9, /gz10 refused */
        int rc = swirl_http_resp_compress(resp, atoi(path + 3));
        if (rc < 0) {
            int o = snprintf(out, sizeof(out), "refused: %s", swirl_last_error_msg());
            swirl_http_resp_end(resp, out, (size_t)o);
            return;
        }
        memset(out, 'z', 1500);
        swirl_http_resp_header(resp, "Content-Type", "text/plain");
        swirl_http_resp_end(resp, out, 1500);
    } else if (strcmp(path, "/priority") == 0) {
        swirl_http_cookie_t ck = {.name = "p", .value = "1", .priority = "High"};
        swirl_http_resp_cookie(resp, &ck);
        swirl_http_cookie_t bad = {.name = "q", .value = "1", .priority = "Urgent"};
        int rc = swirl_http_resp_cookie(resp, &bad);
        int o = snprintf(out, sizeof(out), "bad=%d %s", rc, swirl_last_error_msg());
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/files") == 0) {
        const swirl_http_file_t *f;
        size_t c = swirl_http_req_files(req, &f);
        int o = 0;
        for (size_t i = 0; i < c; i++)
            o += snprintf(out + o, sizeof(out) - (size_t)o, "%s name=%s full=%s size=%llu\n",
                          f[i].field, f[i].name, f[i].full_path, (unsigned long long)f[i].size);
        swirl_http_resp_end(resp, out, (size_t)o);
    } else if (strcmp(path, "/remote") == 0) {
        /* swirl_http_resp_remote: a response with no request here (as
         * the master's would be), to this very connection; this request's
         * own response is detached and ended a moment later (a second
         * answer the client does not wait for) */
        int64_t fd = swirl_http_resp_fd(resp);
        swirl_http_resp_t *none = swirl_http_resp_remote(hs, fd + 1000000);
        int o = snprintf(out, sizeof(out), "remote; none=%s %s", none ? "made" : "NULL",
                         swirl_last_error_msg());
        swirl_http_resp_t *r = swirl_http_resp_remote(hs, fd);
        swirl_http_resp_detach(resp);
        swirl_timer_after(swirl_server_loop(swirl_http_server_base(hs)), 1, on_later_end, resp);
        swirl_http_resp_status(r, 408, NULL);
        swirl_http_resp_header(r, "Content-Type", "text/plain");
        swirl_http_resp_end(r, out, (size_t)o);
    } else if (strcmp(path, "/forget") == 0) {
        /* returns without ending: swirl ends it with 500 */
    } else {
        swirl_http_resp_status(resp, 404, NULL);
        swirl_http_resp_end(resp, "nope", 4);
    }
}

static void c_api(const char *mode) {
    int port;
    pid_t pid = own_start(mode, &port);
    static char out[1 << 16];
    bool closed;
    const char req[] = "POST /params?a=1&b=x%20y&a=2&c HTTP/1.1\r\nHost: h\r\n"
                       "Cookie: k1=v1; k2=v%3D2\r\nCookie: k3=3\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\n"
                       "p=1+2&q=%41%4";
    exchange(port, req, sizeof(req) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "\r\n\r\na=1,b=x y,a=2,c=;p=1 2,q=A%4;k1=v1,k2=v=2,k3=3|a=1|bad=-"),
              "%s", out);
    cr_assert(strstr(out, "samesite \"Sometimes\""), "%s", out);
    cr_assert(strstr(out, "Set-Cookie: sid=a%20b%3Bc; expires=Wed, 18 May 2033 03:33:20 GMT; "
                          "Max-Age="), "%s", out);
    cr_assert(strstr(out, "; path=/; SameSite=Lax; secure; HttpOnly\r\n"), "%s", out);
    /* gzip when accepted, for compressible types past compression_min_length */
    const char gz[] = "GET /big HTTP/1.1\r\nHost: h\r\nAccept-Encoding: br, gzip;q=0.8\r\n\r\n";
    size_t n = exchange(port, gz, sizeof(gz) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "Content-Encoding: gzip\r\n") && strstr(out, "Vary: Accept-Encoding"),
              "%s", out);
    const char *body = strstr(out, "\r\n\r\n") + 4;
    cr_assert((unsigned char)body[0] == 0x1f && (unsigned char)body[1] == 0x8b, "gzip magic");
    cr_assert_lt((size_t)(out + n - body), 100, "1500 z's compress to little");
    const char nogz[] = "GET /big HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip;q=0, *\r\n\r\n";
    exchange(port, nogz, sizeof(nogz) - 1, out, sizeof(out), 1, &closed);
    cr_assert(!strstr(out, "Content-Encoding") && strstr(out, "Content-Length: 1500"), "%s", out);
    /* chunked writes */
    exchange(port, "GET /chunks HTTP/1.1\r\nHost: h\r\n\r\n", 34, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "Transfer-Encoding: chunked\r\n") &&
                  strstr(out, "\r\n\r\n4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n"),
              "%s", out);
    /* to HTTP/1.0: no chunks, the end is the close */
    exchange(port, "GET /chunks HTTP/1.0\r\n\r\n", 24, out, sizeof(out), 1, &closed);
    cr_assert(closed && strstr(out, "\r\n\r\none,two,three") && !strstr(out, "chunked"), "%s",
              out);
    /* detached and ended later, with a pipelined request behind it: in order */
    const char two[] = "GET /later HTTP/1.1\r\nHost: h\r\n\r\nGET /nope HTTP/1.1\r\nHost: h\r\n\r\n";
    exchange(port, two, sizeof(two) - 1, out, sizeof(out), 2, &closed);
    const char *late = strstr(out, "late"), *nope = strstr(out, "nope");
    cr_assert(late && nope && late < nope, "%s", out);
    /* the client's address and port */
    int fd = tu_dial(port);
    struct sockaddr_in me;
    socklen_t ml = sizeof(me);
    getsockname(fd, (struct sockaddr *)&me, &ml);
    tu_send_all(fd, "GET /peer HTTP/1.1\r\nHost: h\r\n\r\n", 32);
    collect(fd, out, sizeof(out), 1, 2000, &closed);
    close(fd);
    char want[64];
    snprintf(want, sizeof(want), "peer 127.0.0.1 %d", ntohs(me.sin_port));
    cr_assert(strstr(out, want), "want \"%s\": %s", want, out);
    /* a handler that forgets to answer: 500 */
    exchange(port, "GET /forget HTTP/1.1\r\nHost: h\r\n\r\n", 34, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "HTTP/1.1 500 "), "%s", out);
    tu_stop_server(pid);
}

/* Header replacement, a compression level of one response's own, the
 * Priority cookie attribute, an upload's full_path. */
static void c_api_more(const char *mode) {
    int port;
    pid_t pid = own_start(mode, &port);
    static char out[1 << 16];
    bool closed;
    const char rep[] = "GET /replace HTTP/1.1\r\nHost: h\r\n\r\n";
    exchange(port, rep, sizeof(rep) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "\r\nX-A: 3\r\n") && !strstr(out, "X-A: 1") && !strstr(out, "x-a: 2"),
              "%s", out);
    cr_assert(strstr(out, "\r\nX-B: keep\r\n") && strstr(out, "Content-Type: text/html\r\n") &&
                  !strstr(out, "text/plain") && strstr(out, "Connection: keep-alive\r\n") &&
                  !closed,
              "%s", out);
    cr_assert(strstr(out, "set=0 del=0,0 bad=-") && strstr(out, "CR or LF|check=0,-"), "%s", out);
    const char gz0[] = "GET /gz0 HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n";
    exchange(port, gz0, sizeof(gz0) - 1, out, sizeof(out), 1, &closed);
    cr_assert(!strstr(out, "Content-Encoding") && strstr(out, "Content-Length: 1500"), "%s", out);
    const char gz9[] = "GET /gz9 HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n";
    exchange(port, gz9, sizeof(gz9) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "Content-Encoding: gzip\r\n"), "%s", out);
    const char gz10[] = "GET /gz10 HTTP/1.1\r\nHost: h\r\n\r\n";
    exchange(port, gz10, sizeof(gz10) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "refused: http response: compression level 10"), "%s", out);
    const char pri[] = "GET /priority HTTP/1.1\r\nHost: h\r\n\r\n";
    exchange(port, pri, sizeof(pri) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "Set-Cookie: p=1; Priority=High\r\n") &&
                  strstr(out, "priority \"Urgent\": expected Low, Medium or High"),
              "%s", out);
    const char body[] = "--XX\r\nContent-Disposition: form-data; name=\"f\"; "
                        "filename=\"dir/sub/a.txt\"\r\n\r\nhello\r\n--XX--\r\n";
    char up[512];
    int n = snprintf(up, sizeof(up), "POST /files HTTP/1.1\r\nHost: h\r\nContent-Type: "
                     "multipart/form-data; boundary=XX\r\nContent-Length: %zu\r\n\r\n%s",
                     sizeof(body) - 1, body);
    exchange(port, up, (size_t)n, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "f name=a.txt full=dir/sub/a.txt size=5\n"), "%s", out);
    tu_stop_server(pid);
}

/* With http_compression off, a response's own level still compresses. */
static void c_api_compress_off(const char *mode) {
    static const char *const off[] = {"http_compression", "false", NULL};
    own_settings = off;
    int port;
    pid_t pid = own_start(mode, &port);
    own_settings = NULL;
    static char out[1 << 16];
    bool closed;
    const char big[] = "GET /big HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n";
    exchange(port, big, sizeof(big) - 1, out, sizeof(out), 1, &closed);
    cr_assert(!strstr(out, "Content-Encoding") && strstr(out, "Content-Length: 1500"), "%s", out);
    const char gz9[] = "GET /gz9 HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n";
    size_t n = exchange(port, gz9, sizeof(gz9) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strstr(out, "Content-Encoding: gzip\r\n"), "%s", out);
    const char *b = strstr(out, "\r\n\r\n") + 4;
    cr_assert((unsigned char)b[0] == 0x1f && (unsigned char)b[1] == 0x8b && out + n - b < 100,
              "gzip of 1500 z's");
    tu_stop_server(pid);
}

Test(http, c_api_replace_compress_priority_full_path_base, .timeout = 60) { c_api_more("base"); }
Test(http, c_api_replace_compress_priority_full_path_process, .timeout = 60) {
    c_api_more("process");
}
static void remote_response(const char *mode) {
    int port;
    pid_t pid = own_start(mode, &port);
    static char out[1 << 16];
    bool closed;
    const char req[] = "GET /remote HTTP/1.1\r\nHost: h\r\n\r\n";
    exchange(port, req, sizeof(req) - 1, out, sizeof(out), 1, &closed);
    cr_assert(strncmp(out, "HTTP/1.1 408 Request Timeout\r\n", 30) == 0, "%s", out);
    cr_assert(strstr(out, "Connection: keep-alive\r\n"), "%s", out);
    cr_assert(strstr(out, "\r\n\r\nremote; none=NULL http response: connection "), "%s", out);
    cr_assert(strstr(out, ": no such connection"), "%s", out);
    tu_stop_server(pid);
}

Test(http, remote_response_to_a_connection_base, .timeout = 60) { remote_response("base"); }
Test(http, remote_response_to_a_connection_process, .timeout = 60) { remote_response("process"); }

Test(http, c_api_compress_level_with_http_compression_off, .timeout = 60) {
    c_api_compress_off("base");
}
Test(http, c_api_params_cookies_gzip_chunks_detach_base, .timeout = 60) { c_api("base"); }
Test(http, c_api_params_cookies_gzip_chunks_detach_process, .timeout = 60) { c_api("process"); }

/* The same cookies under each rule set: PHP's keeps names as sent, '+' in
 * values, and the first cookie of a name as PHP makes it (sp.ace, sp_ace;
 * a[] then a; x[y then x_y). */
Test(http, cookie_fields_plain_and_php_rules, .timeout = 60) {
    static const struct {
        swirl_http_fields_t rules;
        const char *want;
    } cases[] = {
        {SWIRL_HTTP_FIELDS_PLAIN, "\r\n\r\n;;k=v 1 ,a[]=1,k=second,sp.ace=2,novalue=,sp_ace=3,a=4,"
                                  "x[y=5,x_y=6,A=7|a=(none)|"},
        {SWIRL_HTTP_FIELDS_PHP, "\r\n\r\n;;k=v+1 ,a[]=1,sp.ace=2,novalue=,x[y=5,%41=7|a=(none)|"},
    };
    const char req[] = "GET /params HTTP/1.1\r\nHost: h\r\n"
                       "Cookie: k=v+1%20; a[]=1; k=second;  sp.ace=2; =x; novalue\r\n"
                       "Cookie: sp_ace=3; a=4; x[y=5; x_y=6; %41=7\r\n\r\n";
    static char out[1 << 14];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int port;
        bool closed;
        own_fields = cases[i].rules;
        pid_t pid = own_start("base", &port);
        exchange(port, req, sizeof(req) - 1, out, sizeof(out), 1, &closed);
        cr_assert(strstr(out, cases[i].want), "rules %d: %s", (int)cases[i].rules, out);
        tu_stop_server(pid);
    }
    own_fields = SWIRL_HTTP_FIELDS_PLAIN;
    swirl_http_server_t *hs;
    cr_assert_eq(swirl_http_server_new(&hs, "127.0.0.1", 0, SWIRL_MODE_BASE), 0);
    cr_assert_eq(swirl_http_server_fields(hs, (swirl_http_fields_t)7), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "rules 7"), "%s", swirl_last_error_msg());
    swirl_http_server_free(hs);
}
