/* tests/integration/test_mysql.c — the MySQL client (src/mysql) against a
 * real mariadbd started once for this binary (mysql_harness.h): queries,
 * rows, prepared statements, transactions, errors, timeouts, cancellation,
 * the pool under load and a connection killed on the server. */
#include <errno.h>
#include <swirl/swirl.h>
#include <poll.h>
#include <time.h>

#include "mysql_harness.h"
#include "testutil.h"

TU_SUITE(mysql);

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop until *flag (a safety deadline of `ms` fails the test). */
static void run_until(swirl_loop_t *loop, const int *flag, int target, uint64_t ms) {
    uint64_t end = now_ms() + ms;
    while (*flag < target) {
        cr_assert(now_ms() < end, "loop: still waiting after %llu ms (%d of %d)",
                  (unsigned long long)ms, *flag, target);
        swirl_loop_run_once(loop, 50);
    }
}

static void tcp_cfg(swirl_mysql_config_t *cfg) {
    swirl_mysql_config_init(cfg);
    cfg->host = "127.0.0.1";
    cfg->port = mh.port;
    cfg->user = MH_USER;
    cfg->password = MH_PASSWORD;
    cfg->database = MH_DB;
}

/* What one operation's callbacks saw. */
typedef struct {
    int calls; /* done calls */
    int status;
    unsigned err;
    char msg[512];
    uint64_t affected, insert_id, rows;
    unsigned columns;
    int nrows;
    char cells[16][4][64]; /* first rows' values ("NULL" for SQL NULL) */
    char names[4][32];
} seen_t;

static void on_row(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row) {
    seen_t *s = user;
    if (s->nrows < 16)
        for (unsigned i = 0; i < row->columns && i < 4; i++) {
            snprintf(s->cells[s->nrows][i], 64, "%s", row->values[i] ? row->values[i] : "NULL");
            if (row->values[i])
                cr_assert_eq(strlen(row->values[i]), row->lengths[i]);
            snprintf(s->names[i], 32, "%s", row->names[i]);
        }
    s->nrows++;
}

static void on_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    seen_t *s = user;
    s->calls++;
    s->status = res->status;
    s->err = res->server_errno;
    snprintf(s->msg, sizeof(s->msg), "%s", res->message ? res->message : "(null)");
    s->affected = res->affected_rows;
    s->insert_id = res->insert_id;
    s->rows = res->rows;
    s->columns = res->columns;
}

/* Connect and wait; asserts success. */
static swirl_mysql_t *connect_ok(swirl_loop_t *loop, const swirl_mysql_config_t *cfg) {
    swirl_mysql_t *c;
    cr_assert_eq(swirl_mysql_new(&c, loop, cfg), 0);
    seen_t s = {0};
    cr_assert_eq(swirl_mysql_connect(c, on_done, &s), 0);
    cr_assert_eq(s.calls, 0, "connect answered from inside the call");
    run_until(loop, &s.calls, 1, 20000);
    cr_assert_eq(s.status, 0, "connect: %s", s.msg);
    cr_assert(swirl_mysql_connected(c));
    return c;
}

/* Run one query and wait for it; returns what it saw. */
static seen_t query(swirl_loop_t *loop, swirl_mysql_t *c, const char *sql) {
    seen_t s = {0};
    cr_assert_eq(swirl_mysql_query(c, sql, strlen(sql), on_row, on_done, &s), 0, "%s", sql);
    run_until(loop, &s.calls, 1, 20000);
    cr_assert_eq(s.calls, 1);
    return s;
}

static void expect_ok(swirl_loop_t *loop, swirl_mysql_t *c, const char *sql) {
    seen_t s = query(loop, c, sql);
    cr_assert_eq(s.status, 0, "%s: %s", sql, s.msg);
}

Test(mysql, query_rows_and_counts, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_t *c = connect_ok(loop, &cfg);
    cr_assert_gt(swirl_mysql_thread_id(c), 0);
    expect_ok(loop, c, "CREATE TABLE q1 (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40), v DOUBLE)");
    seen_t s = query(loop, c, "INSERT INTO q1 (name, v) VALUES ('a', 1.5), ('b', NULL), ('été', 3)");
    cr_assert_eq(s.status, 0, "%s", s.msg);
    cr_assert_eq(s.affected, 3);
    cr_assert_eq(s.insert_id, 1);
    cr_assert_eq(s.columns, 0);
    s = query(loop, c, "SELECT id, name AS who, v FROM q1 ORDER BY id");
    cr_assert_eq(s.status, 0, "%s", s.msg);
    cr_assert_eq(s.nrows, 3);
    cr_assert_eq(s.rows, 3);
    cr_assert_eq(s.columns, 3);
    cr_assert_str_eq(s.names[1], "who");
    cr_assert_str_eq(s.cells[0][1], "a");
    cr_assert_str_eq(s.cells[0][2], "1.5");
    cr_assert_str_eq(s.cells[1][2], "NULL");
    cr_assert_str_eq(s.cells[2][1], "été");
    s = query(loop, c, "SELECT 1 FROM q1 WHERE id > 100");
    cr_assert_eq(s.status, 0);
    cr_assert_eq(s.nrows, 0);
    cr_assert_eq(s.columns, 1);
    s = query(loop, c, "UPDATE q1 SET v = 2 WHERE id <= 2");
    cr_assert_eq(s.affected, 2);
    /* a large result goes through the row stream */
    s = query(loop, c, "SELECT seq, REPEAT('x', 1000) FROM seq_1_to_5000");
    cr_assert_eq(s.status, 0, "%s", s.msg);
    cr_assert_eq(s.nrows, 5000);
    swirl_mysql_free(c);
    swirl_loop_free(loop);
}

