/* tests/integration/test_websocket_conformance.c — a raw-socket client
 * reproducing the usual categories of WebSocket conformance suites (1
 * framing, 2 ping/pong, 3 reserved bits, 4 opcodes, 5 fragmentation, 6
 * UTF-8 with Kuhn's stress cases, 7 close, 9 the size/fragment/chop
 * matrix to 16 MiB, 10 large outgoing messages) against swirl's echo
 * server in BASE and PROCESS mode, and the same categories against
 * Python's websockets server, so the client's expectations are RFC 6455's
 * and not swirl's alone. */
#include "ws_harness.h"

TU_SUITE(websocket);

/* ---- conformance categories ------------------------------------------------------------------- */

static void framing(int port) { /* 1 */
    static const size_t sizes[] = {0, 1, 125, 126, 127, 128, 65535, 65536};
    int fd = ws_open(port, "/", NULL);
    char *buf = malloc(65536);
    cr_assert(buf);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        memset(buf, 'a' + (int)i, sizes[i]);
        msg_out(fd, SWIRL_WS_TEXT, buf, sizes[i]);
        expect_echo(fd, SWIRL_WS_TEXT, buf, sizes[i]);
        for (size_t k = 0; k < sizes[i]; k++)
            buf[k] = (char)(k * 31);
        msg_out(fd, SWIRL_WS_BINARY, buf, sizes[i]);
        expect_echo(fd, SWIRL_WS_BINARY, buf, sizes[i]);
    }
    /* chopped into small pieces */
    memset(buf, 'z', 300);
    frame_out(fd, true, 0, SWIRL_WS_TEXT, buf, 300, 7, false);
    expect_echo(fd, SWIRL_WS_TEXT, buf, 300);
    frame_out(fd, true, 0, SWIRL_WS_BINARY, buf, 65536, 4096, false);
    expect_echo(fd, SWIRL_WS_BINARY, buf, 65536);
    frame_out(fd, true, 0, SWIRL_WS_BINARY, buf, 65536, 997, false); /* odd chops */
    expect_echo(fd, SWIRL_WS_BINARY, buf, 65536);
    free(buf);
    close(fd);
}

static void ping_pong(int port) { /* 2 */
    int fd = ws_open(port, "/", NULL);
    char p[126];
    memset(p, 'p', sizeof(p));
    msg_out(fd, SWIRL_WS_PING, "", 0);
    expect_echo(fd, SWIRL_WS_PONG, "", 0);
    msg_out(fd, SWIRL_WS_PING, p, 125);
    expect_echo(fd, SWIRL_WS_PONG, p, 125);
    msg_out(fd, SWIRL_WS_PING, "\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 8); /* binary payload */
    expect_echo(fd, SWIRL_WS_PONG, "\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 8);
    frame_out(fd, true, 0, SWIRL_WS_PING, p, 125, 1, false); /* 125 bytes, a byte a write */
    expect_echo(fd, SWIRL_WS_PONG, p, 125);
    msg_out(fd, SWIRL_WS_PONG, "", 0);        /* unsolicited, empty: ignored */
    msg_out(fd, SWIRL_WS_PONG, "unasked", 7); /* ignored */
    msg_out(fd, SWIRL_WS_PING, "after pong", 10);
    expect_echo(fd, SWIRL_WS_PONG, "after pong", 10);
    for (int i = 0; i < 10; i++)
        frame_out(fd, true, 0, SWIRL_WS_PING, "ten", 3, 1, false);
    for (int i = 0; i < 10; i++)
        expect_echo(fd, SWIRL_WS_PONG, "ten", 3);
    msg_out(fd, SWIRL_WS_TEXT, "after", 5);
    expect_echo(fd, SWIRL_WS_TEXT, "after", 5);
    close(fd);
    /* a 126-byte ping fails the connection */
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_PING, p, 126);
    expect_close(fd, 1002, "126-byte ping");
    close(fd);
}

static void reserved_bits_and_opcodes(int port) { /* 3, 4 */
    static const int ops[] = {SWIRL_WS_TEXT, SWIRL_WS_BINARY, SWIRL_WS_PING, SWIRL_WS_CLOSE};
    for (int rsv = 1; rsv <= 7; rsv++) {
        int fd = ws_open(port, "/", NULL);
        frame_out(fd, true, rsv, ops[rsv % 4], "x", rsv % 4 == 3 ? 0 : 1, 0, false);
        char label[64];
        snprintf(label, sizeof(label), "RSV %d", rsv);
        expect_close(fd, 1002, label);
        close(fd);
    }
    static const int reserved[] = {3, 4, 5, 6, 7, 11, 12, 13, 14, 15};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        int fd = ws_open(port, "/", NULL);
        msg_out(fd, SWIRL_WS_TEXT, "ok", 2);
        expect_echo(fd, SWIRL_WS_TEXT, "ok", 2);
        msg_out(fd, reserved[i], "x", 1);
        char label[64];
        snprintf(label, sizeof(label), "opcode %d", reserved[i]);
        expect_close(fd, 1002, label);
        close(fd);
    }
}

