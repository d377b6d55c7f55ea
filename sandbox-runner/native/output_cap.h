/* The per-command output cap: the first half of the limit goes out live, a ring keeps the last half,
 * so a flood keeps its tail. */
#ifndef SV_OUTPUT_CAP_H
#define SV_OUTPUT_CAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cap_chunk cap_chunk;

typedef struct {
  size_t head_left, tail_max, tail_len;
  unsigned long long omitted;
  cap_chunk *first, *last;
} output_cap;

void cap_init(output_cap *cap, size_t limit);
void cap_push(output_cap *cap, int type, uint32_t channel, const unsigned char *data, size_t len);
/* Says how much was left out (a `truncated` event), then sends the tail kept, and frees it. */
void cap_flush(output_cap *cap, uint32_t channel);
/* Frees what is kept without sending it. */
void cap_free(output_cap *cap);

#endif
