/*
 * Commands (see procs.h). A command that ends on its own takes its process group with it; what it
 * detached on purpose (a daemon started with setsid, like `pg_ctl start`) keeps running. A command that
 * times out or is stopped with a signal takes every process it started.
 */
#include "procs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "files.h"
#include "loop.h"
#include "outq.h"
#include "output_cap.h"
#include "process_tags.h"

extern char **environ;

typedef struct proc proc;
struct proc {
  proc *next;
  uint32_t id;
  pid_t pid; /* 0 when the command could not be started */
  command_mark mark;
  double started_at;
  int timed_out;
  /* Timed out or stopped by a signal: when it ends, every process it started goes with it. */
  int ending;
  int capped;
  output_cap cap;
  long long oom_before;
  int out_fd, err_fd, in_fd; /* -1 once closed */
  outq in_q;
  int in_end; /* close stdin once its queue is written */
  uint64_t timeout_timer, kill_timer, drain_timer, sweep_timer;
  int exited, exit_code, signal; /* exit_code -1: none (killed by `signal`) */
  int finishing;
  double grace_ms; /* from SIGTERM on a timeout to SIGKILL */
  double duration_ms, sweep_deadline;
  int sweep_round;
  char *spawn_error; /* why the program could not be started, sent after the reply */
};

static proc *procs;

static proc *find(uint32_t id) {
  for (proc *p = procs; p; p = p->next)
    if (p->id == id) return p;
  return NULL;
}

/* The cgroup's OOM kill counter (v1 memory.oom_control or v2 memory.events), or -1 if unreadable. */
static long long oom_kills(void) {
  static const char *files[] = {"/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"};
  for (size_t i = 0; i < 2; i++) {
    FILE *f = fopen(files[i], "re");
    if (!f) continue;
    char line[256];
    long long n = -1;
    while (fgets(line, sizeof line, f)) {
      if (sscanf(line, "oom_kill %lld", &n) == 1) break;
      n = -1;
    }
    fclose(f);
    if (n >= 0) return n;
  }
  return -1;
}

static void kill_group(proc *p, int sig) {
  if (p->pid > 0) kill(-p->pid, sig); // the command leads its own session and process group
}

/* "SIGTERM" for SIGTERM; NULL for a number without a name. */
static const char *signal_name(int sig, char *buf, size_t size) {
  const char *abbrev = sigabbrev_np(sig);
  if (!abbrev) return NULL;
  snprintf(buf, size, "SIG%s", abbrev);
  return buf;
}

static int signal_number(const char *name) {
  if (strncmp(name, "SIG", 3) != 0) return 0;
  for (int sig = 1; sig < NSIG; sig++) {
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev && strcmp(abbrev, name + 3) == 0) return sig;
  }
  return 0;
}

static void close_fd(int *fd) {
  if (*fd < 0) return;
  loop_unwatch(*fd);
  close(*fd);
  *fd = -1;
}

/* The exit event, once every process that had to go is gone; the command is forgotten. */
static void report_exit(proc *p) {
  if (p->capped) cap_flush(&p->cap, p->id);
  long long oom_after = oom_kills();
  char name[32];
  const char *sig = p->signal ? signal_name(p->signal, name, sizeof name) : NULL;
  jbuf b;
  jb_init(&b);
  jb_raw(&b, "{\"t\":\"exit\",\"exitCode\":");
  if (p->exit_code >= 0) jb_int(&b, p->exit_code);
  else jb_raw(&b, "null");
  jb_raw(&b, ",\"signal\":");
  if (sig) jb_str(&b, sig, strlen(sig));
  else jb_raw(&b, "null");
  jb_raw(&b, ",\"durationMs\":");
  jb_int(&b, (long long)(p->duration_ms + 0.5));
  jb_raw(&b, p->timed_out ? ",\"timedOut\":true" : ",\"timedOut\":false");
  jb_raw(&b, p->capped && p->cap.omitted > 0 ? ",\"truncated\":true" : ",\"truncated\":false");
  jb_raw(&b, p->oom_before >= 0 && oom_after > p->oom_before ? ",\"oomKilled\":true}" : ",\"oomKilled\":false}");
  send_frame(FRAME_EVENT, p->id, b.data, b.len);
  jb_free(&b);

  close_fd(&p->out_fd);
  close_fd(&p->err_fd);
  close_fd(&p->in_fd);
  outq_free(&p->in_q);
  for (proc **pp = &procs; *pp; pp = &(*pp)->next) {
    if (*pp == p) {
      *pp = p->next;
      break;
    }
  }
  free(p);
}

