/*
 * Which processes belong to which command, however they detached: a command's process group is not
 * enough, since `setsid` or a double fork leaves it, and the orphan is adopted by PID 1.
 *
 * Each command carries a tag that every process it starts inherits and none sheds by accident: the
 * hard limit of RLIMIT_LOCKS, set in the command's first process before it execs. That limit has not
 * been enforced since Linux 2.4, so it changes nothing for the program; rlimits survive fork, exec,
 * setsid and a cleared environment; and an unprivileged process can only lower a hard limit, never
 * raise it back. /proc/<pid>/limits shows it to the supervisor (same uid).
 *
 * A process whose tag is not one the supervisor gave out (it lowered the limit on purpose) belongs to
 * no command; it is counted as a command's when it was born after the command started. The supervisor,
 * PID 1 and `docker exec`'d processes never are.
 */
#ifndef SV_PROCESS_TAGS_H
#define SV_PROCESS_TAGS_H

#include <stddef.h>
#include <sys/types.h>

/* What identifies one command's processes. */
typedef struct {
  unsigned long tag;
  pid_t leader; /* its first process: the leader of its process group */
  unsigned long long start_ticks;
} command_mark;

/* A fresh tag (never reused in the supervisor's life). */
unsigned long next_tag(void);
/* Clock ticks since boot, the unit of a process's start time in /proc/<pid>/stat. */
unsigned long long now_ticks(void);
/* The pids of the live processes of the command, into `out` (at most `max`); returns how many. */
size_t processes_of(const command_mark *mark, pid_t *out, size_t max);
/* Sends `sig` to the command's process group and to every other process of the command. */
void signal_command(const command_mark *mark, int sig);

#endif
