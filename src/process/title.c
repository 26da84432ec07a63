/* src/process/title.c — process titles as ps shows them.
 *
 * ps and top show a process's command line, which is the memory the
 * kernel put argv in (then the environment right after it). To show
 * "swirl: worker 3" there the title is written over that memory, as
 * nginx and PostgreSQL do. The kernel tells where the area is
 * (/proc/self/stat, fields 48-51). The first time, the environment strings
 * are copied to the heap (environ is repointed, getenv keeps working) so
 * the title may use their room too; argv[0] as glibc reports it
 * (program_invocation_name) is copied as well. The title is also set as
 * the thread name (PR_SET_NAME: 15 bytes, what `ps -o comm` shows).
 *
 * State: one per-process singleton (`title_area`), set up in the process
 * that calls first and inherited by its children through fork. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../core/internal.h"
#include "internal.h"

extern char **environ;

static struct {
    bool tried;
    char *base; /* NULL: titles go to PR_SET_NAME only */
    size_t len;
} title_area;

/* Fields 48..51 of /proc/self/stat: arg_start, arg_end, env_start, env_end. */
static bool read_areas(unsigned long v[4]) {
    FILE *f = fopen("/proc/self/stat", "re");
    if (!f)
        return false;
    char line[2048];
    bool ok = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    char *p = ok ? strrchr(line, ')') : NULL; /* the name may hold spaces and ')' */
    if (!p)
        return false;
    p++;
    /* after the name: field 3 is token 0, so field 48 is token 45 */
    for (int tok = 0; tok < 49; tok++) {
        while (*p == ' ')
            p++;
        if (!*p || *p == '\n')
            return false;
        if (tok >= 45) {
            char *end;
            v[tok - 45] = strtoul(p, &end, 10);
            p = end;
        } else {
            p += strcspn(p, " ");
        }
    }
    return v[0] && v[1] > v[0];
}

#define TITLE_ROOM 40 /* the longest title swirl sets, with room to spare */

static void setup(void) {
    title_area.tried = true;
    unsigned long a[4];
    if (!read_areas(a) || (char *)a[0] != program_invocation_name)
        return; /* not the memory we think it is: leave it alone */
    char *start = (char *)a[0], *end = (char *)a[1];
    /* borrow the environment's room only when argv's is too short (a
     * pointer someone kept from getenv would see the title) */
    if ((size_t)(end - start) < TITLE_ROOM && a[2] == a[1] && a[3] > a[2]) {
        size_t n = 0;
        while (environ && environ[n])
            n++;
        char **copy = calloc(n + 1, sizeof(char *));
        size_t done = 0;
        for (; copy && done < n; done++) {
            char *s = environ[done];
            bool inside = s >= (char *)a[2] && s < (char *)a[3];
            if (!(copy[done] = inside ? strdup(s) : s))
                break;
        }
        if (copy && done == n) {
            environ = copy; /* the old array stays where it is, unused */
            end = (char *)a[3];
        } else {
            for (size_t i = 0; copy && i < done; i++)
                if (copy[i] != environ[i])
                    free(copy[i]);
            free(copy);
        }
    }
    char *name = strdup(program_invocation_name);
    if (!name)
        return;
    char *slash = strrchr(name, '/');
    program_invocation_name = name;
    program_invocation_short_name = slash ? slash + 1 : name;
    title_area.base = start;
    title_area.len = (size_t)(end - start);
}

void swirl__proctitle_set(const char *title) {
    prctl(PR_SET_NAME, title); /* the kernel keeps the first 15 bytes */
    if (!title_area.tried)
        setup();
    if (!title_area.base || title_area.len < 2)
        return;
    size_t n = strlen(title);
    if (n > title_area.len - 1)
        n = title_area.len - 1;
    memcpy(title_area.base, title, n);
    memset(title_area.base + n, 0, title_area.len - n);
}

void swirl__set_title(const char *role, int id) {
    char name[32];
    if (id >= 0)
        snprintf(name, sizeof(name), "swirl: %s %d", role, id);
    else
        snprintf(name, sizeof(name), "swirl: %s", role);
    swirl__proctitle_set(name);
}