Test(mysql, unix_socket_and_queue_before_connect, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    cfg.unix_socket = mh.sock;
    cfg.charset = "latin1";
    swirl_mysql_t *c;
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), 0);
    seen_t q0 = {0};
    cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, on_done, &q0), SWIRL_ESTATE,
                 "a query before connect is refused");
    seen_t cs = {0}, q1 = {0}, q2 = {0};
    cr_assert_eq(swirl_mysql_connect(c, on_done, &cs), 0);
    cr_assert_eq(swirl_mysql_connect(c, on_done, &cs), SWIRL_ESTATE);
    const char *sql = "SELECT @@character_set_client, CURRENT_USER()";
    cr_assert_eq(swirl_mysql_query(c, sql, strlen(sql), on_row, on_done, &q1), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 2", 8, on_row, on_done, &q2), 0);
    cr_assert_eq(swirl_mysql_pending(c), 3);
    run_until(loop, &q2.calls, 1, 20000);
    cr_assert_eq(cs.status, 0, "%s", cs.msg);
    cr_assert_eq(q1.status, 0, "%s", q1.msg);
    cr_assert_str_eq(q1.cells[0][0], "latin1");
    cr_assert_str_eq(q1.cells[0][1], MH_USER "@localhost");
    cr_assert_str_eq(q2.cells[0][0], "2");
    swirl_mysql_free(c);
    swirl_loop_free(loop);
}

Test(mysql, prepared_statements_with_parameters, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_t *c = connect_ok(loop, &cfg);
    expect_ok(loop, c, "CREATE TABLE p1 (id INT PRIMARY KEY, name TEXT, v DOUBLE, big LONGTEXT)");
    swirl_mysql_stmt_t *ins, *sel;
    seen_t ps = {0}, ps2 = {0};
    const char *isql = "INSERT INTO p1 VALUES (?, ?, ?, ?)";
    cr_assert_eq(swirl_mysql_prepare(c, isql, strlen(isql), &ins, on_done, &ps), 0);
    const char *ssql = "SELECT id, name, v, big FROM p1 WHERE id >= ? ORDER BY id";
    cr_assert_eq(swirl_mysql_prepare(c, ssql, strlen(ssql), &sel, on_done, &ps2), 0);
    run_until(loop, &ps2.calls, 1, 20000);
    cr_assert_eq(ps.status, 0, "%s", ps.msg);
    cr_assert_eq(ps2.status, 0, "%s", ps2.msg);
    cr_assert_eq(ps2.columns, 4);

    static char big[100000];
    memset(big, 'z', sizeof(big));
    const char *quote = "it's \"quoted\"; DROP TABLE p1; --";
    swirl_mysql_param_t p[4] = {
        {.type = SWIRL_MYSQL_INT, .i = 1},
        {.type = SWIRL_MYSQL_TEXT, .s = quote, .len = strlen(quote)},
        {.type = SWIRL_MYSQL_DOUBLE, .d = 2.25},
        {.type = SWIRL_MYSQL_TEXT, .s = big, .len = sizeof(big)},
    };
    seen_t e1 = {0}, e2 = {0}, e3 = {0}, bad = {0};
    cr_assert_eq(swirl_mysql_execute(ins, p, 4, NULL, on_done, &e1), 0);
    p[0].i = 2;
    p[1].type = SWIRL_MYSQL_NULL;
    p[3].len = 3;
    cr_assert_eq(swirl_mysql_execute(ins, p, 4, NULL, on_done, &e2), 0);
    cr_assert_eq(swirl_mysql_execute(ins, p, 2, NULL, on_done, &bad), 0);
    swirl_mysql_param_t from = {.type = SWIRL_MYSQL_INT, .i = 1};
    cr_assert_eq(swirl_mysql_execute(sel, &from, 1, on_row, on_done, &e3), 0);
    run_until(loop, &e3.calls, 1, 20000);
    cr_assert_eq(e1.status, 0, "%s", e1.msg);
    cr_assert_eq(e1.affected, 1);
    cr_assert_eq(e2.status, 0, "%s", e2.msg);
    cr_assert_eq(bad.status, SWIRL_EBADARG);
    cr_assert(strstr(bad.msg, "takes 4 parameters, got 2"), "%s", bad.msg);
    cr_assert_eq(e3.status, 0, "%s", e3.msg);
    cr_assert_eq(e3.nrows, 2);
    cr_assert_str_eq(e3.cells[0][0], "1");
    cr_assert_str_eq(e3.cells[0][1], quote);
    cr_assert_str_eq(e3.cells[0][2], "2.25");
    cr_assert_eq(strlen(e3.cells[0][3]), 63); /* a 100 000-byte value, grown and fetched */
    cr_assert_str_eq(e3.cells[1][1], "NULL");
    cr_assert_str_eq(e3.cells[1][3], "zzz");
    seen_t cnt = query(loop, c, "SELECT LENGTH(big) FROM p1 WHERE id = 1");
    cr_assert_str_eq(cnt.cells[0][0], "100000");

    /* a prepare the server refuses, and an execute of it */
    swirl_mysql_stmt_t *broken;
    seen_t pb = {0}, eb = {0};
    cr_assert_eq(swirl_mysql_prepare(c, "SELEC nothing", 13, &broken, on_done, &pb), 0);
    cr_assert_eq(swirl_mysql_execute(broken, NULL, 0, NULL, on_done, &eb), 0);
    run_until(loop, &eb.calls, 1, 20000);
    cr_assert_eq(pb.status, SWIRL_EREMOTE);
    cr_assert_eq(pb.err, 1064);
    cr_assert_eq(eb.status, SWIRL_ESTATE, "%s", eb.msg);

    /* executions queued before a free are cancelled once */
    seen_t f1 = {0};
    cr_assert_eq(swirl_mysql_execute(sel, &from, 1, on_row, on_done, &f1), 0);
    swirl_mysql_stmt_free(sel);
    cr_assert_eq(swirl_mysql_execute(sel, &from, 1, on_row, on_done, &f1), SWIRL_EBADARG);
    swirl_mysql_stmt_free(broken);
    swirl_mysql_stmt_free(ins);
    seen_t after = query(loop, c, "SELECT COUNT(*) FROM p1");
    cr_assert_eq(f1.calls, 1);
    cr_assert_eq(f1.status, -ECANCELED);
    cr_assert_str_eq(after.cells[0][0], "2");
    seen_t open = query(loop, c, "SHOW SESSION STATUS LIKE 'Com_stmt_close'");
    cr_assert_str_eq(open.cells[0][1], "2", "the server closed both prepared statements");
    swirl_mysql_free(c);
    swirl_loop_free(loop);
}