/*
 * SIGKILLs the command's processes until none is left (a process may fork between a scan and the kill,
 * and a killed one takes a moment to die), for at most 5 s; then reports the exit.
 */
static void sweep(void *ctx) {
  proc *p = ctx;
  p->sweep_timer = 0;
  if (p->mark.leader > 0) kill(-p->mark.leader, SIGKILL);
  pid_t left[1024];
  size_t n = processes_of(&p->mark, left, 1024);
  if (n == 0 || now_ms() >= p->sweep_deadline) {
    if (n) sv_log("processes of a command outlived 5000 ms of SIGKILL (%zu left)", n);
    report_exit(p);
    return;
  }
  for (size_t i = 0; i < n; i++) kill(left[i], SIGKILL);
  p->sweep_timer = loop_timer(p->sweep_round++ < 5 ? 5 : 50, sweep, p);
}

static void finish(proc *p) {
  if (p->finishing) return;
  p->finishing = 1;
  loop_cancel(p->timeout_timer);
  loop_cancel(p->kill_timer);
  loop_cancel(p->drain_timer);
  p->duration_ms = now_ms() - p->started_at;
  kill_group(p, SIGKILL); // leftovers of the command (backgrounded children) die with it
  if (p->ending) {
    // Timed out or stopped: the exit is reported once every process the command started is gone.
    p->sweep_deadline = now_ms() + 5000;
    sweep(p);
  } else {
    report_exit(p);
  }
}

/* Node's 'close': the command exited and both its output pipes ended. */
static void maybe_closed(proc *p) {
  if (p->exited && p->out_fd < 0 && p->err_fd < 0) finish(p);
}

static void on_output(void *ctx, int fd, short revents) {
  (void)revents;
  proc *p = ctx;
  int type = fd == p->out_fd ? FRAME_STDOUT : FRAME_STDERR;
  unsigned char buf[65536];
  ssize_t r = read(fd, buf, sizeof buf);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r <= 0) {
    close_fd(type == FRAME_STDOUT ? &p->out_fd : &p->err_fd);
    maybe_closed(p);
    return;
  }
  if (p->capped) cap_push(&p->cap, type, p->id, buf, (size_t)r);
  else send_frame(type, p->id, buf, (size_t)r);
}

static void on_stdin_writable(void *ctx, int fd, short revents) {
  (void)fd;
  (void)revents;
  proc *p = ctx;
  int left = outq_flush(&p->in_q, p->in_fd);
  if (left < 0) { // EPIPE: the command does not read its stdin
    outq_free(&p->in_q);
    close_fd(&p->in_fd);
  } else if (left == 0) {
    if (p->in_end) close_fd(&p->in_fd);
    else loop_unwatch(p->in_fd);
  }
}

static void drained(void *ctx) {
  // The command exited a while ago: stop waiting for children that still hold its pipes.
  proc *p = ctx;
  p->drain_timer = 0;
  kill_group(p, SIGKILL);
  close_fd(&p->out_fd);
  close_fd(&p->err_fd);
  finish(p);
}

static void on_exit_status(proc *p, int status) {
  if (WIFEXITED(status)) {
    p->exit_code = WEXITSTATUS(status);
    p->signal = 0;
  } else if (WIFSIGNALED(status)) {
    p->exit_code = -1;
    p->signal = WTERMSIG(status);
  } else {
    return; // stopped or continued: not an exit
  }
  p->exited = 1;
  p->drain_timer = loop_timer(100, drained, p); // give the pipes a moment to drain
  maybe_closed(p);
}

void procs_reap(void) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (proc *p = procs; p; p = p->next) {
      if (p->pid == pid && !p->exited) {
        on_exit_status(p, status);
        break;
      }
    }
  }
}

static void timed_out(void *ctx);

static void kill_after_grace(void *ctx) {
  proc *p = ctx;
  p->kill_timer = 0;
  signal_command(&p->mark, SIGKILL);
}

static void timed_out(void *ctx) {
  proc *p = ctx;
  p->timeout_timer = 0;
  p->timed_out = 1;
  p->ending = 1;
  signal_command(&p->mark, SIGTERM);
  p->kill_timer = loop_timer(p->grace_ms, kill_after_grace, p);
}

/* A spawn that failed (no such program): reported after the reply, as a shell would. */
static void spawn_failed(void *ctx) {
  proc *p = ctx;
  send_frame(FRAME_STDERR, p->id, p->spawn_error, strlen(p->spawn_error));
  free(p->spawn_error);
  p->spawn_error = NULL;
  finish(p);
}

/* A JSON value as a string (argv items, env values): strings as they are, numbers, booleans and null
 * as JavaScript writes them; arrays and objects, which the runner never sends, as placeholders. */
