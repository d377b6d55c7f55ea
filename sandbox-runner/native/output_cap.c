/* The output cap (see output_cap.h). */
#include "output_cap.h"

#include <stdlib.h>
#include <string.h>

#include "supervisor.h"

struct cap_chunk {
  cap_chunk *next;
  int type;
  size_t off, len; /* the bytes kept are data[off, len) */
  unsigned char data[];
};

void cap_init(output_cap *cap, size_t limit) {
  memset(cap, 0, sizeof *cap);
  cap->head_left = limit / 2;
  cap->tail_max = limit - cap->head_left;
}

void cap_push(output_cap *cap, int type, uint32_t channel, const unsigned char *data, size_t len) {
  if (cap->head_left > 0) {
    size_t head = len < cap->head_left ? len : cap->head_left;
    cap->head_left -= head;
    send_frame(type, channel, data, head);
    data += head;
    len -= head;
    if (len == 0) return;
  }
  cap_chunk *chunk = malloc(sizeof *chunk + len);
  if (!chunk) abort();
  chunk->next = NULL;
  chunk->type = type;
  chunk->off = 0;
  chunk->len = len;
  memcpy(chunk->data, data, len);
  if (cap->last) cap->last->next = chunk;
  else cap->first = chunk;
  cap->last = chunk;
  cap->tail_len += len;
  while (cap->tail_len > cap->tail_max && cap->first) {
    cap_chunk *first = cap->first;
    size_t kept = first->len - first->off;
    size_t excess = cap->tail_len - cap->tail_max;
    if (kept <= excess) {
      cap->first = first->next;
      if (!cap->first) cap->last = NULL;
      free(first);
      cap->tail_len -= kept;
      cap->omitted += kept;
    } else {
      first->off += excess;
      cap->tail_len -= excess;
      cap->omitted += excess;
    }
  }
}

void cap_flush(output_cap *cap, uint32_t channel) {
  if (cap->omitted > 0) {
    jbuf b;
    jb_init(&b);
    jb_raw(&b, "{\"t\":\"truncated\",\"omittedBytes\":");
    jb_int(&b, (long long)cap->omitted);
    jb_raw(&b, "}");
    send_frame(FRAME_EVENT, channel, b.data, b.len);
    jb_free(&b);
  }
  for (cap_chunk *c = cap->first; c; c = c->next) send_frame(c->type, channel, c->data + c->off, c->len - c->off);
  cap_free(cap);
}

void cap_free(output_cap *cap) {
  cap_chunk *c = cap->first;
  while (c) {
    cap_chunk *next = c->next;
    free(c);
    c = next;
  }
  cap->first = cap->last = NULL;
  cap->tail_len = 0;
}
