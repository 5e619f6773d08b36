/* Sleeps on the monotonic clock go straight to the kernel (libfaketime 0.9.10 rejects them with EINVAL
   when FAKETIME_DONT_FAKE_MONOTONIC=1, and Python's time.sleep uses them). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *request, struct timespec *remain) {
    if (clock_id == CLOCK_MONOTONIC || clock_id == CLOCK_MONOTONIC_RAW || clock_id == CLOCK_BOOTTIME) {
        long result = syscall(SYS_clock_nanosleep, clock_id, flags, request, remain);
        return result == -1 ? errno : 0;
    }
    static int (*next)(clockid_t, int, const struct timespec *, struct timespec *);
    if (!next) next = dlsym(RTLD_NEXT, "clock_nanosleep");
    return next(clock_id, flags, request, remain);
}
