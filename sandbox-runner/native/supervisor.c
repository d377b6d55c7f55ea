/* The supervisor's shared helpers: refusals, frame output, the log. */
#include "supervisor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sv_fail(sv_error *err, const char *code, const char *fmt, ...) {
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return -1;
}

int sv_fail_errno(sv_error *err, int errnum, const char *what) {
  return sv_fail(err, errno_name(errnum), "%s: %s", what, strerror(errnum));
}

const char *errno_name(int errnum) {
  switch (errnum) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EROFS: return "EROFS";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case EFBIG: return "EFBIG";
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case ETXTBSY: return "ETXTBSY";
    case EXDEV: return "EXDEV";
    case ENOEXEC: return "ENOEXEC";
    case E2BIG: return "E2BIG";
    case ECONNREFUSED: return "ECONNREFUSED";
    default: return "internal";
  }
}

/* write(2) until all of it is out; a closed stdout means the runner is gone: exit. */
static void write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(0);
    }
    p += w;
    n -= (size_t)w;
  }
}

void send_frame(int type, uint32_t channel, const void *payload, size_t len) {
  unsigned char header[9];
  header[0] = (unsigned char)type;
  header[1] = (unsigned char)(channel >> 24);
  header[2] = (unsigned char)(channel >> 16);
  header[3] = (unsigned char)(channel >> 8);
  header[4] = (unsigned char)channel;
  uint32_t n = (uint32_t)len;
  header[5] = (unsigned char)(n >> 24);
  header[6] = (unsigned char)(n >> 16);
  header[7] = (unsigned char)(n >> 8);
  header[8] = (unsigned char)n;
  // One write for small frames (the common case), two for big ones: the pipe keeps them in order.
  if (len <= 4096) {
    unsigned char buf[9 + 4096];
    memcpy(buf, header, 9);
    if (len) memcpy(buf + 9, payload, len);
    write_all(1, buf, 9 + len);
  } else {
    write_all(1, header, 9);
    write_all(1, payload, len);
  }
}

void sv_log(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  char out[1100];
  int m = snprintf(out, sizeof out, "supervisor: %.*s", n, line);
  if (m > 0) write_all(2, (const unsigned char *)out, (size_t)m < sizeof out ? (size_t)m : sizeof out - 1);
}