Test(mysql, transaction_rolled_back_and_committed, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_t *c = connect_ok(loop, &cfg);
    expect_ok(loop, c, "CREATE TABLE t1 (id INT) ENGINE=InnoDB");
    seen_t b = {0}, r = {0};
    cr_assert_eq(swirl_mysql_commit(c, on_done, &b), SWIRL_ESTATE);
    cr_assert_eq(swirl_mysql_begin(c, on_done, &b), 0);
    cr_assert(swirl_mysql_in_transaction(c));
    cr_assert_eq(swirl_mysql_begin(c, on_done, &b), SWIRL_ESTATE);
    expect_ok(loop, c, "INSERT INTO t1 VALUES (1), (2)");
    seen_t in = query(loop, c, "SELECT COUNT(*) FROM t1");
    cr_assert_str_eq(in.cells[0][0], "2");
    cr_assert_eq(swirl_mysql_rollback(c, on_done, &r), 0);
    run_until(loop, &r.calls, 1, 20000);
    cr_assert_eq(r.status, 0, "%s", r.msg);
    cr_assert_not(swirl_mysql_in_transaction(c));
    seen_t out = query(loop, c, "SELECT COUNT(*) FROM t1");
    cr_assert_str_eq(out.cells[0][0], "0", "rows of a rolled back transaction are gone");

    seen_t b2 = {0}, cm = {0};
    cr_assert_eq(swirl_mysql_begin(c, on_done, &b2), 0);
    expect_ok(loop, c, "INSERT INTO t1 VALUES (3)");
    cr_assert_eq(swirl_mysql_commit(c, on_done, &cm), 0);
    run_until(loop, &cm.calls, 1, 20000);
    cr_assert_eq(cm.status, 0);
    /* seen from another connection */
    swirl_mysql_t *o = connect_ok(loop, &cfg);
    seen_t seen = query(loop, o, "SELECT COUNT(*) FROM t1");
    cr_assert_str_eq(seen.cells[0][0], "1");
    swirl_mysql_free(o);
    swirl_mysql_free(c);
    swirl_loop_free(loop);
}

Test(mysql, query_error_names_it_and_the_connection_goes_on, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_t *c = connect_ok(loop, &cfg);
    seen_t e = {0}, ok = {0}, nt = {0};
    cr_assert_eq(swirl_mysql_query(c, "SELEC 1", 7, on_row, on_done, &e), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT * FROM no_such_table", 27, on_row, on_done, &nt), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 7", 8, on_row, on_done, &ok), 0);
    run_until(loop, &ok.calls, 1, 20000);
    cr_assert_eq(e.status, SWIRL_EREMOTE);
    cr_assert_eq(e.err, 1064);
    cr_assert(strstr(e.msg, "ERROR 1064 (42000)") && strstr(e.msg, "SQL syntax"), "%s", e.msg);
    cr_assert(strstr(e.msg, "127.0.0.1:"), "names the server: %s", e.msg);
    cr_assert_eq(nt.err, 1146, "%s", nt.msg);
    cr_assert_eq(ok.status, 0);
    cr_assert_str_eq(ok.cells[0][0], "7");
    cr_assert(swirl_mysql_connected(c));
    /* an error in the middle of a result's rows (a runtime error after the first rows) */
    seen_t mid = query(loop, c, "SELECT IF(seq < 3, seq, (SELECT seq FROM seq_1_to_2)) FROM seq_1_to_5");
    cr_assert_eq(mid.status, SWIRL_EREMOTE, "%s", mid.msg);
    cr_assert_eq(mid.err, 1242, "%s", mid.msg);
    expect_ok(loop, c, "SELECT 8");
    swirl_mysql_free(c);
    swirl_loop_free(loop);
}