static void fragmentation(int port) { /* 5 */
    int fd = ws_open(port, "/", NULL);
    frame_out(fd, false, 0, SWIRL_WS_TEXT, "frag", 4, 0, false);
    frame_out(fd, true, 0, SWIRL_WS_PING, "mid", 3, 0, false); /* control between fragments */
    frame_out(fd, false, 0, SWIRL_WS_CONTINUATION, "ment", 4, 1, false);
    frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, "ed", 2, 0, false);
    expect_echo(fd, SWIRL_WS_PONG, "mid", 3);
    expect_echo(fd, SWIRL_WS_TEXT, "fragmented", 10);
    /* empty fragments */
    frame_out(fd, false, 0, SWIRL_WS_BINARY, "", 0, 0, false);
    frame_out(fd, false, 0, SWIRL_WS_CONTINUATION, "", 0, 0, false);
    frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, "", 0, 0, false);
    expect_echo(fd, SWIRL_WS_BINARY, "", 0);
    close(fd);
    static const struct {
        bool fin1;
        int op1;
        bool fin2;
        int op2;
        const char *label;
    } bad[] = {
        {true, SWIRL_WS_CONTINUATION, true, 0, "continuation with nothing to continue"},
        {false, SWIRL_WS_TEXT, true, SWIRL_WS_TEXT, "a new message inside a fragmented one"},
        {false, SWIRL_WS_PING, true, 0, "a fragmented ping"},
        {false, SWIRL_WS_PONG, true, 0, "a fragmented pong"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fd = ws_open(port, "/", NULL);
        frame_out(fd, bad[i].fin1, 0, bad[i].op1, "a", 1, 0, false);
        if (bad[i].op2)
            frame_out(fd, bad[i].fin2, 0, bad[i].op2, "b", 1, 0, false);
        expect_close(fd, 1002, bad[i].label);
        close(fd);
    }
}

/* Category 6 in breadth: Markus Kuhn's UTF-8 stress cases (boundaries,
 * noncharacters, 5- and 6-byte forms, lone and truncated sequences,
 * impossible bytes, overlong forms, surrogates). Valid text is echoed,
 * also when every byte is its own fragment; invalid text is 1007. */
