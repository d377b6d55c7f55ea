/*
 * Commands: each in its own session and process group, tagged with its own RLIMIT_LOCKS hard limit so
 * that a timeout or a stop reaches every process it started, detached or not (see process_tags.c); output
 * streamed or capped; the exit reported with OOM detection.
 */
#ifndef SV_PROCS_H
#define SV_PROCS_H

#include "supervisor.h"

/* Starts a command (`{"proc","command"|"argv","cwd"?,"env"?,"timeoutMs"?,"killGraceMs"?,
 * "outputLimit"?,"stdin"?}`); appends `,"pid":N` to `reply`. */
int proc_spawn(const jval *req, jbuf *reply, sv_error *err);
/* Signals every process of a command (`{"proc","signal"}`). */
int proc_signal(const jval *req, jbuf *reply, sv_error *err);
/* Bytes for a command's stdin, and its end. */
void proc_stdin(uint32_t id, const unsigned char *data, size_t len);
void proc_stdin_end(uint32_t id);
/* Reaps exited children (called on SIGCHLD). */
void procs_reap(void);
/* Kills every command's process group (the runner went away). */
void procs_kill_all(void);

#endif