Test(mysql, wrong_password_and_unknown_database, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    cfg.password = "wrong";
    swirl_mysql_t *c;
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), 0);
    seen_t s = {0}, q = {0};
    cr_assert_eq(swirl_mysql_connect(c, on_done, &s), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, on_done, &q), 0);
    run_until(loop, &q.calls, 1, 20000);
    cr_assert_eq(s.status, SWIRL_EREMOTE);
    cr_assert_eq(s.err, 1045);
    cr_assert(strstr(s.msg, "Access denied for user 'swirl'"), "%s", s.msg);
    cr_assert_eq(q.status, SWIRL_ECLOSED, "a query queued behind the failed connect: %s", q.msg);
    cr_assert_not(swirl_mysql_connected(c));
    swirl_mysql_free(c);

    tcp_cfg(&cfg);
    cfg.database = "no_such_db";
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), 0);
    seen_t d = {0};
    cr_assert_eq(swirl_mysql_connect(c, on_done, &d), 0);
    run_until(loop, &d.calls, 1, 20000);
    cr_assert_eq(d.err, 1049, "%s", d.msg);
    /* a failed connection may connect again (and fails the same way here) */
    seen_t d2 = {0};
    cr_assert_eq(swirl_mysql_connect(c, on_done, &d2), 0);
    run_until(loop, &d2.calls, 1, 20000);
    cr_assert_eq(d2.err, 1049);
    swirl_mysql_free(c);

    /* nothing listening */
    tcp_cfg(&cfg);
    cfg.port = mh_free_port();
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), 0);
    seen_t r = {0};
    cr_assert_eq(swirl_mysql_connect(c, on_done, &r), 0);
    run_until(loop, &r.calls, 1, 20000);
    cr_assert_eq(r.status, SWIRL_ECLOSED, "%s", r.msg);
    cr_assert(strstr(r.msg, "connect"), "%s", r.msg);
    swirl_mysql_free(c);

    /* bad arguments */
    cfg.host = NULL;
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), SWIRL_EBADADDR);
    cfg.host = "127.0.0.1";
    cfg.port = 70000;
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), SWIRL_EBADPORT);
    swirl_mysql_pool_t *p;
    cr_assert_eq(swirl_mysql_pool_new(&p, loop, &cfg, 0), SWIRL_EBADARG);
    swirl_loop_free(loop);
}

Test(mysql, query_timeout_closes_the_connection, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    cfg.query_timeout = 0.2;
    swirl_mysql_t *c = connect_ok(loop, &cfg);
    seen_t s = {0}, behind = {0};
    cr_assert_eq(swirl_mysql_query(c, "SELECT SLEEP(5)", 15, on_row, on_done, &s), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, on_row, on_done, &behind), 0);
    run_until(loop, &behind.calls, 1, 20000);
    cr_assert_eq(s.calls, 1);
    cr_assert_eq(s.status, -ETIMEDOUT);
    cr_assert(strstr(s.msg, "query: timed out after 0.2 s"), "%s", s.msg);
    cr_assert_eq(behind.status, SWIRL_ECLOSED, "%s", behind.msg);
    cr_assert_not(swirl_mysql_connected(c), "a timed-out connection is never reused");
    cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, on_done, &s), SWIRL_ESTATE);
    /* it may connect again */
    seen_t re = {0};
    cr_assert_eq(swirl_mysql_connect(c, on_done, &re), 0);
    run_until(loop, &re.calls, 1, 20000);
    cr_assert_eq(re.status, 0, "%s", re.msg);
    expect_ok(loop, c, "SELECT 1");
    swirl_mysql_free(c);
    swirl_loop_free(loop);
}

static int cancelled_calls;
static void count_cancel(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    cr_assert_eq(res->status, -ECANCELED, "%s", res->message);
    cancelled_calls++;
}

Test(mysql, free_with_queries_in_flight_cancels_each_once, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    /* freed while connecting, with queries queued */
    swirl_mysql_t *c;
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), 0);
    cr_assert_eq(swirl_mysql_connect(c, count_cancel, NULL), 0);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, count_cancel, NULL), 0);
    swirl_loop_run_once(loop, 0);
    swirl_mysql_free(c);
    cr_assert_eq(cancelled_calls, 4);

    /* freed while a query runs on the server */
    c = connect_ok(loop, &cfg);
    cancelled_calls = 0;
    cr_assert_eq(swirl_mysql_query(c, "SELECT SLEEP(2)", 15, NULL, count_cancel, NULL), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 2", 8, NULL, count_cancel, NULL), 0);
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(loop, 10);
    swirl_mysql_stmt_t *st;
    cr_assert_eq(swirl_mysql_prepare(c, "SELECT ?", 8, &st, count_cancel, NULL), 0);
    swirl_mysql_free(c);
    cr_assert_eq(cancelled_calls, 3);
    /* nothing more arrives */
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(loop, 10);
    cr_assert_eq(cancelled_calls, 3);
    cr_assert_eq(swirl_loop_run(loop), 0, "the loop holds nothing of the freed connection");
    swirl_loop_free(loop);
}

typedef struct {
    int rows, done;
    swirl_mysql_t *c;
} freeing_t;

static void free_in_row(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row) {
    freeing_t *f = user;
    if (++f->rows == 10)
        swirl_mysql_free(c);
}

static void free_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    freeing_t *f = user;
    f->done++;
    cr_assert_eq(res->status, -ECANCELED, "%s", res->message);
}

Test(mysql, free_inside_a_row_callback, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_t *c = connect_ok(loop, &cfg);
    freeing_t f = {0}, g = {0};
    cr_assert_eq(swirl_mysql_query(c, "SELECT seq FROM seq_1_to_100000", 31, free_in_row, free_done, &f), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, free_done, &g), 0);
    run_until(loop, &f.done, 1, 20000);
    cr_assert_eq(f.rows, 10);
    cr_assert_eq(g.done, 1);
    for (int i = 0; i < 3; i++)
        swirl_loop_run_once(loop, 10);
    cr_assert_eq(f.done, 1);
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}