static char *stringify(const jval *v) {
  jbuf b;
  jb_init(&b);
  switch (v->type) {
    case J_STR: jb_bytes(&b, v->str, v->len); break;
    case J_NUM: jb_num(&b, v->num); break;
    case J_BOOL: jb_raw(&b, v->boolean ? "true" : "false"); break;
    case J_NULL: jb_raw(&b, "null"); break;
    default: jb_raw(&b, v->type == J_ARR ? "" : "[object Object]"); break;
  }
  jb_bytes(&b, "", 1);
  return b.data;
}

static int valid_env_name(const char *k) {
  if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_')) return 0;
  for (const char *c = k + 1; *c; c++) {
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) return 0;
  }
  return 1;
}

/* The supervisor's environment with the request's variables set over it. */
static char **command_env(const jval *env) {
  size_t base = 0;
  while (environ[base]) base++;
  size_t extra = env && env->type == J_OBJ ? env->count : 0;
  char **out = calloc(base + extra + 1, sizeof *out);
  if (!out) abort();
  size_t n = 0;
  for (size_t i = 0; i < base; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t klen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
    int overridden = 0;
    for (size_t j = 0; j < extra && !overridden; j++) {
      overridden = valid_env_name(env->keys[j]) && strlen(env->keys[j]) == klen &&
                   strncmp(env->keys[j], environ[i], klen) == 0;
    }
    if (!overridden) out[n++] = strdup(environ[i]);
  }
  for (size_t j = 0; j < extra; j++) {
    if (!valid_env_name(env->keys[j])) continue;
    int later = 0; // a repeated key: the last one wins
    for (size_t k = j + 1; k < extra; k++) later |= strcmp(env->keys[k], env->keys[j]) == 0;
    if (later) continue;
    char *value = stringify(env->items[j]);
    size_t size = strlen(env->keys[j]) + strlen(value) + 2;
    out[n] = malloc(size);
    if (!out[n]) abort();
    snprintf(out[n++], size, "%s=%s", env->keys[j], value);
    free(value);
  }
  return out;
}

static void free_strings(char **list) {
  if (!list) return;
  for (char **s = list; *s; s++) free(*s);
  free(list);
}

static void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* In the child, between fork and exec: its own session, its tag, its fds; only async-signal-safe calls. */
static void become_command(const char *cwd, int in, int out, int err, unsigned long tag, int error_pipe,
                           char **argv, char **envp) {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  signal(SIGPIPE, SIG_DFL);
  setsid();
  struct rlimit tag_limit = {tag, tag};
  setrlimit(RLIMIT_LOCKS, &tag_limit);
  // Commands, not the supervisor, are the OOM killer's first choice (raising needs no privilege).
  int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (oom >= 0) {
    (void)!write(oom, "1000", 4);
    close(oom);
  }
  if (chdir(cwd) < 0) goto failed;
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) goto failed;
  environ = envp;
  execvp(argv[0], argv);
failed:;
  int e = errno;
  (void)!write(error_pipe, &e, sizeof e);
  _exit(127);
}

