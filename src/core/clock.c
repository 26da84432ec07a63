/* src/core/clock.c — monotonic and wall clocks. */
#include <time.h>
#include <swirl/core.h>

uint64_t swirl_clock_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t swirl_clock_us(void) { return swirl_clock_ns() / 1000u; }

uint64_t swirl_clock_ms(void) { return swirl_clock_ns() / 1000000u; }

double swirl_time_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
