/* tests/integration/mysql_harness.h — one real mariadbd per test binary:
 * a data dir installed under /tmp, a private TCP port and Unix socket, a
 * user with a password; started before the first test (Criterion's PRE_ALL
 * hook runs in the runner; its tests are new processes, which find the
 * addresses in the environment, SWIRL_MH) and killed and removed after the
 * last. Start-up takes about 2.5 s here. */
#ifndef SWIRL_MYSQL_HARNESS_H
#define SWIRL_MYSQL_HARNESS_H

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <fcntl.h>
#include <ftw.h>
#include <mysql.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MH_USER "swirl"
#define MH_PASSWORD "s3cret-pw"
#define MH_DB "swirl_test"

static struct {
    char dir[128];
    char sock[160];
    unsigned port;
    pid_t pid;
    bool up;
    char why[256]; /* why it is not up */
} mh;

static unsigned mh_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}

/* Run argv with stdout/stderr to `log`; its exit status, or -1. */
static int mh_run(char *const argv[], const char *log) {
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int mh_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* A blocking root session over the socket (the fixture's own set-up). */
static MYSQL *mh_root(void) {
    MYSQL *m = mysql_init(NULL);
    unsigned proto = MYSQL_PROTOCOL_SOCKET;
    mysql_options(m, MYSQL_OPT_PROTOCOL, &proto);
    if (!mysql_real_connect(m, "localhost", "root", NULL, NULL, 0, mh.sock, 0)) {
        mysql_close(m);
        return NULL;
    }
    return m;
}

static void mh_stop(void) {
    if (mh.pid > 0) {
        kill(mh.pid, SIGTERM);
        for (int i = 0; i < 200; i++) { /* up to 20 s, then SIGKILL */
            if (waitpid(mh.pid, NULL, WNOHANG) == mh.pid) {
                mh.pid = 0;
                break;
            }
            usleep(100000);
        }
        if (mh.pid > 0) {
            kill(mh.pid, SIGKILL);
            waitpid(mh.pid, NULL, 0);
            mh.pid = 0;
        }
    }
    if (mh.dir[0])
        nftw(mh.dir, mh_rm, 16, FTW_DEPTH | FTW_PHYS);
    mh.dir[0] = 0;
    mysql_library_end();
}

static void mh_start(void) {
    if (access("/usr/sbin/mariadbd", X_OK) != 0 || access("/usr/bin/mariadb-install-db", X_OK) != 0) {
        snprintf(mh.why, sizeof(mh.why), "mariadbd or mariadb-install-db is not installed");
        return;
    }
    snprintf(mh.dir, sizeof(mh.dir), "/tmp/swirl-mysql-XXXXXX");
    if (!mkdtemp(mh.dir)) {
        mh.dir[0] = 0;
        snprintf(mh.why, sizeof(mh.why), "mkdtemp failed");
        return;
    }
    char data[200], log[200], arg_data[220], arg_user[64];
    snprintf(data, sizeof(data), "%s/data", mh.dir);
    snprintf(log, sizeof(log), "%s/install.log", mh.dir);
    snprintf(arg_data, sizeof(arg_data), "--datadir=%s", data);
    snprintf(arg_user, sizeof(arg_user), "--user=%s", getuid() == 0 ? "root" : "nobody");
    char *install[] = {"/usr/bin/mariadb-install-db", "--no-defaults", arg_data,
                       "--auth-root-authentication-method=normal", arg_user, "--skip-test-db",
                       NULL};
    if (getuid() != 0)
        install[4] = "--skip-name-resolve";
    if (mh_run(install, log) != 0) {
        snprintf(mh.why, sizeof(mh.why), "mariadb-install-db failed (see %s)", log);
        return;
    }
    snprintf(mh.sock, sizeof(mh.sock), "%s/sock", mh.dir);
    mh.port = mh_free_port();
    char a_sock[200], a_port[32], a_pid[200], a_err[200];
    snprintf(a_sock, sizeof(a_sock), "--socket=%s", mh.sock);
    snprintf(a_port, sizeof(a_port), "--port=%u", mh.port);
    snprintf(a_pid, sizeof(a_pid), "--pid-file=%s/pid", mh.dir);
    snprintf(a_err, sizeof(a_err), "--log-error=%s/err.log", mh.dir);
    char *argv[] = {"/usr/sbin/mariadbd", "--no-defaults", arg_data, a_sock, a_port,
                    "--bind-address=127.0.0.1", a_pid, a_err, "--skip-log-bin",
                    "--innodb-buffer-pool-size=16M", "--max-connections=200", NULL, NULL};
    if (getuid() == 0)
        argv[11] = "--user=root";
    mh.pid = fork();
    if (mh.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    MYSQL *m = NULL;
    for (int i = 0; i < 300 && !m; i++) { /* up to 30 s */
        if (waitpid(mh.pid, NULL, WNOHANG) == mh.pid) {
            mh.pid = 0;
            snprintf(mh.why, sizeof(mh.why), "mariadbd exited at start (see %s/err.log)", mh.dir);
            return;
        }
        usleep(100000);
        if (access(mh.sock, F_OK) == 0)
            m = mh_root();
    }
    if (!m) {
        snprintf(mh.why, sizeof(mh.why), "mariadbd did not answer within 30 s");
        return;
    }
    const char *setup[] = {
        "CREATE USER '" MH_USER "'@'%' IDENTIFIED BY '" MH_PASSWORD "'",
        "CREATE USER '" MH_USER "'@'localhost' IDENTIFIED BY '" MH_PASSWORD "'",
        "GRANT ALL ON *.* TO '" MH_USER "'@'%'",
        "GRANT ALL ON *.* TO '" MH_USER "'@'localhost'",
        "CREATE DATABASE " MH_DB,
    };
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
        if (mysql_query(m, setup[i])) {
            snprintf(mh.why, sizeof(mh.why), "set-up \"%s\": %s", setup[i], mysql_error(m));
            mysql_close(m);
            return;
        }
    mysql_close(m);
    mh.up = true;
    char env[400];
    snprintf(env, sizeof(env), "%u %s", mh.port, mh.sock);
    setenv("SWIRL_MH", env, 1);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set) {
    (void)set;
    mh_start();
    if (!mh.up)
        setenv("SWIRL_MH_WHY", mh.why, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
    (void)stats;
    mh_stop();
}

/* A test's process: the server's addresses from the runner. */
static bool mh_load(void) {
    const char *e = getenv("SWIRL_MH");
    if (mh.up || !e)
        return mh.up;
    char *end;
    mh.port = (unsigned)strtoul(e, &end, 10);
    if (*end == ' ')
        snprintf(mh.sock, sizeof(mh.sock), "%s", end + 1);
    mh.up = mh.port > 0 && mh.sock[0];
    return mh.up;
}

/* In a test: skip unless the server is up. */
#define MH_REQUIRE()                                                                               \
    do {                                                                                           \
        if (!mh_load())                                                                            \
            cr_skip_test("no mariadbd: %s",                                                        \
                         getenv("SWIRL_MH_WHY") ? getenv("SWIRL_MH_WHY") : "not started");         \
    } while (0)

#endif