int proc_spawn(const jval *req, jbuf *reply, sv_error *err) {
  double idnum;
  uint32_t id = json_num(json_get(req, "proc"), &idnum) ? (uint32_t)idnum : 0;
  if (find(id)) return sv_fail(err, "invalid_request", "process %u exists", id);
  const jval *command = json_get(req, "command");
  const jval *argv_json = json_get(req, "argv");
  char **argv = NULL;
  size_t argc = 0;
  if (command && command->type == J_STR) {
    argc = 3;
    argv = calloc(4, sizeof *argv);
    if (!argv) abort();
    argv[0] = strdup("/bin/sh");
    argv[1] = strdup("-c");
    argv[2] = stringify(command);
  } else if (argv_json && argv_json->type == J_ARR) {
    argc = argv_json->count;
    argv = calloc(argc + 1, sizeof *argv);
    if (!argv) abort();
    for (size_t i = 0; i < argc; i++) argv[i] = stringify(argv_json->items[i]);
  }
  if (!argv || argc == 0 || !argv[0][0]) {
    free_strings(argv);
    return sv_fail(err, "invalid_request", "command or argv required");
  }
  char cwd[4096] = WORKSPACE;
  const jval *rel = json_get(req, "cwd");
  if (rel && rel->type == J_STR && memchr(rel->str, '\0', rel->len)) {
    free_strings(argv);
    return sv_fail(err, "invalid_path", "paths are relative to the workspace");
  }
  if (rel && rel->type == J_STR && resolve_existing(rel->str, cwd, err) < 0) {
    free_strings(argv);
    return -1;
  }
  int want_stdin = json_true(json_get(req, "stdin"));
  int in[2] = {-1, -1}, out[2], errp[2], report[2];
  if (want_stdin ? pipe2(in, O_CLOEXEC) : (in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
    free_strings(argv);
    return sv_fail_errno(err, errno, "stdin");
  }
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) abort();
  char **envp = command_env(json_get(req, "env"));
  unsigned long tag = next_tag();
  unsigned long long start_ticks = now_ticks();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    free_strings(argv);
    free_strings(envp);
    close(in[0]);
    if (in[1] >= 0) close(in[1]);
    close(out[0]), close(out[1]), close(errp[0]), close(errp[1]), close(report[0]), close(report[1]);
    return sv_fail_errno(err, e, "fork");
  }
  if (pid == 0) become_command(cwd, in[0], out[1], errp[1], tag, report[1], argv, envp);
  close(in[0]);
  close(out[1]);
  close(errp[1]);
  close(report[1]);
  // The child says why exec failed on `report`; a successful exec closes it (O_CLOEXEC) with nothing.
  int child_errno = 0;
  ssize_t got;
  do got = read(report[0], &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  close(report[0]);

  proc *p = calloc(1, sizeof *p);
  if (!p) abort();
  p->id = id;
  p->started_at = now_ms();
  p->out_fd = out[0];
  p->err_fd = errp[0];
  p->in_fd = in[1];
  p->exit_code = -1;
  p->oom_before = oom_kills();
  double limit = 0;
  if (json_num(json_get(req, "outputLimit"), &limit) && limit > 0) {
    p->capped = 1;
    cap_init(&p->cap, (size_t)limit);
  }
  p->next = procs;
  procs = p;

  if (got == sizeof child_errno) {
    // The program could not be started: reap the child, then report like a shell (after the reply).
    waitpid(pid, NULL, 0);
    if (asprintf(&p->spawn_error, "%s: spawn %s %s\n", argv[0], argv[0], errno_name(child_errno)) < 0) abort();
    p->exit_code = child_errno == ENOENT ? 127 : 126;
    p->exited = 1;
    close_fd(&p->out_fd);
    close_fd(&p->err_fd);
    close_fd(&p->in_fd);
    loop_timer(0, spawn_failed, p);
    jb_raw(reply, ",\"pid\":-1");
  } else {
    p->pid = pid;
    p->mark = (command_mark){tag, pid, start_ticks};
    set_nonblocking(p->out_fd);
    set_nonblocking(p->err_fd);
    loop_watch(p->out_fd, POLLIN, on_output, p);
    loop_watch(p->err_fd, POLLIN, on_output, p);
    if (p->in_fd >= 0) set_nonblocking(p->in_fd);
    double timeout = 0;
    if (!json_num(json_get(req, "killGraceMs"), &p->grace_ms)) p->grace_ms = 2000;
    if (json_num(json_get(req, "timeoutMs"), &timeout) && timeout > 0) {
      p->timeout_timer = loop_timer(timeout, timed_out, p);
    }
    jb_raw(reply, ",\"pid\":");
    jb_int(reply, pid);
  }
  free_strings(argv);
  free_strings(envp);
  return 0;
}

static const char *const STOPPING[] = {"SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", "SIGQUIT"};

int proc_signal(const jval *req, jbuf *reply, sv_error *err) {
  (void)reply;
  double idnum;
  proc *p = json_num(json_get(req, "proc"), &idnum) ? find((uint32_t)idnum) : NULL;
  if (!p || p->finishing) return sv_fail(err, "process_not_found", "no such process");
  const char *name = json_str(json_get(req, "signal"));
  int sig = name ? signal_number(name) : 0;
  if (!sig) return sv_fail(err, "invalid_request", "unknown signal %s", name ? name : "(none)");
  for (size_t i = 0; i < sizeof STOPPING / sizeof *STOPPING; i++) {
    if (strcmp(name, STOPPING[i]) == 0) p->ending = 1;
  }
  if (p->pid > 0) signal_command(&p->mark, sig);
  return 0;
}

void proc_stdin(uint32_t id, const unsigned char *data, size_t len) {
  proc *p = find(id);
  if (!p || p->in_fd < 0 || p->in_end) return;
  outq_push(&p->in_q, data, len);
  loop_watch(p->in_fd, POLLOUT, on_stdin_writable, p);
}

void proc_stdin_end(uint32_t id) {
  proc *p = find(id);
  if (!p || p->in_fd < 0) return;
  p->in_end = 1;
  if (!p->in_q.first) close_fd(&p->in_fd);
}

void procs_kill_all(void) {
  for (proc *p = procs; p; p = p->next) kill_group(p, SIGKILL);
}
