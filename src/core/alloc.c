/* src/core/alloc.c — the replaceable allocator every swirl allocation uses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <swirl/core.h>

/* Per-process singleton: the allocator in force (set before any object
 * exists, so it needs no lock). */
static swirl_allocator_t swirl__allocator = {malloc, calloc, realloc, free};

int swirl_set_allocator(const swirl_allocator_t *a) {
    if (!a) {
        swirl__allocator = (swirl_allocator_t){malloc, calloc, realloc, free};
        return 0;
    }
    if (!a->malloc || !a->calloc || !a->realloc || !a->free)
        return SWIRL_EBADARG;
    swirl__allocator = *a;
    return 0;
}

void *swirl_malloc(size_t size) { return swirl__allocator.malloc(size ? size : 1); }

void *swirl_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size)
        return NULL;
    return swirl__allocator.calloc(count ? count : 1, size ? size : 1);
}

void *swirl_realloc(void *ptr, size_t size) {
    if (size == 0)
        size = 1;
    return swirl__allocator.realloc(ptr, size);
}

void swirl_free(void *ptr) {
    if (ptr)
        swirl__allocator.free(ptr);
}

char *swirl_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = swirl_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
