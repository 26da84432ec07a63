/* tests/unit/core/test_log.c — log lines, levels, files and reopening. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/swirl.h>
#include <unistd.h>

#include "testutil.h"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "re");
    cr_assert_not_null(f, "open %s", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

Test(log, lines_go_to_the_file_with_time_pid_level, .timeout = 5) {
    TU_FD_BEGIN();
    char path[128];
    tu_tmp_path(path, sizeof(path), "log");
    cr_assert_eq(swirl_log_set_file(path), 0);
    cr_assert_eq(swirl_log_set_level(SWIRL_LOG_INFO), 0);
    swirl_log_debug("hidden %d", 1);
    swirl_log_info("shown %d", 2);
    swirl_log_warning("warned %s", "x");
    cr_assert_eq(swirl_log_set_file(NULL), 0);
    char *text = slurp(path);
    cr_assert_null(strstr(text, "hidden"));
    regex_t re;
    char pat[256];
    snprintf(
        pat, sizeof(pat),
        "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} \\[%d\\] INFO shown 2\n"
        "[0-9-]+ [0-9:.]+ \\[%d\\] WARNING warned x\n$",
        (int)getpid(), (int)getpid());
    cr_assert_eq(regcomp(&re, pat, REG_EXTENDED | REG_NEWLINE), 0);
    cr_assert_eq(regexec(&re, text, 0, NULL, 0), 0, "log text was:\n%s", text);
    regfree(&re);
    unlink(path);
    TU_FD_END();
}

/* Swoole's layout (the PHP binding's): "[date symbol pid.worker_id]\tLEVEL\tmessage",
 * the role set by the server in each process. */
Test(log, swoole_style_lines, .timeout = 5) {
    TU_FD_BEGIN();
    char path[128];
    tu_tmp_path(path, sizeof(path), "logsw");
    cr_assert_eq(swirl_log_set_file(path), 0);
    cr_assert_eq(swirl_log_set_style(SWIRL_LOG_STYLE_SWOOLE), 0);
    swirl_log_set_role('*', 3);
    swirl_log_warning("warned %s", "x");
    swirl_log_set_role('#', 0);
    swirl_log_info("info");
    cr_assert_eq(swirl_log_set_style(7), SWIRL_EBADARG);
    cr_assert_eq(swirl_log_set_style(SWIRL_LOG_STYLE_SWIRL), 0);
    swirl_log_info("plain");
    cr_assert_eq(swirl_log_set_file(NULL), 0);
    char *text = slurp(path);
    regex_t re;
    char pat[320];
    snprintf(pat, sizeof(pat),
             "^\\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \\*%d\\.3\\]\tWARNING\t"
             "warned x\n"
             "\\[[0-9-]+ [0-9:]+ #%d\\.0\\]\tINFO\tinfo\n"
             "[0-9-]+ [0-9:.]+ \\[%d\\] INFO plain\n$",
             (int)getpid(), (int)getpid(), (int)getpid());
    cr_assert_eq(regcomp(&re, pat, REG_EXTENDED | REG_NEWLINE), 0);
    cr_assert_eq(regexec(&re, text, 0, NULL, 0), 0, "log text was:\n%s", text);
    regfree(&re);
    unlink(path);
    TU_FD_END();
}

Test(log, reopen_follows_a_rotated_file, .timeout = 5) {
    TU_FD_BEGIN();
    char path[128], rotated[160];
    tu_tmp_path(path, sizeof(path), "logrot");
    snprintf(rotated, sizeof(rotated), "%s.1", path);
    cr_assert_eq(swirl_log_set_file(path), 0);
    swirl_log_error("before rotation");
    cr_assert_eq(rename(path, rotated), 0);
    cr_assert_eq(swirl_log_reopen(), 0);
    swirl_log_error("after rotation");
    cr_assert_eq(swirl_log_set_file(NULL), 0);
    cr_assert(strstr(slurp(rotated), "before rotation"));
    cr_assert_null(strstr(slurp(rotated), "after rotation"));
    cr_assert(strstr(slurp(path), "after rotation"));
    unlink(path);
    unlink(rotated);
    TU_FD_END();
}

Test(log, bad_path_and_level_are_clear_errors, .timeout = 5) {
    TU_FD_BEGIN();
    cr_assert_eq(swirl_log_set_file("/nonexistent-dir/x.log"), -ENOENT);
    cr_assert_str_eq(swirl_last_error_msg(),
                     "log_file \"/nonexistent-dir/x.log\": No such file or directory");
    cr_assert_eq(swirl_log_set_level(9), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "log_level"));
    cr_assert_eq(swirl_log_level_parse("warning"), SWIRL_LOG_WARNING);
    cr_assert_eq(swirl_log_level_parse("DEBUG"), SWIRL_LOG_DEBUG);
    cr_assert_eq(swirl_log_level_parse("5"), SWIRL_LOG_ERROR);
    cr_assert_eq(swirl_log_level_parse("loud"), SWIRL_EBADARG);
    cr_assert(strstr(swirl_last_error_msg(), "\"loud\""));
    cr_assert_eq(swirl_log_reopen(), 0, "stderr needs no reopening");
    TU_FD_END();
}

Test(log, long_messages_are_truncated_to_one_line, .timeout = 5) {
    char path[128];
    tu_tmp_path(path, sizeof(path), "loglong");
    cr_assert_eq(swirl_log_set_file(path), 0);
    static char big[10000];
    memset(big, 'z', sizeof(big) - 1);
    swirl_log_error("%s", big);
    swirl_log_set_file(NULL);
    char *text = slurp(path);
    cr_assert(strstr(text, "...\n"));
    cr_assert_eq(strchr(text, '\n'), text + strlen(text) - 1, "exactly one line");
    unlink(path);
}

Test(log, stderr_piped_to_a_gone_reader_raises_no_sigpipe, .timeout = 5) {
    /* SIGPIPE at its default would kill this process on the log's write */
    signal(SIGPIPE, SIG_DFL);
    int saved = dup(2), p[2];
    cr_assert_eq(pipe(p), 0);
    dup2(p[1], 2);
    close(p[1]);
    close(p[0]);
    swirl_log_error("nobody reads this");
    dup2(saved, 2);
    close(saved);
    sigset_t pending;
    cr_assert_eq(sigpending(&pending), 0);
    cr_assert_not(sigismember(&pending, SIGPIPE));
}

Test(log, preformatted_lines_pass_the_level_filter_as_they_are, .timeout = 5) {
    TU_FD_BEGIN();
    char path[128];
    tu_tmp_path(path, sizeof(path), "log");
    cr_assert_eq(swirl_log_set_file(path), 0);
    cr_assert_eq(swirl_log_set_level(SWIRL_LOG_NOTICE), 0);
    swirl_log_write(SWIRL_LOG_INFO, "[x]\tINFO\thidden\n", 16);
    swirl_log_write(SWIRL_LOG_NOTICE, "[x]\tNOTICE\tshown\nrest", 17);
    swirl_log_write(SWIRL_LOG_NONE, "never\n", 6);
    swirl_log_write(SWIRL_LOG_ERROR, NULL, 3);
    cr_assert_eq(swirl_log_set_file(NULL), 0);
    cr_assert_eq(swirl_log_set_level(SWIRL_LOG_INFO), 0);
    cr_assert_str_eq(slurp(path), "[x]\tNOTICE\tshown\n");
    unlink(path);
    TU_FD_END();
}