/* ---- the pool ---------------------------------------------------------------------------- */

typedef struct {
    int answered, failed;
    unsigned long ids[64];
    int nids;
} load_t;

static void load_row(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row) {
    load_t *l = user;
    unsigned long id = strtoul(row->values[0], NULL, 10);
    for (int i = 0; i < l->nids; i++)
        if (l->ids[i] == id)
            return;
    if (l->nids < 64)
        l->ids[l->nids++] = id;
}

static void load_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    load_t *l = user;
    l->answered++;
    if (res->status != 0) {
        l->failed++;
        fprintf(stderr, "pool query failed: %s\n", res->message);
    }
}

Test(mysql, pool_answers_1000_concurrent_queries_on_bounded_connections, .timeout = 120) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_pool_t *p;
    cr_assert_eq(swirl_mysql_pool_new(&p, loop, &cfg, 8), 0);
    load_t l = {0};
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(swirl_mysql_pool_query(p, "SELECT CONNECTION_ID()", 22, load_row, load_done, &l), 0);
    cr_assert_eq(l.answered, 0, "nothing answered from inside the calls");
    cr_assert_leq(swirl_mysql_pool_size(p), 8);
    run_until(loop, &l.answered, 1000, 60000);
    cr_assert_eq(l.failed, 0);
    cr_assert_leq(l.nids, 8, "%d server sessions for a pool of 8", l.nids);
    cr_assert_leq(swirl_mysql_pool_size(p), 8);
    cr_assert_eq(swirl_mysql_pool_waiting(p), 0);
    swirl_mysql_pool_free(p);
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}

typedef struct {
    int calls;
    int status;
    unsigned err;
    swirl_mysql_t *c;
    unsigned long tid;
    char msg[256];
} acq_t;

static void on_acquire(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    acq_t *a = user;
    a->calls++;
    a->status = res->status;
    a->err = res->server_errno;
    snprintf(a->msg, sizeof(a->msg), "%s", res->message ? res->message : "");
    a->c = c;
    a->tid = c ? swirl_mysql_thread_id(c) : 0;
}

static void kill_after(swirl_loop_t *loop, int64_t id, void *user) {
    swirl_mysql_t *killer = ((void **)user)[0];
    seen_t *ks = ((void **)user)[1];
    const char *sql = ((void **)user)[2];
    cr_assert_eq(swirl_mysql_query(killer, sql, strlen(sql), NULL, on_done, ks), 0);
}

Test(mysql, pool_recovers_a_killed_connection, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_pool_t *p;
    cr_assert_eq(swirl_mysql_pool_new(&p, loop, &cfg, 1), 0);
    acq_t a = {0};
    cr_assert_eq(swirl_mysql_pool_acquire(p, on_acquire, &a), 0);
    run_until(loop, &a.calls, 1, 20000);
    cr_assert_eq(a.status, 0, "%s", a.msg);
    unsigned long victim = a.tid;
    cr_assert_gt(victim, 0);
    swirl_mysql_pool_release(p, a.c);

    /* the victim runs a long query; another connection kills it */
    swirl_mysql_t *killer = connect_ok(loop, &cfg);
    char ksql[64];
    snprintf(ksql, sizeof(ksql), "KILL %lu", victim);
    seen_t ks = {0}, v = {0};
    void *args[3] = {killer, &ks, ksql};
    cr_assert_eq(swirl_mysql_pool_query(p, "SELECT SLEEP(20)", 16, NULL, on_done, &v), 0);
    cr_assert_gt(swirl_timer_after(loop, 300, kill_after, args), 0);
    run_until(loop, &v.calls, 1, 20000);
    cr_assert_eq(v.calls, 1);
    cr_assert_neq(v.status, 0, "the killed query fails");
    cr_assert(v.err == 1927 || v.err == 2013 || v.err == 2006, "%u: %s", v.err, v.msg);
    run_until(loop, &ks.calls, 1, 20000);
    cr_assert_eq(ks.status, 0, "%s", ks.msg);

    /* the pool reconnects for the next query */
    load_t l = {0};
    cr_assert_eq(swirl_mysql_pool_query(p, "SELECT CONNECTION_ID()", 22, load_row, load_done, &l), 0);
    run_until(loop, &l.answered, 1, 20000);
    cr_assert_eq(l.failed, 0);
    cr_assert_eq(l.nids, 1);
    cr_assert_neq(l.ids[0], victim);
    cr_assert_eq(v.calls, 1, "the error came once");
    unsigned long second = l.ids[0];

    /* an idle connection killed: the pool drops it (on_close or the ping
     * before reuse) and the next query gets a fresh one */
    swirl_mysql_pool_set_idle_check(p, 0);
    snprintf(ksql, sizeof(ksql), "KILL %lu", second);
    seen_t k2 = {0};
    cr_assert_eq(swirl_mysql_query(killer, ksql, strlen(ksql), NULL, on_done, &k2), 0);
    run_until(loop, &k2.calls, 1, 20000);
    cr_assert_eq(k2.status, 0, "%s", k2.msg);
    load_t l2 = {0};
    cr_assert_eq(swirl_mysql_pool_query(p, "SELECT CONNECTION_ID()", 22, load_row, load_done, &l2), 0);
    run_until(loop, &l2.answered, 1, 20000);
    cr_assert_eq(l2.failed, 0, "an idle connection's loss costs the next query nothing");
    cr_assert_neq(l2.ids[0], second);
    cr_assert_eq(swirl_mysql_pool_size(p), 1);
    swirl_mysql_free(killer);
    swirl_mysql_pool_free(p);
    swirl_loop_free(loop);
}

