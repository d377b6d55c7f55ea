/* Write queues (see outq.h). */
#include "outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct outq_chunk {
  outq_chunk *next;
  size_t off, len;
  unsigned char data[];
};

void outq_push(outq *q, const void *data, size_t len) {
  if (len == 0) return;
  outq_chunk *c = malloc(sizeof *c + len);
  if (!c) abort();
  c->next = NULL;
  c->off = 0;
  c->len = len;
  memcpy(c->data, data, len);
  if (q->last) q->last->next = c;
  else q->first = c;
  q->last = c;
  q->bytes += len;
}

int outq_flush(outq *q, int fd) {
  while (q->first) {
    outq_chunk *c = q->first;
    ssize_t w = write(fd, c->data + c->off, c->len - c->off);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 1;
      return -1;
    }
    c->off += (size_t)w;
    q->bytes -= (size_t)w;
    if (c->off == c->len) {
      q->first = c->next;
      if (!q->first) q->last = NULL;
      free(c);
    }
  }
  return 0;
}

void outq_free(outq *q) {
  outq_chunk *c = q->first;
  while (c) {
    outq_chunk *next = c->next;
    free(c);
    c = next;
  }
  q->first = q->last = NULL;
  q->bytes = 0;
}
