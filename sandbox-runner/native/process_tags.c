/* Command tags (see process_tags.h). */
#include "process_tags.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tags are TAG_BASE + a sequence number: far above any limit a program would set for itself. */
#define TAG_BASE 0x5a000000UL
static unsigned long last_tag = TAG_BASE;

unsigned long next_tag(void) { return ++last_tag; }

static int issued(long long tag) { return tag > (long long)TAG_BASE && tag <= (long long)last_tag; }

/* Reads a small /proc file into `buf` (NUL-terminated); -1 when it cannot be read. */
static ssize_t read_small(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, buf + len, size - 1 - len);
    if (r <= 0) break;
    len += (size_t)r;
    if (len == size - 1) break;
  }
  close(fd);
  buf[len] = '\0';
  return (ssize_t)len;
}

unsigned long long now_ticks(void) {
  char buf[128];
  if (read_small("/proc/uptime", buf, sizeof buf) < 0) return 0;
  return (unsigned long long)(strtod(buf, NULL) * 100); // USER_HZ is 100 on every Docker architecture
}

typedef struct {
  pid_t ppid, pgid;
  unsigned long long start_ticks;
  long long tag; /* -1: unlimited or unknown */
} entry;

/* One process's entry; 0 when it is gone or a zombie. */
static int read_entry(pid_t pid, entry *e) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  if (read_small(path, buf, sizeof buf) <= 0) return 0;
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  char *p = strrchr(buf, ')');
  if (!p || p[1] != ' ') return 0;
  p += 2;
  char state = *p;
  if (state == 'Z' || state == 'X') return 0;
  // Fields after the name: 1 state, 2 ppid, 3 pgrp, ..., 20 starttime.
  char *save = NULL;
  char *field = strtok_r(p, " ", &save);
  for (int i = 1; field && i <= 20; i++, field = strtok_r(NULL, " ", &save)) {
    if (i == 2) e->ppid = (pid_t)atoi(field);
    if (i == 3) e->pgid = (pid_t)atoi(field);
    if (i == 20) e->start_ticks = strtoull(field, NULL, 10);
  }
  snprintf(path, sizeof path, "/proc/%d/limits", (int)pid);
  if (read_small(path, buf, sizeof buf) <= 0) return 0;
  e->tag = -1;
  char *line = strstr(buf, "\nMax file locks");
  if (line) {
    char soft[32], hard[32];
    if (sscanf(line + 1, "Max file locks %31s %31s", soft, hard) == 2 && strcmp(hard, "unlimited") != 0) {
      e->tag = atoll(hard);
    }
  }
  return 1;
}

size_t processes_of(const command_mark *mark, pid_t *out, size_t max) {
  size_t found = 0;
  DIR *dir = opendir("/proc");
  if (!dir) return 0;
  pid_t self = getpid();
  struct dirent *d;
  while ((d = readdir(dir)) && found < max) {
    char *end;
    long pid = strtol(d->d_name, &end, 10);
    if (*end || pid <= 1 || pid == self) continue;
    entry e;
    if (!read_entry((pid_t)pid, &e)) continue;
    int unclaimed = !issued(e.tag) && e.ppid != self && e.ppid != 0 && e.start_ticks >= mark->start_ticks;
    if ((e.tag >= 0 && (unsigned long long)e.tag == mark->tag) || e.pgid == mark->leader || unclaimed) {
      out[found++] = (pid_t)pid;
    }
  }
  closedir(dir);
  return found;
}

void signal_command(const command_mark *mark, int sig) {
  if (mark->leader > 0) kill(-mark->leader, sig);
  pid_t pids[1024];
  size_t n = processes_of(mark, pids, 1024);
  for (size_t i = 0; i < n; i++) kill(pids[i], sig);
}