Test(mysql, pool_transaction_on_an_acquired_connection_and_free_cancels, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    swirl_mysql_pool_t *p;
    cr_assert_eq(swirl_mysql_pool_new(&p, loop, &cfg, 2), 0);
    acq_t a = {0};
    cr_assert_eq(swirl_mysql_pool_acquire(p, on_acquire, &a), 0);
    run_until(loop, &a.calls, 1, 20000);
    cr_assert_eq(a.status, 0, "%s", a.msg);
    expect_ok(loop, a.c, "CREATE TABLE IF NOT EXISTS pt (id INT) ENGINE=InnoDB");
    seen_t b = {0};
    cr_assert_eq(swirl_mysql_begin(a.c, on_done, &b), 0);
    expect_ok(loop, a.c, "INSERT INTO pt VALUES (1)");
    /* released inside a transaction: closed, not reused (the rows go) */
    swirl_mysql_pool_release(p, a.c);
    cr_assert_eq(swirl_mysql_pool_size(p), 0);
    seen_t n = {0};
    cr_assert_eq(swirl_mysql_pool_query(p, "SELECT COUNT(*) FROM pt", 23, on_row, on_done, &n), 0);
    run_until(loop, &n.calls, 1, 20000);
    cr_assert_str_eq(n.cells[0][0], "0");

    /* freeing the pool cancels the running and the waiting requests once */
    cancelled_calls = 0;
    for (int i = 0; i < 5; i++)
        cr_assert_eq(swirl_mysql_pool_query(p, "SELECT SLEEP(1)", 15, NULL, count_cancel, NULL), 0);
    for (int i = 0; i < 5; i++)
        swirl_loop_run_once(loop, 10);
    swirl_mysql_pool_free(p);
    cr_assert_eq(cancelled_calls, 5);
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}

/* ---- hostile peers ----------------------------------------------------------------------- */

/* A listening socket on 127.0.0.1:0; its port in *port. */
static int listen_any(unsigned *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(fd, 8) == 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

typedef enum { FAKE_GARBAGE, FAKE_SILENT, FAKE_CLOSE, FAKE_HALF_GREETING } fake_mode_t;

/* A fake server (a forked child) that answers one connection with `mode`. */
static pid_t fake_server(fake_mode_t mode, unsigned *port) {
    int lfd = listen_any(port);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int c = accept(lfd, NULL, NULL);
        if (mode == FAKE_GARBAGE) {
            const char *g = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            (void)!write(c, g, strlen(g));
            sleep(30);
        } else if (mode == FAKE_HALF_GREETING) {
            /* a greeting header announcing 80 bytes, then 10 of them, then EOF */
            const unsigned char g[] = {80, 0, 0, 0, 10, '1', '0', '.', '1', '1', '.', '0', 0, 1};
            (void)!write(c, g, sizeof(g));
        } else if (mode == FAKE_SILENT) {
            sleep(30);
        }
        _exit(0);
    }
    close(lfd);
    return pid;
}

static void reap(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

Test(mysql, hostile_greetings_fail_the_connect_naming_it, .timeout = 60) {
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    const fake_mode_t modes[] = {FAKE_GARBAGE, FAKE_CLOSE, FAKE_HALF_GREETING, FAKE_SILENT};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        unsigned port;
        pid_t pid = fake_server(modes[i], &port);
        swirl_mysql_config_t cfg;
        swirl_mysql_config_init(&cfg);
        cfg.port = port;
        cfg.user = "u";
        cfg.password = "p";
        cfg.connect_timeout = 0.3;
        swirl_mysql_t *c;
        cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), 0);
        seen_t s = {0}, q = {0};
        cr_assert_eq(swirl_mysql_connect(c, on_done, &s), 0);
        cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, on_row, on_done, &q), 0);
        run_until(loop, &q.calls, 1, 20000);
        cr_assert_eq(s.calls, 1);
        cr_assert_neq(s.status, 0, "mode %zu", i);
        cr_assert(strstr(s.msg, "connect"), "mode %zu: %s", i, s.msg);
        if (modes[i] == FAKE_SILENT)
            cr_assert_eq(s.status, -ETIMEDOUT, "%s", s.msg);
        else
            cr_assert(s.status == SWIRL_ECLOSED || s.status == SWIRL_EPROTO, "mode %zu: %d %s",
                      i, s.status, s.msg);
        cr_assert_eq(q.status, SWIRL_ECLOSED);
        cr_assert_not(swirl_mysql_connected(c));
        swirl_mysql_free(c);
        reap(pid);
    }
    cr_assert_eq(swirl_loop_run(loop), 0, "nothing of the failed connections is left in the loop");
    swirl_loop_free(loop);
}

typedef enum { PROXY_CUT, PROXY_GARBAGE, PROXY_STALL, PROXY_CUT_LATE } proxy_mode_t;

/* A relay (a forked child) between one client and the real server: once
 * the client sends a packet holding "CUTME", the server's answer is cut
 * after 20 bytes (CUT) or 3000 (CUT_LATE: inside the rows), replaced by
 * a malformed result (GARBAGE) or held (STALL). */