static void utf8_sequences(int port) {
    static const char *const valid[] = {
        "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", "\x00", "\x7f", "\xc2\x80",
        "\xdf\xbf", "\xe0\xa0\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
        "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd",
        "\xef\xbf\xbe", "\xef\xbb\xbf", "\xf4\x8f\xbf\xbe", "\xe2\x82\xac\xf0\x9f\x98\x80"};
    static const size_t valid_len[] = {11, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 3, 3, 3, 4, 7};
    static const char *const invalid[] = {
        "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80", "\xf4\x90\x80\x80", "\x80",
        "\xbf", "\x80\xbf", "\x80\xbf\x80", "\xc0 ", "\xe0 ", "\xf0 ", "\xf8 ", "\xfc ",
        "\xc0", "\xe0\x80", "\xf0\x80\x80", "\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfe",
        "\xff", "\xfe\xfe\xff\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
        "\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xc0\x80", "\xe0\x80\x80",
        "\xf0\x80\x80\x80", "\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80",
        "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf",
        "\xed\xa0\x80\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf", "ok\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"};
    int fd = ws_open(port, "/", NULL);
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        size_t n = valid_len[i];
        msg_out(fd, SWIRL_WS_TEXT, valid[i], n);
        expect_echo(fd, SWIRL_WS_TEXT, valid[i], n);
        for (size_t k = 0; k < n; k++) /* a fragment per byte */
            frame_out(fd, k + 1 == n, 0, k ? SWIRL_WS_CONTINUATION : SWIRL_WS_TEXT, valid[i] + k,
                      1, 0, false);
        expect_echo(fd, SWIRL_WS_TEXT, valid[i], n);
    }
    close(fd);
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        size_t n = strlen(invalid[i]);
        for (int per_byte = 0; per_byte <= 1; per_byte++) {
            fd = ws_open(port, "/", NULL);
            if (!per_byte)
                msg_out(fd, SWIRL_WS_TEXT, invalid[i], n);
            else
                for (size_t k = 0; k < n; k++)
                    frame_out(fd, k + 1 == n, 0, k ? SWIRL_WS_CONTINUATION : SWIRL_WS_TEXT,
                              invalid[i] + k, 1, 0, false);
            char label[64];
            snprintf(label, sizeof(label), "invalid UTF-8 case %zu%s", i,
                     per_byte ? " (a fragment per byte)" : "");
            expect_close(fd, 1007, label);
            close(fd);
        }
    }
}

/* Category 6 case by case, as Autobahn numbers it (145 cases): each case
 * is a text payload and the verdict RFC 6455 gives it, echo (valid UTF-8)
 * or 1007. Families are built the way the suite builds them. */
typedef struct {
    char s[64];
    size_t n;
    bool valid;
} u8case_t;

