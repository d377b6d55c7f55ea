/* TCP tunnels to ports inside the sandbox (the preview), carried as frames. */
#ifndef SV_TUNNELS_H
#define SV_TUNNELS_H

#include "supervisor.h"

/* Starts connecting (`{"tunnel","port"}`): 127.0.0.1 first, then ::1 (dev servers bind either). The
 * reply goes out on `channel` when the connection is made or has failed. */
void tunnel_connect(const jval *req, uint32_t channel);
/* Runner bytes for the app; the runner's half-close; the runner closing the tunnel. */
void tunnel_write(uint32_t id, const unsigned char *data, size_t len);
void tunnel_end(uint32_t id);
void tunnel_close(uint32_t id);

#endif