static pid_t proxy(proxy_mode_t mode, unsigned *port) {
    int lfd = listen_any(port);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int c = accept(lfd, NULL, NULL);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(mh.port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (c < 0 || s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
            _exit(1);
        bool armed = false;
        char buf[65536];
        for (;;) {
            struct pollfd p[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
            if (poll(p, 2, -1) < 0)
                _exit(1);
            if (p[0].revents) {
                ssize_t n = read(c, buf, sizeof(buf));
                if (n <= 0)
                    _exit(0);
                if (memmem(buf, (size_t)n, "CUTME", 5))
                    armed = true;
                (void)!write(s, buf, (size_t)n);
            }
            if (p[1].revents) {
                ssize_t n = read(s, buf, sizeof(buf));
                if (n <= 0)
                    _exit(0);
                if (!armed) {
                    (void)!write(c, buf, (size_t)n);
                } else if (mode == PROXY_CUT || mode == PROXY_CUT_LATE) {
                    size_t keep = mode == PROXY_CUT ? 20 : 3000;
                    (void)!write(c, buf, (size_t)n > keep ? keep : (size_t)n);
                    _exit(0);
                } else if (mode == PROXY_GARBAGE) {
                    /* a result of one column whose definition is cut inside
                     * its first length-encoded string */
                    const unsigned char junk[] = {1, 0, 0, 1, 1, 2, 0, 0, 2, 0xfc, 0xff};
                    (void)!write(c, junk, sizeof(junk));
                    sleep(30);
                    _exit(0);
                } else {
                    sleep(30);
                    _exit(0);
                }
            }
        }
    }
    close(lfd);
    return pid;
}

Test(mysql, server_going_away_or_breaking_the_protocol_mid_reply, .timeout = 90) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    const proxy_mode_t modes[] = {PROXY_CUT, PROXY_GARBAGE, PROXY_STALL, PROXY_CUT_LATE};
    for (size_t i = 0; i < 4; i++) {
        for (int prepared = 0; prepared < 2; prepared++) {
            unsigned port;
            pid_t pid = proxy(modes[i], &port);
            swirl_mysql_config_t cfg;
            tcp_cfg(&cfg);
            cfg.port = port;
            cfg.query_timeout = 1;
            swirl_mysql_t *c = connect_ok(loop, &cfg);
            seen_t s = {0}, q = {0}, other = {0};
            const char *sql = "SELECT seq, 'CUTME' FROM seq_1_to_2000";
            swirl_mysql_stmt_t *st = NULL;
            if (prepared) { /* the marker goes with the execute */
                seen_t ps = {0};
                const char *psql = "SELECT seq, ? FROM seq_1_to_2000";
                swirl_mysql_param_t mark = {.type = SWIRL_MYSQL_TEXT, .s = "CUTME", .len = 5};
                cr_assert_eq(swirl_mysql_prepare(c, psql, strlen(psql), &st, on_done, &ps), 0);
                cr_assert_eq(swirl_mysql_execute(st, &mark, 1, on_row, on_done, &s), 0);
                cr_assert_eq(swirl_mysql_execute(st, &mark, 1, on_row, on_done, &q), 0);
                run_until(loop, &ps.calls, 1, 20000);
                cr_assert_eq(ps.status, 0, "%s", ps.msg);
            } else {
                cr_assert_eq(swirl_mysql_query(c, sql, strlen(sql), on_row, on_done, &s), 0);
                cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, on_row, on_done, &q), 0);
            }
            /* another connection on the same loop goes on meanwhile */
            swirl_mysql_config_t direct;
            tcp_cfg(&direct);
            swirl_mysql_t *d = connect_ok(loop, &direct);
            cr_assert_eq(swirl_mysql_query(d, "SELECT 5", 8, on_row, on_done, &other), 0);
            run_until(loop, &q.calls, 1, 20000);
            run_until(loop, &other.calls, 1, 20000);
            cr_assert_eq(s.calls, 1);
            cr_assert_neq(s.status, 0, "mode %zu prepared %d: the broken answer fails", i, prepared);
            cr_assert(s.status == SWIRL_ECLOSED || s.status == SWIRL_EPROTO ||
                          s.status == -ETIMEDOUT || s.status == SWIRL_EREMOTE,
                      "mode %zu: %d %s", i, s.status, s.msg);
            if (modes[i] == PROXY_STALL)
                cr_assert_eq(s.status, -ETIMEDOUT, "%s", s.msg);
            else
                cr_assert_neq(s.status, -ETIMEDOUT, "mode %zu: an error, not a wait: %s", i, s.msg);
            if (modes[i] == PROXY_CUT_LATE && !prepared)
                cr_assert_gt(s.nrows, 0, "rows came before the cut");
            cr_assert_neq(q.status, 0);
            cr_assert_not(swirl_mysql_connected(c), "mode %zu: %s", i, s.msg);
            cr_assert_eq(other.status, 0);
            cr_assert_str_eq(other.cells[0][0], "5");
            swirl_mysql_stmt_free(st);
            swirl_mysql_free(c);
            swirl_mysql_free(d);
            reap(pid);
        }
    }
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}

typedef struct {
    seen_t first, behind, again;
} reconnect_t;

static void reconnect_in_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    reconnect_t *r = user;
    on_done(c, &r->first, res);
    cr_assert_eq(swirl_mysql_connect(c, on_done, &r->again), 0);
}

