/* Bytes waiting to be written to a non-blocking fd (a command's stdin, a tunnel's socket). */
#ifndef SV_OUTQ_H
#define SV_OUTQ_H

#include <stddef.h>

typedef struct outq_chunk outq_chunk;
typedef struct {
  outq_chunk *first, *last;
  size_t bytes;
} outq;

void outq_push(outq *q, const void *data, size_t len);
/* Writes what the fd takes now: 0 when all is out, 1 when bytes remain, -1 on an error (errno). */
int outq_flush(outq *q, int fd);
void outq_free(outq *q);

#endif