static size_t autobahn_utf8_cases(u8case_t *c) {
    size_t k = 0;
#define ADD(str, ok)                                                                               \
    do {                                                                                           \
        static const char lit_[] = str;                                                            \
        memcpy(c[k].s, lit_, sizeof(lit_) - 1);                                                    \
        c[k].n = sizeof(lit_) - 1;                                                                 \
        c[k++].valid = ok;                                                                         \
    } while (0)
    static const char kosme[] = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
    /* 6.1 (empty), 6.2 (Hello-µ@ßöäüàá-UTF-8!!, 4 ways), 6.3 (2), 6.4 (4), 6.5 (5) */
    ADD("", true);
    ADD("", true);
    ADD("", true);
    for (int i = 0; i < 4; i++)
        ADD("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!", true);
    ADD("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64", false);
    ADD("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64", false);
    ADD("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64", false);
    ADD("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64", false);
    ADD("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64", false);
    ADD("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64", false);
    ADD("\x7f", true);
    ADD("\xc2\x80", true);
    ADD("\xe0\xa0\x80", true);
    ADD("\xf0\x90\x80\x80", true);
    ADD("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", true);
    /* 6.6: kosme's prefixes; valid where they end at a code point */
    for (size_t len = 1; len <= 11; len++) {
        memcpy(c[k].s, kosme, len);
        c[k].n = len;
        c[k++].valid = len == 2 || len == 5 || len == 7 || len == 9 || len == 11;
    }
    /* 6.7 first of each length, 6.8 first 5/6-byte, 6.9 last of each length, 6.10 last 4/5/6 */
    ADD("\x00", true);
    ADD("\xc2\x80", true);
    ADD("\xe0\xa0\x80", true);
    ADD("\xf0\x90\x80\x80", true);
    ADD("\xf8\x88\x80\x80\x80", false);
    ADD("\xfc\x84\x80\x80\x80\x80", false);
    ADD("\x7f", true);
    ADD("\xdf\xbf", true);
    ADD("\xef\xbf\xbf", true);
    ADD("\xf4\x8f\xbf\xbf", true);
    ADD("\xf7\xbf\xbf\xbf", false);
    ADD("\xfb\xbf\xbf\xbf\xbf", false);
    ADD("\xfd\xbf\xbf\xbf\xbf\xbf", false);
    /* 6.11 other boundaries */
    ADD("\xed\x9f\xbf", true);
    ADD("\xee\x80\x80", true);
    ADD("\xef\xbf\xbd", true);
    ADD("\xf4\x8f\xbf\xbf", true);
    ADD("\xf4\x90\x80\x80", false);
    /* 6.12 unexpected continuation bytes, 1..7 of them, then all 64 */
    ADD("\x80", false);
    ADD("\xbf", false);
    ADD("\x80\xbf", false);
    ADD("\x80\xbf\x80", false);
    ADD("\x80\xbf\x80\xbf", false);
    ADD("\x80\xbf\x80\xbf\x80", false);
    ADD("\x80\xbf\x80\xbf\x80\xbf", false);
    for (int b = 0x80; b <= 0xbf; b++)
        c[k].s[b - 0x80] = (char)b;
    c[k].n = 64;
    c[k++].valid = false;
    /* 6.13 lonely start bytes, each followed by a space: 2-, 3-, 4-, 5-, 6-byte leads */
    static const int lo[] = {0xc0, 0xe0, 0xf0, 0xf8, 0xfc}, hi[] = {0xdf, 0xef, 0xf7, 0xfb, 0xfd};
    for (int f = 0; f < 5; f++) {
        size_t n = 0;
        for (int b = lo[f]; b <= hi[f]; b++) {
            c[k].s[n++] = (char)b;
            c[k].s[n++] = ' ';
        }
        c[k].n = n;
        c[k++].valid = false;
    }
    /* 6.14 last continuation missing, 6.15 their concatenation */
    static const char *const cut[] = {"\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80",
                                      "\xfc\x80\x80\x80\x80", "\xdf", "\xef\xbf", "\xf7\xbf\xbf",
                                      "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf"};
    char joined[64];
    size_t all = 0;
    for (int i = 0; i < 10; i++) {
        size_t n = strlen(cut[i]);
        memcpy(c[k].s, cut[i], n);
        c[k].n = n;
        c[k++].valid = false;
        memcpy(joined + all, cut[i], n);
        all += n;
    }
    memcpy(c[k].s, joined, all);
    c[k].n = all;
    c[k++].valid = false;
    /* 6.16 impossible bytes, 6.17 overlong '/', 6.18 maximum overlongs, 6.19 overlong NUL */
    ADD("\xfe", false);
    ADD("\xff", false);
    ADD("\xfe\xfe\xff\xff", false);
    ADD("\xc0\xaf", false);
    ADD("\xe0\x80\xaf", false);
    ADD("\xf0\x80\x80\xaf", false);
    ADD("\xf8\x80\x80\x80\xaf", false);
    ADD("\xfc\x80\x80\x80\x80\xaf", false);
    ADD("\xc1\xbf", false);
    ADD("\xe0\x9f\xbf", false);
    ADD("\xf0\x8f\xbf\xbf", false);
    ADD("\xf8\x87\xbf\xbf\xbf", false);
    ADD("\xfc\x83\xbf\xbf\xbf\xbf", false);
    ADD("\xc0\x80", false);
    ADD("\xe0\x80\x80", false);
    ADD("\xf0\x80\x80\x80", false);
    ADD("\xf8\x80\x80\x80\x80", false);
    ADD("\xfc\x80\x80\x80\x80\x80", false);
    /* 6.20 single surrogates, 6.21 paired surrogates */
    static const char *const sur[] = {"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80",
                                      "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf"};
    for (int i = 0; i < 7; i++) {
        memcpy(c[k].s, sur[i], 3);
        c[k].n = 3;
        c[k++].valid = false;
    }
    static const char *const high[] = {"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80",
                                       "\xed\xaf\xbf"};
    static const char *const low[] = {"\xed\xb0\x80", "\xed\xbf\xbf"};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 2; j++) {
            memcpy(c[k].s, high[i], 3);
            memcpy(c[k].s + 3, low[j], 3);
            c[k].n = 6;
            c[k++].valid = false;
        }
    /* 6.22 noncharacters U+FFFE/U+FFFF of every plane, then U+FDD0..: valid UTF-8 */
    for (uint32_t plane = 0; plane <= 16; plane++)
        for (uint32_t last = 0xfffe; last <= 0xffff; last++) {
            uint32_t cp = plane << 16 | last;
            char *s = c[k].s;
            if (cp < 0x10000) {
                s[0] = (char)(0xe0 | cp >> 12);
                s[1] = (char)(0x80 | (cp >> 6 & 0x3f));
                s[2] = (char)(0x80 | (cp & 0x3f));
                c[k].n = 3;
            } else {
                s[0] = (char)(0xf0 | cp >> 18);
                s[1] = (char)(0x80 | (cp >> 12 & 0x3f));
                s[2] = (char)(0x80 | (cp >> 6 & 0x3f));
                s[3] = (char)(0x80 | (cp & 0x3f));
                c[k].n = 4;
            }
            c[k++].valid = true;
        }
    /* 6.23 specials around U+FFFD */
    ADD("\xef\xbf\xb9", true);
    ADD("\xef\xbf\xba", true);
    ADD("\xef\xbf\xbb", true);
    ADD("\xef\xbf\xbc", true);
    ADD("\xef\xbf\xbd", true);
    ADD("\xef\xbf\xbe", true);
    ADD("\xef\xbf\xbf", true);
