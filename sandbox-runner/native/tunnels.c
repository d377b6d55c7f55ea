/* Tunnels (see tunnels.h): non-blocking sockets in the loop. */
#include "tunnels.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "outq.h"

typedef struct tunnel tunnel;
struct tunnel {
  tunnel *next;
  uint32_t id, reply_channel;
  int port, fd;
  int connecting; /* 1: to 127.0.0.1, 2: to ::1 */
  int read_ended; /* the app ended its side */
  int end_pending; /* half-close once the queue is written */
  int write_shut;
  outq q;
};

static tunnel *tunnels;

static tunnel *find(uint32_t id) {
  for (tunnel *t = tunnels; t; t = t->next)
    if (t->id == id && !t->connecting) return t;
  return NULL;
}

static void unlink_tunnel(tunnel *t) {
  for (tunnel **pp = &tunnels; *pp; pp = &(*pp)->next) {
    if (*pp == t) {
      *pp = t->next;
      return;
    }
  }
}

static void destroy(tunnel *t) {
  if (t->fd >= 0) {
    loop_unwatch(t->fd);
    close(t->fd);
  }
  outq_free(&t->q);
  unlink_tunnel(t);
  free(t);
}

/* The socket closed (or failed): the runner hears TUN_CLOSE. */
static void closed(tunnel *t) {
  send_frame(FRAME_TUN_CLOSE, t->id, NULL, 0);
  destroy(t);
}

static void update_watch(tunnel *t);

static void on_ready(void *ctx, int fd, short revents) {
  tunnel *t = ctx;
  if (revents & POLLOUT) {
    int left = outq_flush(&t->q, fd);
    if (left < 0) return closed(t);
    if (left == 0 && t->end_pending && !t->write_shut) {
      shutdown(fd, SHUT_WR);
      t->write_shut = 1;
      if (t->read_ended) return closed(t);
    }
  }
  if (t->read_ended) {
    // Only writing is left: a hang-up or an error with nothing writable ends the tunnel.
    if (revents & (POLLHUP | POLLERR) && !(revents & POLLOUT)) return closed(t);
  } else if (revents & (POLLIN | POLLHUP | POLLERR)) {
    unsigned char buf[65536];
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return update_watch(t);
    if (r < 0) return closed(t);
    if (r == 0) {
      t->read_ended = 1;
      send_frame(FRAME_TUN_END, t->id, NULL, 0);
      // As Node's sockets do by default: when the app ends its side, end ours once written.
      t->end_pending = 1;
      if (!t->q.first) {
        if (!t->write_shut) shutdown(fd, SHUT_WR);
        return closed(t);
      }
    } else {
      send_frame(FRAME_TUN_DATA, t->id, buf, (size_t)r);
    }
  }
  update_watch(t);
}

static void update_watch(tunnel *t) {
  short events = t->read_ended ? 0 : POLLIN;
  if (t->q.first) events |= POLLOUT;
  loop_watch(t->fd, events, on_ready, t);
}

static void reply(uint32_t channel, const char *json) { send_frame(FRAME_RES, channel, json, strlen(json)); }

static void reply_unreachable(uint32_t channel, int port) {
  char message[160];
  snprintf(message, sizeof message,
           "{\"ok\":false,\"code\":\"connect_failed\",\"message\":\"nothing listens on port %d in the sandbox\"}",
           port);
  reply(channel, message);
}

static int start_connect(tunnel *t);

static void on_connected(void *ctx, int fd, short revents) {
  (void)revents;
  tunnel *t = ctx;
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) error = errno;
  if (error == 0) {
    t->connecting = 0;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    reply(t->reply_channel, "{\"ok\":true}");
    update_watch(t);
    return;
  }
  loop_unwatch(fd);
  close(fd);
  t->fd = -1;
  if (t->connecting == 1) {
    t->connecting = 2;
    if (start_connect(t) == 0) return;
  }
  reply_unreachable(t->reply_channel, t->port);
  destroy(t);
}

/* Starts the non-blocking connect of the current attempt; -1 when it cannot even start. */
static int start_connect(tunnel *t) {
  for (; t->connecting <= 2; t->connecting++) {
    int v6 = t->connecting == 2;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int rc;
    if (v6) {
      struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)t->port)};
      a.sin6_addr = in6addr_loopback;
      rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    } else {
      struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port)};
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    }
    if (rc == 0 || errno == EINPROGRESS) {
      t->fd = fd;
      loop_watch(fd, POLLOUT, on_connected, t);
      return 0;
    }
    close(fd);
  }
  return -1;
}

void tunnel_connect(const jval *req, uint32_t channel) {
  double id = 0, port = 0;
  json_num(json_get(req, "tunnel"), &id);
  json_num(json_get(req, "port"), &port);
  tunnel *t = calloc(1, sizeof *t);
  if (!t) abort();
  t->id = (uint32_t)id;
  t->reply_channel = channel;
  t->port = (int)port;
  t->fd = -1;
  t->connecting = 1;
  t->next = tunnels;
  tunnels = t;
  if (port < 1 || port > 65535 || start_connect(t) < 0) {
    reply_unreachable(channel, t->port);
    destroy(t);
  }
}

void tunnel_write(uint32_t id, const unsigned char *data, size_t len) {
  tunnel *t = find(id);
  if (!t || t->end_pending) return;
  outq_push(&t->q, data, len);
  update_watch(t);
}

void tunnel_end(uint32_t id) {
  tunnel *t = find(id);
  if (!t || t->end_pending) return;
  t->end_pending = 1;
  if (!t->q.first) {
    shutdown(t->fd, SHUT_WR);
    t->write_shut = 1;
    if (t->read_ended) return closed(t);
  }
  update_watch(t);
}

void tunnel_close(uint32_t id) {
  tunnel *t = find(id);
  if (t) destroy(t); // the runner closed it: no TUN_CLOSE back
}