Test(mysql, connect_again_inside_the_callback_of_a_failure, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);
    cfg.query_timeout = 0.2;
    swirl_mysql_t *c = connect_ok(loop, &cfg);
    reconnect_t r = {0};
    cr_assert_eq(swirl_mysql_query(c, "SELECT SLEEP(5)", 15, NULL, reconnect_in_done, &r), 0);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, on_done, &r.behind), 0);
    run_until(loop, &r.again.calls, 1, 20000);
    cr_assert_eq(r.first.status, -ETIMEDOUT);
    cr_assert_eq(r.behind.calls, 1);
    cr_assert_eq(r.behind.status, SWIRL_ECLOSED, "%s", r.behind.msg);
    cr_assert_eq(r.again.status, 0, "the connect queued by the callback runs: %s", r.again.msg);
    expect_ok(loop, c, "SELECT 2");
    swirl_mysql_free(c);
    swirl_loop_free(loop);
}

static int misuse_calls;
static void free_in_connect(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    misuse_calls++;
    cr_assert_eq(res->status, 0);
    swirl_mysql_free(c);
    cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, count_cancel, NULL), SWIRL_EBADARG,
                 "a freed connection takes nothing more");
}

static swirl_mysql_stmt_t *stmt_to_free;
static void stmt_free_in_row(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row) {
    on_row(c, user, row);
    swirl_mysql_stmt_free(stmt_to_free); /* its own execute goes on; later ones are cancelled */
}

Test(mysql, misuse_inside_callbacks, .timeout = 60) {
    MH_REQUIRE();
    swirl_loop_t *loop;
    cr_assert_eq(swirl_loop_new(&loop), 0);
    swirl_mysql_config_t cfg;
    tcp_cfg(&cfg);

    /* freed in its connect callback with queries queued: each cancelled once */
    swirl_mysql_t *c;
    cr_assert_eq(swirl_mysql_new(&c, loop, &cfg), 0);
    cr_assert_eq(swirl_mysql_connect(c, free_in_connect, NULL), 0);
    cancelled_calls = 0;
    for (int i = 0; i < 3; i++)
        cr_assert_eq(swirl_mysql_query(c, "SELECT 1", 8, NULL, count_cancel, NULL), 0);
    run_until(loop, &cancelled_calls, 3, 20000);
    cr_assert_eq(misuse_calls, 1);
    cr_assert_eq(swirl_loop_run(loop), 0);

    /* a statement freed inside the row callback of its own execute */
    c = connect_ok(loop, &cfg);
    swirl_mysql_stmt_t *st;
    seen_t ps = {0}, e1 = {0}, e2 = {0};
    cr_assert_eq(swirl_mysql_prepare(c, "SELECT seq FROM seq_1_to_3", 26, &st, on_done, &ps), 0);
    stmt_to_free = st;
    cr_assert_eq(swirl_mysql_execute(st, NULL, 0, stmt_free_in_row, on_done, &e1), 0);
    cr_assert_eq(swirl_mysql_execute(st, NULL, 0, NULL, on_done, &e2), 0);
    run_until(loop, &e2.calls, 1, 20000);
    cr_assert_eq(e1.status, 0, "%s", e1.msg);
    cr_assert_eq(e1.nrows, 3);
    cr_assert_eq(e2.status, -ECANCELED, "%s", e2.msg);

    /* a statement of a lost connection, used after a reconnect */
    cfg.query_timeout = 0.2;
    swirl_mysql_t *t = connect_ok(loop, &cfg);
    seen_t p2 = {0}, sl = {0}, re = {0}, ex = {0}, empty = {0};
    cr_assert_eq(swirl_mysql_prepare(t, "SELECT 1", 8, &st, on_done, &p2), 0);
    cr_assert_eq(swirl_mysql_query(t, "SELECT SLEEP(3)", 15, NULL, on_done, &sl), 0);
    run_until(loop, &sl.calls, 1, 20000);
    cr_assert_eq(sl.status, -ETIMEDOUT);
    cr_assert_eq(swirl_mysql_connect(t, on_done, &re), 0);
    cr_assert_eq(swirl_mysql_execute(st, NULL, 0, NULL, on_done, &ex), 0);
    cr_assert_eq(swirl_mysql_query(t, "", 0, NULL, on_done, &empty), 0);
    run_until(loop, &empty.calls, 1, 20000);
    cr_assert_eq(re.status, 0);
    cr_assert_eq(ex.status, SWIRL_ESTATE, "%s", ex.msg);
    cr_assert(strstr(ex.msg, "connection was lost"), "%s", ex.msg);
    cr_assert_eq(empty.err, 1065, "an empty query is the server's error: %s", empty.msg);
    swirl_mysql_stmt_free(st);

    /* a pool freed with an acquire and a query waiting */
    swirl_mysql_pool_t *p;
    cr_assert_eq(swirl_mysql_pool_new(&p, loop, &cfg, 1), 0);
    acq_t a = {0}, b = {0};
    cr_assert_eq(swirl_mysql_pool_acquire(p, on_acquire, &a), 0);
    cr_assert_eq(swirl_mysql_pool_acquire(p, on_acquire, &b), 0);
    run_until(loop, &a.calls, 1, 20000);
    cr_assert_eq(swirl_mysql_pool_waiting(p), 1);
    swirl_mysql_pool_free(p);
    cr_assert_eq(b.calls, 1);
    cr_assert_eq(b.status, -ECANCELED);
    cr_assert_null(b.c);

    swirl_mysql_free(c);
    swirl_mysql_free(t);
    cr_assert_eq(swirl_loop_run(loop), 0);
    swirl_loop_free(loop);
}