#undef ADD
    return k;
}

static void utf8_autobahn(int port) {
    static u8case_t cases[200];
    size_t n = autobahn_utf8_cases(cases);
    cr_assert_eq(n, 145, "Autobahn's category 6 has 145 cases, built %zu", n);
    int valid_fd = ws_open(port, "/", NULL);
    for (size_t i = 0; i < n; i++) {
        const u8case_t *u = &cases[i];
        int fd = u->valid ? valid_fd : ws_open(port, "/", NULL);
        /* whole, then (for the valid) a fragment per byte */
        msg_out(fd, SWIRL_WS_TEXT, u->s, u->n);
        char label[64];
        snprintf(label, sizeof(label), "UTF-8 case %zu (%zu bytes)", i + 1, u->n);
        if (!u->valid) {
            expect_close(fd, 1007, label);
            close(fd);
            continue;
        }
        expect_echo(fd, SWIRL_WS_TEXT, u->s, u->n);
        for (size_t b = 0; b < u->n; b++)
            frame_out(fd, b + 1 == u->n, 0, b ? SWIRL_WS_CONTINUATION : SWIRL_WS_TEXT, u->s + b, 1,
                      0, false);
        if (u->n)
            expect_echo(fd, SWIRL_WS_TEXT, u->s, u->n);
    }
    close(valid_fd);
}

/* Whether to hold the peer to swirl's own rules beyond RFC 6455's minimum:
 * text failed on its first bad byte, before the frame ends (websockets
 * checks whole frames), and a message answered before a close that
 * follows it (websockets may close first; Autobahn's 7.1.6 is only
 * informational). */
static bool own_rules = true;

