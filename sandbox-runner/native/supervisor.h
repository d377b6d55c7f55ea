/*
 * What the supervisor's parts share: the workspace root, refusals with a contract code, and frame output.
 */
#ifndef SV_SUPERVISOR_H
#define SV_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>
#include "json.h"

/* The workspace root; a test on the host builds with its own (-DWORKSPACE='"/tmp/..."'). */
#ifndef WORKSPACE
#define WORKSPACE "/workspace"
#endif

/* Frame types: the same numbers as ../src/supervisor/frames.ts. */
enum {
  FRAME_REQ = 1,
  FRAME_RES = 2,
  FRAME_EVENT = 3,
  FRAME_STDOUT = 4,
  FRAME_STDERR = 5,
  FRAME_STDIN = 6,
  FRAME_STDIN_END = 7,
  FRAME_TUN_DATA = 8,
  FRAME_TUN_END = 9,
  FRAME_TUN_CLOSE = 10,
};

/* Why a request was refused: a code the runner maps to its contract (see ../src/supervisor/session.ts),
 * either the supervisor's own ('invalid_path', 'file_not_found'...) or an errno name ('EACCES'...). */
typedef struct {
  const char *code;
  char message[512];
} sv_error;

/* Fills `err` and returns -1 (so `return sv_fail(err, ...)` ends an operation). */
int sv_fail(sv_error *err, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* sv_fail with the errno's name as the code ("ENOENT") and strerror as the message, after `what`. */
int sv_fail_errno(sv_error *err, int errnum, const char *what);
/* The name of an errno value ("ENOENT"), or "internal" for one this table lacks. */
const char *errno_name(int errnum);

/* Writes one frame to stdout, all of it (blocking): frames never interleave. */
void send_frame(int type, uint32_t channel, const void *payload, size_t len);
/* A line on stderr, "supervisor: ..." (the runner logs it). */
void sv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
