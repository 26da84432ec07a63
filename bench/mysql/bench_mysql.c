/* bench/mysql/bench_mysql.c — MySQL queries per client CPU-second: swirl's
 * client on the loop (N connections, each with its queue kept full) against
 * the same queries through MariaDB Connector/C's blocking API from one
 * process (one connection, one query after the other). Both read every
 * row. Prints one line per side and the ratio; bench/mysql/run.sh starts
 * the server.
 *
 *   bench_mysql SOCKET USER PASSWORD DB QUERIES CONNECTIONS */
#include <errno.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>
#include <sys/resource.h>
#include <time.h>

static const char *SQL = "SELECT id, name, v FROM bench WHERE id <= 10";

static double cpu_now(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long total, sent, answered, failed, rows;
static int depth_per_conn = 4;

static void on_row(swirl_mysql_t *c, void *user, const swirl_mysql_row_t *row) { rows++; }

static void on_done(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    answered++;
    if (res->status != 0 && failed++ == 0)
        fprintf(stderr, "bench_mysql: %s\n", res->message);
    if (sent < total && res->status != -ECANCELED) {
        sent++;
        swirl_mysql_query(c, SQL, strlen(SQL), on_row, on_done, NULL);
    }
}

static void on_connect(swirl_mysql_t *c, void *user, const swirl_mysql_result_t *res) {
    if (res->status != 0) {
        fprintf(stderr, "bench_mysql: %s\n", res->message);
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: bench_mysql SOCKET USER PASSWORD DB QUERIES CONNECTIONS\n");
        return 2;
    }
    total = atol(argv[5]);
    int nconn = atoi(argv[6]);
    mysql_library_init(0, NULL, NULL);

    /* blocking: one connection, one query after the other */
    MYSQL *m = mysql_init(NULL);
    if (!mysql_real_connect(m, "localhost", argv[2], argv[3], argv[4], 0, argv[1], 0)) {
        fprintf(stderr, "bench_mysql: %s\n", mysql_error(m));
        return 1;
    }
    long brows = 0;
    double c0 = cpu_now(), w0 = wall_now();
    for (long i = 0; i < total; i++) {
        if (mysql_real_query(m, SQL, strlen(SQL))) {
            fprintf(stderr, "bench_mysql: %s\n", mysql_error(m));
            return 1;
        }
        MYSQL_RES *r = mysql_use_result(m);
        while (mysql_fetch_row(r))
            brows++;
        mysql_free_result(r);
    }
    double bcpu = cpu_now() - c0, bwall = wall_now() - w0;
    mysql_close(m);

    /* swirl: nconn connections, depth_per_conn queries queued on each */
    swirl_loop_t *loop;
    if (swirl_loop_new(&loop) < 0)
        return 1;
    swirl_mysql_config_t cfg;
    swirl_mysql_config_init(&cfg);
    cfg.unix_socket = argv[1];
    cfg.user = argv[2];
    cfg.password = argv[3];
    cfg.database = argv[4];
    swirl_mysql_t **cs = calloc((size_t)nconn, sizeof(*cs));
    for (int i = 0; i < nconn; i++) {
        if (swirl_mysql_new(&cs[i], loop, &cfg) < 0 || swirl_mysql_connect(cs[i], on_connect, NULL) < 0)
            return 1;
    }
    while (swirl_loop_run_once(loop, 10) > 0) {
        int up = 0;
        for (int i = 0; i < nconn; i++)
            up += swirl_mysql_connected(cs[i]);
        if (up == nconn)
            break;
    }
    c0 = cpu_now(), w0 = wall_now();
    for (int i = 0; i < nconn; i++)
        for (int d = 0; d < depth_per_conn && sent < total; d++, sent++)
            swirl_mysql_query(cs[i], SQL, strlen(SQL), on_row, on_done, NULL);
    while (answered < total && swirl_loop_run_once(loop, 100) >= 0)
        ;
    double scpu = cpu_now() - c0, swall = wall_now() - w0;
    for (int i = 0; i < nconn; i++)
        swirl_mysql_free(cs[i]);
    free(cs);
    swirl_loop_free(loop);
    mysql_library_end();

    if (failed || rows != brows) {
        fprintf(stderr, "bench_mysql: %ld failed, rows %ld vs %ld\n", failed, rows, brows);
        return 1;
    }
    double bq = total / (bcpu > 0 ? bcpu : 1e-9), sq = total / (scpu > 0 ? scpu : 1e-9);
    printf("blocking connector, 1 connection: %ld queries, %.2f s CPU, %.2f s wall: %.0f queries/CPU-s, %.0f/s\n",
           total, bcpu, bwall, bq, total / bwall);
    printf("swirl async, %d connections x %d queued: %ld queries, %.2f s CPU, %.2f s wall: %.0f queries/CPU-s, %.0f/s\n",
           nconn, depth_per_conn, total, scpu, swall, sq, total / swall);
    printf("ratio (swirl / blocking, queries per client CPU-second): %.2f\n", sq / bq);
    return 0;
}