static void utf8(int port) { /* 6 */
    static const char text[] = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xf0\x9f\x98\x80";
    size_t n = sizeof(text) - 1;
    int fd = ws_open(port, "/", NULL);
    for (size_t cut = 1; cut < n; cut++) { /* split across two frames, anywhere */
        frame_out(fd, false, 0, SWIRL_WS_TEXT, text, cut, 0, false);
        frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, text + cut, n - cut, 0, false);
        expect_echo(fd, SWIRL_WS_TEXT, text, n);
    }
    close(fd);
    static const char *const bad[] = {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
                                      "ok\xce", "\xe0\x80\xaf"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fd = ws_open(port, "/", NULL);
        msg_out(fd, SWIRL_WS_TEXT, bad[i], strlen(bad[i]));
        char label[64];
        snprintf(label, sizeof(label), "bad UTF-8 %zu", i);
        expect_close(fd, 1007, label);
        close(fd);
    }
    utf8_sequences(port);
    utf8_autobahn(port);
    if (!own_rules)
        return;
    /* fail fast: a bad byte at the start of a 1 MB text frame of which only
     * the first 64 KB are sent: the close comes before the rest */
    fd = ws_open(port, "/", NULL);
    size_t big = 1 << 20;
    uint8_t head[SWIRL_WS_HEADER_MAX];
    static const uint8_t mask[4] = {0, 0, 0, 0};
    size_t h = swirl_ws_header_write(head, true, SWIRL_WS_TEXT, big, mask);
    put(fd, head, h);
    char *part = calloc(1, 65536);
    cr_assert(part);
    memset(part, 'a', 65536);
    part[10] = (char)0xff;
    put(fd, part, 65536);
    free(part);
    expect_close(fd, 1007, "fail fast");
    close(fd);
}

static void close_paths(int port) { /* 7 */
    int fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    expect_close(fd, 1000, "close 1000 echoed");
    close(fd);
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "", 0);
    expect_close(fd, 0, "empty close echoed");
    close(fd);
    char p[125];
    memset(p, 'r', sizeof(p));
    p[0] = 0x0f;
    p[1] = (char)0xa0; /* 4000 */
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, p, 125);
    expect_close(fd, 4000, "125-byte close");
    close(fd);
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03", 1);
    expect_close(fd, 1002, "1-byte close payload");
    close(fd);
    char p126[126];
    memset(p126, 'r', sizeof(p126));
    p126[0] = 0x03;
    p126[1] = (char)0xe8;
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, p126, 126);
    expect_close(fd, 1002, "126-byte close payload");
    close(fd);
    static const int good_codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                                     3000, 3999, 4000, 4999};
    for (size_t i = 0; i < sizeof(good_codes) / sizeof(good_codes[0]); i++) {
        fd = ws_open(port, "/", NULL);
        char c[2] = {(char)(good_codes[i] >> 8), (char)good_codes[i]};
        msg_out(fd, SWIRL_WS_CLOSE, c, 2);
        char label[64];
        snprintf(label, sizeof(label), "close code %d echoed", good_codes[i]);
        expect_close(fd, good_codes[i], label);
        close(fd);
    }
    static const int bad_codes[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof(bad_codes) / sizeof(bad_codes[0]); i++) {
        fd = ws_open(port, "/", NULL);
        char c[2] = {(char)(bad_codes[i] >> 8), (char)bad_codes[i]};
        msg_out(fd, SWIRL_WS_CLOSE, c, 2);
        char label[64];
        snprintf(label, sizeof(label), "close code %d", bad_codes[i]);
        expect_close(fd, 1002, label);
        close(fd);
    }
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8\xff", 3);
    expect_close(fd, 1007, "close reason not UTF-8");
    close(fd);
    /* nothing is answered after the close: text, a second close, a ping */
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    msg_out(fd, SWIRL_WS_TEXT, "late", 4);
    expect_close(fd, 1000, "text after close");
    close(fd);
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    expect_close(fd, 1000, "a second close");
    close(fd);
    fd = ws_open(port, "/", NULL);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    msg_out(fd, SWIRL_WS_PING, "p", 1);
    expect_close(fd, 1000, "ping after close");
    close(fd);
    /* a close in the middle of a fragmented message ends it; a close after a
     * large message comes after its echo */
    fd = ws_open(port, "/", NULL);
    frame_out(fd, false, 0, SWIRL_WS_TEXT, "frag", 4, 0, false);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    expect_close(fd, 1000, "close inside a fragmented message");
    close(fd);
    if (!own_rules)
        return;
    fd = ws_open(port, "/", NULL);
    char *large = malloc(256 * 1024);
    cr_assert(large);
    memset(large, 'L', 256 * 1024);
    msg_out(fd, SWIRL_WS_BINARY, large, 256 * 1024);
    msg_out(fd, SWIRL_WS_CLOSE, "\x03\xe8", 2);
    expect_echo(fd, SWIRL_WS_BINARY, large, 256 * 1024);
    expect_close(fd, 1000, "close after a large message");
    free(large);
    close(fd);
}

