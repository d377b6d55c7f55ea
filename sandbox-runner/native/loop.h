/* The event loop: file descriptors watched with poll(2), and one-shot timers. Single-threaded. */
#ifndef SV_LOOP_H
#define SV_LOOP_H

#include <stdint.h>

typedef void (*watch_fn)(void *ctx, int fd, short revents);
typedef void (*timer_fn)(void *ctx);

/* Watches `fd` for `events` (POLLIN, POLLOUT), replacing an earlier watch of the same fd. */
void loop_watch(int fd, short events, watch_fn fn, void *ctx);
/* Stops watching `fd` (call before closing it). */
void loop_unwatch(int fd);
/* Calls `fn(ctx)` once after `delay_ms`; returns an id for loop_cancel (never 0). */
uint64_t loop_timer(double delay_ms, timer_fn fn, void *ctx);
/* Cancels a timer that has not fired (0 and fired ids are ignored). */
void loop_cancel(uint64_t id);
/* Milliseconds on the monotonic clock. */
double now_ms(void);
/* Runs until the process exits. */
void loop_run(void);

#endif
