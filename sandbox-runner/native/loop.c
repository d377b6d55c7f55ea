/* The event loop (see loop.h): arrays scanned linearly; a sandbox has tens of fds, not thousands. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  int fd;
  short events;
  watch_fn fn;
  void *ctx;
  uint64_t round; /* the dispatch round it was added in */
} watch;

typedef struct {
  uint64_t id;
  double at;
  timer_fn fn;
  void *ctx;
} timer;

static watch *watches;
static size_t nwatches, capwatches;
static timer *timers;
static size_t ntimers, captimers;
static uint64_t last_timer_id;
/* Dispatch rounds: a watch added during one (a new fd that may reuse a number just closed) gets no
 * readiness that poll reported for the fd it replaces. */
static uint64_t round_now;

static void *grow(void *p, size_t *cap, size_t size) {
  *cap = *cap ? *cap * 2 : 16;
  void *q = realloc(p, *cap * size);
  if (!q) abort();
  return q;
}

double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void loop_watch(int fd, short events, watch_fn fn, void *ctx) {
  for (size_t i = 0; i < nwatches; i++) {
    if (watches[i].fd == fd) {
      int same = watches[i].fn == fn && watches[i].ctx == ctx;
      watches[i] = (watch){fd, events, fn, ctx, same ? watches[i].round : round_now};
      return;
    }
  }
  if (nwatches == capwatches) watches = grow(watches, &capwatches, sizeof *watches);
  watches[nwatches++] = (watch){fd, events, fn, ctx, round_now};
}

void loop_unwatch(int fd) {
  for (size_t i = 0; i < nwatches; i++) {
    if (watches[i].fd == fd) {
      watches[i] = watches[--nwatches];
      return;
    }
  }
}

uint64_t loop_timer(double delay_ms, timer_fn fn, void *ctx) {
  if (ntimers == captimers) timers = grow(timers, &captimers, sizeof *timers);
  timers[ntimers++] = (timer){++last_timer_id, now_ms() + delay_ms, fn, ctx};
  return last_timer_id;
}

void loop_cancel(uint64_t id) {
  for (size_t i = 0; i < ntimers; i++) {
    if (timers[i].id == id) {
      timers[i] = timers[--ntimers];
      return;
    }
  }
}

/* Fires the timers that are due, earliest first (a timer may add or cancel others). */
static void fire_due(void) {
  for (;;) {
    double now = now_ms();
    size_t due = ntimers;
    for (size_t i = 0; i < ntimers; i++) {
      if (timers[i].at <= now && (due == ntimers || timers[i].at < timers[due].at)) due = i;
    }
    if (due == ntimers) return;
    timer t = timers[due];
    timers[due] = timers[--ntimers];
    t.fn(t.ctx);
  }
}

void loop_run(void) {
  struct pollfd *fds = NULL;
  size_t capfds = 0;
  for (;;) {
    fire_due();
    int timeout = -1;
    double now = now_ms();
    for (size_t i = 0; i < ntimers; i++) {
      double wait = timers[i].at - now;
      int ms = wait <= 0 ? 0 : (int)wait + 1;
      if (timeout < 0 || ms < timeout) timeout = ms;
    }
    if (capfds < nwatches) {
      capfds = nwatches;
      fds = realloc(fds, capfds * sizeof *fds);
      if (!fds) abort();
    }
    size_t n = nwatches;
    for (size_t i = 0; i < n; i++) fds[i] = (struct pollfd){watches[i].fd, watches[i].events, 0};
    int ready = poll(fds, n, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      abort();
    }
    round_now++;
    for (size_t i = 0; i < n && ready > 0; i++) {
      if (!fds[i].revents) continue;
      ready--;
      // The watch may have been removed or replaced by an earlier callback of this round.
      for (size_t j = 0; j < nwatches; j++) {
        if (watches[j].fd == fds[i].fd) {
          watch w = watches[j];
          if (w.round == round_now) break; // added in this round, after the poll
          if (w.events & fds[i].events || fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            w.fn(w.ctx, w.fd, fds[i].revents);
          }
          break;
        }
      }
    }
  }
}