static void limits(int port) { /* 9, 10, and masking, 1009 */
    int fd = ws_open(port, "/", NULL);
    size_t sizes[] = {1 << 16, 1 << 20, 16 << 20};
    for (size_t i = 0; i < 3; i++) {
        size_t n = sizes[i];
        char *buf = malloc(n);
        cr_assert(buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)(k * 13 + i);
        /* in 64 KB fragments, each written in 4 KB pieces */
        for (size_t off = 0; off < n; off += 65536) {
            size_t k = n - off < 65536 ? n - off : 65536;
            frame_out(fd, off + k == n, 0, off ? SWIRL_WS_CONTINUATION : SWIRL_WS_BINARY,
                      buf + off, k, 0, false);
        }
        expect_echo(fd, SWIRL_WS_BINARY, buf, n);
        free(buf);
    }
    close(fd);
    fd = ws_open(port, "/", NULL);
    frame_out(fd, true, 0, SWIRL_WS_TEXT, "naked", 5, 0, true);
    expect_close(fd, 1002, "unmasked client frame");
    close(fd);
}

/* Category 9 in breadth: messages of 64 KiB to 16 MiB in one frame; a 4
 * MiB message in fragments of 64 B to 4 MiB; a 1 MiB message written in
 * chops of 64 B to 2 KiB; 1 000 messages of 0 B to 4 KiB in a row. Text and
 * binary each. */
static void limits_matrix(int port) {
    int fd = ws_open(port, "/", NULL);
    size_t top = 16u << 20;
    char *buf = malloc(top);
    cr_assert(buf);
    for (size_t k = 0; k < top; k++)
        buf[k] = (char)('a' + k % 26);
    static const int ops[] = {SWIRL_WS_TEXT, SWIRL_WS_BINARY};
    for (int o = 0; o < 2; o++) {
        for (size_t n = 64u << 10; n <= top; n *= 4) { /* 9.1, 9.2: 64K 256K 1M 4M 16M */
            msg_out(fd, ops[o], buf, n);
            expect_echo(fd, ops[o], buf, n);
        }
        for (size_t frag = 64; frag <= (4u << 20); frag *= 4) { /* 9.3, 9.4 */
            size_t n = 4u << 20;
            for (size_t off = 0; off < n; off += frag)
                frame_out(fd, off + frag >= n, 0, off ? SWIRL_WS_CONTINUATION : ops[o], buf + off,
                          n - off < frag ? n - off : frag, 0, false);
            expect_echo(fd, ops[o], buf, n);
        }
        for (size_t chop = 64; chop <= 2048; chop *= 2) { /* 9.5, 9.6 */
            size_t n = 1u << 20;
            uint8_t *f = malloc(n + SWIRL_WS_HEADER_MAX);
            static const uint8_t mask[4] = {9, 8, 7, 6};
            size_t h = swirl_ws_header_write(f, true, ops[o], n, mask);
            swirl_ws_unmask_copy(f + h, buf, n, mask, 0);
            for (size_t off = 0; off < h + n; off += chop)
                put(fd, f + off, off + chop > h + n ? h + n - off : chop);
            free(f);
            expect_echo(fd, ops[o], buf, n);
        }
        for (size_t n = 0; n <= 4096; n = n ? n * 4 : 16) { /* 9.7, 9.8: 0 16 64 256 1K 4K */
            for (int i = 0; i < 1000; i++)
                msg_out(fd, ops[o], buf, n);
            for (int i = 0; i < 1000; i++)
                expect_echo(fd, ops[o], buf, n);
        }
    }
    free(buf);
    close(fd);
}

