/*
 * The in-sandbox supervisor, native: the container's main process, mounted read-only from the runner's
 * host as Docker mounts docker-init, so it starts in about a millisecond (Node takes 70-80 ms) and needs
 * nothing from the image. It speaks the framed protocol of ../src/supervisor/frames.ts on stdin/stdout
 * (the runner holds one attach stream per container) and does the work inside the sandbox: commands in
 * their own process groups with output, timeouts and output caps; file operations confined to
 * /workspace; TCP tunnels to ports inside the sandbox (the preview), even with no network at all.
 * It runs as the sandbox user, so it can do nothing the sandboxed code could not do itself.
 *
 * The same protocol as the Node supervisor (../src/supervisor/inside/main.ts), which images that ship
 * Node can still run; the runner's tests run against both.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "files.h"
#include "loop.h"
#include "procs.h"
#include "supervisor.h"
#include "tunnels.h"

/* The largest frame the runner may send (a batch of files, base64 in JSON). */
#define MAX_FRAME (512u << 20)

static double started_ms;

static void send_hello(void) {
  jbuf b;
  jb_init(&b);
  jb_raw(&b, "{\"t\":\"ready\",\"pid\":");
  jb_int(&b, getpid());
  jb_raw(&b, ",\"uid\":");
  jb_int(&b, getuid());
  jb_raw(&b, ",\"node\":\"native\",\"bootMs\":");
  jb_num(&b, (double)(long long)((now_ms() - started_ms) * 10) / 10);
  jb_raw(&b, "}");
  send_frame(FRAME_EVENT, 0, b.data, b.len);
  jb_free(&b);
}

static void handle_request(uint32_t channel, const unsigned char *payload, size_t len) {
  jval *req = json_parse((const char *)payload, len);
  if (!req) {
    static const char bad[] = "{\"ok\":false,\"code\":\"invalid_request\",\"message\":\"bad JSON\"}";
    send_frame(FRAME_RES, channel, bad, sizeof bad - 1);
    return;
  }
  const char *op = json_str(json_get(req, "op"));
  if (!op) op = "";
  if (strcmp(op, "connect") == 0) { // answered when the connection is made
    tunnel_connect(req, channel);
    json_free(req);
    return;
  }
  jbuf reply;
  jb_init(&reply);
  jb_raw(&reply, "{\"ok\":true");
  sv_error err = {0};
  int rc = 0;
  int hello = 0;
  if (strcmp(op, "spawn") == 0) rc = proc_spawn(req, &reply, &err);
  else if (strcmp(op, "signal") == 0) rc = proc_signal(req, &reply, &err);
  else if (strcmp(op, "write") == 0) rc = file_write(req, &reply, &err);
  else if (strcmp(op, "read") == 0) rc = file_read(req, &reply, &err);
  else if (strcmp(op, "list") == 0) rc = file_list(req, &reply, &err);
  else if (strcmp(op, "delete") == 0) rc = file_delete(req, &reply, &err);
  else if (strcmp(op, "ping") == 0) rc = 0;
  else if (strcmp(op, "hello") == 0) hello = 1;
  else rc = sv_fail(&err, "invalid_request", "unknown op %s", *op ? op : "undefined");
  json_free(req);
  if (hello) send_hello();
  if (rc < 0) {
    reply.len = 0;
    jb_raw(&reply, "{\"ok\":false,\"code\":");
    jb_str(&reply, err.code, strlen(err.code));
    jb_raw(&reply, ",\"message\":");
    jb_str(&reply, err.message, strlen(err.message));
  }
  jb_raw(&reply, "}");
  send_frame(FRAME_RES, channel, reply.data, reply.len);
  jb_free(&reply);
  // After the hello, so the runner's answer to its client overlaps this disk access; before any
  // other frame is handled, so no command ever sees lost+found.
  if (hello) remove_lost_and_found();
}

static void on_frame(int type, uint32_t channel, const unsigned char *payload, size_t len) {
  switch (type) {
    case FRAME_REQ: handle_request(channel, payload, len); break;
    case FRAME_STDIN: proc_stdin(channel, payload, len); break;
    case FRAME_STDIN_END: proc_stdin_end(channel); break;
    case FRAME_TUN_DATA: tunnel_write(channel, payload, len); break;
    case FRAME_TUN_END: tunnel_end(channel); break;
    case FRAME_TUN_CLOSE: tunnel_close(channel); break;
    default: sv_log("unknown frame type %d", type);
  }
}

/* The bytes read from stdin that do not make a whole frame yet. */
static unsigned char *inbuf;
static size_t inlen, incap;

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_stdin(void *ctx, int fd, short revents) {
  (void)ctx;
  (void)revents;
  if (incap - inlen < 65536) {
    incap = incap ? incap * 2 : 131072;
    inbuf = realloc(inbuf, incap);
    if (!inbuf) abort();
  }
  ssize_t r = read(fd, inbuf + inlen, incap - inlen);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r <= 0) {
    // The runner went away (its attach stream closed stdin): stop everything so the container ends.
    procs_kill_all();
    exit(0);
  }
  inlen += (size_t)r;
  size_t at = 0;
  while (inlen - at >= 9) {
    uint32_t len = be32(inbuf + at + 5);
    if (len > MAX_FRAME) {
      sv_log("a frame of %u bytes is over the limit: the stream is out of step", len);
      procs_kill_all();
      exit(1);
    }
    if (inlen - at - 9 < len) {
      // Room for the whole frame, so the next reads complete it.
      if (incap < len + 9) {
        memmove(inbuf, inbuf + at, inlen - at);
        inlen -= at;
        at = 0;
        incap = len + 9 + 65536;
        inbuf = realloc(inbuf, incap);
        if (!inbuf) abort();
      }
      break;
    }
    on_frame(inbuf[at], be32(inbuf + at + 1), inbuf + at + 9, len);
    at += 9 + len;
  }
  memmove(inbuf, inbuf + at, inlen - at);
  inlen -= at;
}

static void on_sigchld(void *ctx, int fd, short revents) {
  (void)ctx;
  (void)revents;
  struct signalfd_siginfo info;
  while (read(fd, &info, sizeof info) == sizeof info) {
  }
  procs_reap();
}

int main(void) {
  started_ms = now_ms();
  signal(SIGPIPE, SIG_IGN); // a closed pipe or socket is an error on write, not a death
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0) {
    perror("supervisor: signalfd");
    return 1;
  }
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  // stdin/stdout/stderr must not leak into commands beyond what they are given: they get their own.
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  fcntl(2, F_SETFD, FD_CLOEXEC);
  loop_watch(0, POLLIN, on_stdin, NULL);
  loop_watch(sigfd, POLLIN, on_sigchld, NULL);
  loop_run();
}