static void too_big(int port) {
    int fd = ws_open(port, "/", NULL);
    char *buf = calloc(1, 70000);
    cr_assert(buf);
    frame_out(fd, true, 0, SWIRL_WS_BINARY, buf, 70000, 0, false);
    expect_close(fd, 1009, "message over package_max_length");
    close(fd);
    /* fragments adding up past it */
    fd = ws_open(port, "/", NULL);
    frame_out(fd, false, 0, SWIRL_WS_BINARY, buf, 40000, 0, false);
    frame_out(fd, true, 0, SWIRL_WS_CONTINUATION, buf, 40000, 0, false);
    expect_close(fd, 1009, "fragments over package_max_length");
    close(fd);
    free(buf);
}

static void conformance(const char *mode) {
    int port = start((variant_t){.mode = mode});
    framing(port);
    ping_pong(port);
    reserved_bits_and_opcodes(port);
    fragmentation(port);
    utf8(port);
    close_paths(port);
    limits(port);
    limits_matrix(port);
    stop();
    port = start((variant_t){.mode = mode, .max = "64K"});
    too_big(port);
    stop();
}

Test(websocket, conformance_categories_base, .timeout = 180, .fini = stop) {
    conformance("base");
}
Test(websocket, conformance_categories_process, .timeout = 180, .fini = stop) {
    conformance("process");
}
/* ---- the raw client checked against an independent strict server --------------------------------- */

/* The same categories against Python's `websockets` (Debian
 * python3-websockets) as an echo server: the raw client's expectations
 * are RFC 6455's, not swirl's alone. Only "fail fast" is swirl's own. */
static const char peer_py[] =
    "import asyncio, websockets\n"
    "async def echo(ws, path=None):\n"
    "    try:\n"
    "        async for m in ws:\n"
    "            await ws.send(m)\n"
    "    except websockets.ConnectionClosed:\n"
    "        pass\n"
    "async def main():\n"
    "    async with websockets.serve(echo, '127.0.0.1', 0, max_size=20 * 2**20,\n"
    "                                compression=None, ping_interval=None) as s:\n"
    "        import sys\n"
    "        sys.stdout.write('port %d\\n' % s.sockets[0].getsockname()[1])\n"
    "        sys.stdout.flush()\n"
    "        await asyncio.Future()\n"
    "asyncio.run(main())\n";

Test(websocket, raw_client_agrees_with_python_websockets_server, .timeout = 180) {
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import websockets' 2>/dev/null") != 0)
        cr_skip_test("python3-websockets is not installed (scripts/deps.sh installs it)");
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(p[1], 1);
        close(p[0]);
        execl("/usr/bin/python3", "python3", "-c", peer_py, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[64] = "";
    size_t got = 0;
    while (got < sizeof(line) - 1 && !strchr(line, '\n')) { /* the whole line, however written */
        struct pollfd pf = {p[0], POLLIN, 0};
        cr_assert_gt(poll(&pf, 1, 10000), 0, "the Python server did not start");
        ssize_t r = read(p[0], line + got, sizeof(line) - 1 - got);
        cr_assert_gt(r, 0, "the Python server did not start");
        got += (size_t)r;
        line[got] = 0;
    }
    close(p[0]);
    int port = atoi(line + 5);
    cr_assert_gt(port, 0, "%s", line);
    own_rules = false;
    framing(port);
    ping_pong(port);
    reserved_bits_and_opcodes(port);
    fragmentation(port);
    utf8(port);
    close_paths(port);
    limits(port);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

