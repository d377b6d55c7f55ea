/*
 * The file operations: batch write, read, list (symlinks listed, never followed), delete. The same checks,
 * in the same order, with the same codes as ../src/supervisor/inside/files.ts and paths.ts: everything
 * stays inside WORKSPACE. Symlinks are resolved here, inside the container; a path whose real location is
 * outside is refused. (The supervisor has no more rights than the sandboxed code, so a race with a program
 * swapping links can reach nothing that program could not.)
 */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WS_LEN (sizeof WORKSPACE - 1)

/* ---------------------------------------------------------------- helpers */

/* sv_fail_errno with Node's "<syscall> '<path>'" as what; kept out of line so the recursive walks do
 * not carry its buffer in every frame. */
__attribute__((noinline)) static int fail_sys(sv_error *err, int e, const char *syscall, const char *path) {
  char what[PATH_MAX + 32];
  snprintf(what, sizeof what, "%s '%s'", syscall, path);
  return sv_fail_errno(err, e, what);
}

/* Normalises an absolute path like posix.normalize (".", "..", "//"), without a trailing "/"; -1 when
 * the result would not fit. */
static int normalize_abs(const char *in, char *out, size_t size) {
  size_t o = 0;
  const char *p = in;
  while (*p) {
    while (*p == '/') p++;
    const char *seg = p;
    while (*p && *p != '/') p++;
    size_t n = (size_t)(p - seg);
    if (n == 0 || (n == 1 && seg[0] == '.')) continue;
    if (n == 2 && seg[0] == '.' && seg[1] == '.') {
      while (o > 0 && out[o - 1] != '/') o--;
      if (o > 0) o--; /* the "/" before the dropped segment; ".." at the root stays at the root */
      continue;
    }
    if (o + 1 + n >= size) return -1;
    out[o++] = '/';
    memcpy(out + o, seg, n);
    o += n;
  }
  if (o == 0) out[o++] = '/';
  out[o] = '\0';
  return 0;
}

/* The path field of a request: a string, else refused (the TS's String(value) would make "null" or
 * "undefined" a path). */
static const jval *path_field(const jval *req, sv_error *err) {
  const jval *v = json_get(req, "path");
  if (v && v->type == J_STR) return v;
  sv_fail(err, "invalid_path", "paths are relative to the workspace");
  return NULL;
}

/* ---------------------------------------------------------------- paths (paths.ts) */

static int assert_inside(const char *real, const char *rel, sv_error *err) {
  if (strcmp(real, WORKSPACE) != 0 && strncmp(real, WORKSPACE "/", WS_LEN + 1) != 0)
    return sv_fail(err, "path_outside_workspace", "%s leads outside the workspace", rel);
  return 0;
}

/* posix.join(WORKSPACE, rel) into `full` (PATH_MAX) after the TS checks; rel is `len` bytes, maybe
 * with NULs (refused). */
static int lexical(const char *rel, size_t len, char *full, sv_error *err) {
  if (len == 0 || memchr(rel, '\0', len) || rel[0] == '/')
    return sv_fail(err, "invalid_path", "paths are relative to the workspace");
  for (const char *p = rel; *p;) {
    const char *seg = p;
    while (*p && *p != '/') p++;
    if (p - seg == 2 && seg[0] == '.' && seg[1] == '.')
      return sv_fail(err, "invalid_path", "paths must not contain \"..\"");
    if (*p) p++;
  }
  /* With no ".." in rel, normalising WORKSPACE/rel is the join. */
  char *joined = malloc(WS_LEN + 1 + len + 1);
  if (!joined) return sv_fail_errno(err, ENOMEM, "join");
  memcpy(joined, WORKSPACE "/", WS_LEN + 1);
  memcpy(joined + WS_LEN + 1, rel, len + 1);
  int r = normalize_abs(joined, full, PATH_MAX);
  free(joined);
  if (r < 0) return fail_sys(err, ENAMETOOLONG, "lstat", rel);
  return 0;
}

/* Every existing ancestor of `full` that is a symlink must resolve inside the workspace. */
static int check_ancestors(const char *full, const char *rel, sv_error *err) {
  if (strcmp(full, WORKSPACE) == 0) return 0;
  char cur[PATH_MAX];
  memcpy(cur, full, strlen(full) + 1);
  /* Each "/" after WORKSPACE "/" ends an ancestor; the last segment (the path itself) is not one. */
  for (char *slash = strchr(cur + WS_LEN + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    struct stat st;
    if (lstat(cur, &st) < 0) {
      if (errno == ENOENT) return 0;
      return fail_sys(err, errno, "lstat", cur);
    }
    if (S_ISLNK(st.st_mode)) {
      char real[PATH_MAX];
      if (!realpath(cur, real))
        return sv_fail(err, "path_outside_workspace", "%s goes through a dangling symlink", rel);
      if (assert_inside(real, rel, err)) return -1;
    } else if (!S_ISDIR(st.st_mode)) {
      const char *part = strrchr(cur, '/') + 1;
      return sv_fail(err, "invalid_path", "%s: %s is not a directory", rel, part);
    }
    *slash = '/';
  }
  return 0;
}

static int resolve_existing_n(const char *rel, size_t len, char *out, sv_error *err) {
  char full[PATH_MAX];
  if (lexical(rel, len, full, err) || check_ancestors(full, rel, err)) return -1;
  if (realpath(full, out)) return assert_inside(out, rel, err);
  int e = errno;
  if (e != ENOENT && e != ENOTDIR) return fail_sys(err, e, "realpath", full);
  /* A dangling symlink: say where it points if that is outside, rather than a plain "not found". */
  struct stat st;
  if (lstat(full, &st) < 0) {
    if (errno != ENOENT) return fail_sys(err, errno, "lstat", full);
  } else if (S_ISLNK(st.st_mode)) {
    char link[PATH_MAX];
    ssize_t n = readlink(full, link, sizeof link - 1);
    if (n < 0) return fail_sys(err, errno, "readlink", full);
    link[n] = '\0';
    /* posix.resolve(dirname(full), link) */
    char *joined = malloc(2 * PATH_MAX + 2);
    if (!joined) return sv_fail_errno(err, ENOMEM, "resolve");
    if (link[0] == '/') {
      memcpy(joined, link, (size_t)n + 1);
    } else {
      size_t d = (size_t)(strrchr(full, '/') - full);
      memcpy(joined, full, d);
      joined[d] = '/';
      memcpy(joined + d + 1, link, (size_t)n + 1);
    }
    char target[PATH_MAX];
    int r = normalize_abs(joined, target, sizeof target);
    free(joined);
    if (r == 0 && assert_inside(target, rel, err)) return -1;
  }
  return sv_fail(err, "file_not_found", "%s does not exist", rel);
}

int resolve_existing(const char *rel, char *out, sv_error *err) {
  return resolve_existing_n(rel, strlen(rel), out, err);
}

/* mkdir -p as Node's mkdirSync(path, {recursive: true}): the deepest first, up on ENOENT, mode 0777 &
 * ~umask; an existing directory (or a symlink to one) is fine. `path` is modified and restored. */
static int mkdir_p(char *path, int nested) {
  if (mkdir(path, 0777) == 0) return 0;
  int e = errno;
  if (e == ENOENT) {
    char *slash = strrchr(path, '/');
    if (!slash || slash == path) return -1;
    *slash = '\0';
    int r = mkdir_p(path, 1);
    *slash = '/';
    if (r < 0) return -1;
    if (mkdir(path, 0777) == 0) return 0;
    e = errno;
  }
  if (e == EACCES || e == ENOSPC || e == ENOTDIR || e == EPERM) {
    errno = e;
    return -1;
  }
  struct stat st;
  if (stat(path, &st) < 0) return -1;
  if (S_ISDIR(st.st_mode)) return 0;
  errno = (e == EEXIST && nested) ? ENOTDIR : EEXIST;
  return -1;
}

/* The target of a write (`full` from lexical): parents created, a final symlink followed only if it
 * stays inside. */
static int resolve_for_write(const char *rel, const char *full, char *target, sv_error *err) {
  if (strcmp(full, WORKSPACE) == 0) return sv_fail(err, "invalid_path", "cannot write the workspace itself");
  if (check_ancestors(full, rel, err)) return -1;
  memcpy(target, full, strlen(full) + 1);
  struct stat st;
  if (lstat(full, &st) < 0) {
    if (errno != ENOENT) return fail_sys(err, errno, "lstat", full);
  } else if (S_ISLNK(st.st_mode)) {
    if (!realpath(full, target))
      return sv_fail(err, "path_outside_workspace", "%s is a dangling symlink", rel);
    if (assert_inside(target, rel, err)) return -1;
  }
  char *slash = strrchr(target, '/');
  if (slash != target) {
    *slash = '\0';
    int r = mkdir_p(target, 0);
    int e = errno;
    if (r < 0) fail_sys(err, e, "mkdir", target);
    *slash = '/';
    if (r < 0) return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- write */

static int write_fail(sv_error *err, int e, const char *rel, const char *syscall, const char *target) {
  if (e == EISDIR) return sv_fail(err, "not_a_file", "%s is a directory", rel);
  if (e == ENOSPC) return sv_fail(err, "no_space", "no space left in the workspace writing %s", rel);
  return fail_sys(err, e, syscall, target);
}

/* writeFileSync: create or truncate (0666 & ~umask when new), write it all, close. */
static int write_whole(const char *rel, const char *target, const unsigned char *data, size_t n, sv_error *err) {
  int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return write_fail(err, errno, rel, "open", target);
  for (size_t off = 0; off < n;) {
    ssize_t w = write(fd, data + off, n - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return write_fail(err, e, rel, "write", target);
    }
    off += (size_t)w;
  }
  if (close(fd) < 0 && errno != EINTR) return write_fail(err, errno, rel, "close", target);
  return 0;
}

/* chmod after the write; the runner's contract allows permission bits only. */
static int chmod_mode(const char *target, double mode, sv_error *err) {
  if (mode != floor(mode) || mode < 0 || mode > 07777)
    return sv_fail(err, "invalid_request", "mode must be an integer from 0 to 0o7777");
  if (chmod(target, (mode_t)mode) < 0) return fail_sys(err, errno, "chmod", target);
  return 0;
}

int file_write(const jval *req, jbuf *reply, sv_error *err) {
  const jval *files = json_get(req, "files");
  if (!files || files->type != J_ARR) return sv_fail(err, "invalid_request", "files must be an array");
  long long bytes = 0;
  for (size_t i = 0; i < files->count; i++) {
    const jval *file = files->items[i];
    if (file->type != J_OBJ) continue;
    const jval *path = path_field(file, err);
    char full[PATH_MAX], target[PATH_MAX];
    if (!path || lexical(path->str, path->len, full, err)) return -1;
    const char *rel = path->str;
    /* Node's Buffer.from(String(data), 'base64') never fails (it skips what is not base64); a
     * request whose data is no base64 string is refused instead, before anything is touched. */
    const jval *d = json_get(file, "data");
    size_t n = 0;
    unsigned char *data = d && d->type == J_STR ? b64_decode(d->str, d->len, &n) : NULL;
    if (!data) return sv_fail(err, "invalid_request", "%s: data must be a base64 string", rel);
    int r = resolve_for_write(rel, full, target, err);
    if (r == 0) r = write_whole(rel, target, data, n, err);
    free(data);
    if (r < 0) return -1;
    double mode;
    if (json_num(json_get(file, "mode"), &mode) && chmod_mode(target, mode, err)) return -1;
    bytes += (long long)n;
  }
  jb_raw(reply, ",");
  jb_key(reply, "written");
  jb_int(reply, (long long)files->count);
  jb_raw(reply, ",");
  jb_key(reply, "bytes");
  jb_int(reply, bytes);
  return 0;
}

/* ---------------------------------------------------------------- read */

/* readFileSync: what fstat says at open (Node reads no more than that), or until EOF when it says 0. */
static int read_whole(const char *real, jbuf *out, sv_error *err) {
  int fd = open(real, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_sys(err, errno, "open", real);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    return fail_sys(err, e, "fstat", real);
  }
  if (S_ISREG(st.st_mode) && st.st_size > 2147483647) {
    close(fd);
    return sv_fail(err, "file_too_large", "%s is %lld bytes (over 2 GiB)", real + WS_LEN + 1, (long long)st.st_size);
  }
  size_t want = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
  char chunk[65536];
  for (;;) {
    size_t ask = sizeof chunk;
    if (want > 0) {
      if (out->len >= want) break;
      if (want - out->len < ask) ask = want - out->len;
    }
    ssize_t r = read(fd, chunk, ask);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return fail_sys(err, e, "read", real);
    }
    if (r == 0) break;
    jb_bytes(out, chunk, (size_t)r);
  }
  close(fd);
  return 0;
}

int file_read(const jval *req, jbuf *reply, sv_error *err) {
  const jval *path = path_field(req, err);
  char real[PATH_MAX];
  if (!path || resolve_existing_n(path->str, path->len, real, err)) return -1;
  const char *rel = path->str;
  struct stat st;
  if (stat(real, &st) < 0) return fail_sys(err, errno, "stat", real);
  if (!S_ISREG(st.st_mode)) return sv_fail(err, "not_a_file", "%s is not a file", rel);
  double max;
  if (json_num(json_get(req, "maxBytes"), &max) && (double)st.st_size > max) {
    return sv_fail(err, "file_too_large", "%s is %lld bytes (limit %.0f)", rel, (long long)st.st_size, max);
  }
  jbuf data;
  jb_init(&data);
  if (read_whole(real, &data, err) < 0) {
    jb_free(&data);
    return -1;
  }
  jb_raw(reply, ",");
  jb_key(reply, "data");
  jb_raw(reply, "\"");
  b64_encode(reply, data.data ? (const unsigned char *)data.data : (const unsigned char *)"", data.len);
  jb_raw(reply, "\",");
  jb_key(reply, "size");
  jb_int(reply, (long long)st.st_size);
  jb_free(&data);
  return 0;
}

/* ---------------------------------------------------------------- list */

typedef struct {
  char *name;
  unsigned char type; /* d_type */
} dentry;

static int dentry_cmp(const void *a, const void *b) {
  return strcmp(((const dentry *)a)->name, ((const dentry *)b)->name);
}

static void dentries_free(dentry *list, size_t n) {
  for (size_t i = 0; i < n; i++) free(list[i].name);
  free(list);
}

/* readdirSync: every name but "." and "..", sorted by bytes as libuv's scandir sorts them. The
 * directory is read whole and closed before the caller walks on, so a deep walk holds no descriptors.
 * `dfd` >= 0 reads that directory (and closes it), else `path`. */
static int read_dir(int dfd, const char *path, dentry **out, size_t *count, sv_error *err) {
  DIR *dir = dfd >= 0 ? fdopendir(dfd) : opendir(path);
  if (!dir) {
    int e = errno;
    if (dfd >= 0) close(dfd);
    return fail_sys(err, e, "scandir", path);
  }
  dentry *list = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    errno = 0;
    struct dirent *ent = readdir(dir);
    if (!ent) {
      if (errno) {
        int e = errno;
        closedir(dir);
        dentries_free(list, n);
        return fail_sys(err, e, "scandir", path);
      }
      break;
    }
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      dentry *grown = realloc(list, cap * sizeof *list);
      if (!grown) abort(); /* as the JSON writer does on allocation failure */
      list = grown;
    }
    list[n].name = strdup(ent->d_name);
    if (!list[n].name) abort();
    list[n].type = ent->d_type;
    n++;
  }
  closedir(dir);
  if (n > 1) qsort(list, n, sizeof *list, dentry_cmp);
  *out = list;
  *count = n;
  return 0;
}

typedef struct {
  jbuf *out;
  double depth, limit;
  size_t count;
  int truncated;
  char path[PATH_MAX]; /* the directory being walked, then each entry's path */
  sv_error *err;
} walker;

/* The TS walk: a dirent past the limit sets `truncated` and ends this directory (its parents end at
 * their next dirent); a directory is walked into while level < depth. */
static int walk(walker *w, size_t dlen, double level) {
  dentry *list;
  size_t n;
  w->path[dlen] = '\0';
  if (read_dir(-1, w->path, &list, &n, w->err) < 0) return -1;
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    if ((double)w->count >= w->limit) {
      w->truncated = 1;
      break;
    }
    size_t nlen = strlen(list[i].name);
    if (dlen + 1 + nlen >= sizeof w->path) {
      w->path[dlen] = '\0';
      rc = fail_sys(w->err, ENAMETOOLONG, "scandir", w->path);
      break;
    }
    w->path[dlen] = '/';
    memcpy(w->path + dlen + 1, list[i].name, nlen + 1);
    size_t alen = dlen + 1 + nlen;
    unsigned char t = list[i].type;
    struct stat st;
    if (t == DT_UNKNOWN) { /* some filesystems give no type: Node lstats those */
      if (lstat(w->path, &st) < 0) {
        rc = fail_sys(w->err, errno, "lstat", w->path);
        break;
      }
      t = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    const char *type = t == DT_LNK ? "symlink" : t == DT_DIR ? "dir" : t == DT_REG ? "file" : "other";
    long long size = 0;
    if (t == DT_REG && lstat(w->path, &st) == 0) size = (long long)st.st_size; /* else removed while listing */
    if (w->count > 0) jb_raw(w->out, ",");
    jb_raw(w->out, "{");
    jb_key(w->out, "path");
    jb_str(w->out, w->path + WS_LEN + 1, alen - WS_LEN - 1); /* posix.relative(WORKSPACE, abs) */
    jb_raw(w->out, ",");
    jb_key(w->out, "type");
    jb_str(w->out, type, strlen(type));
    jb_raw(w->out, ",");
    jb_key(w->out, "size");
    jb_int(w->out, size);
    jb_raw(w->out, "}");
    w->count++;
    /* symlinks are listed, never followed */
    if (t == DT_DIR && level < w->depth && (rc = walk(w, alen, level + 1)) < 0) break;
  }
  dentries_free(list, n);
  return rc;
}

int file_list(const jval *req, jbuf *reply, sv_error *err) {
  const jval *p = json_get(req, "path");
  /* Any path that is no string, or empty, is the workspace: as the TS. */
  int whole = !p || p->type != J_STR || p->len == 0 || (p->len == 1 && p->str[0] == '.');
  const char *rel = whole ? "." : p->str;
  walker *w = malloc(sizeof *w);
  if (!w) return sv_fail_errno(err, ENOMEM, "list");
  if (whole) {
    memcpy(w->path, WORKSPACE, WS_LEN + 1);
  } else if (resolve_existing_n(p->str, p->len, w->path, err) < 0) {
    free(w);
    return -1;
  }
  struct stat st;
  if (stat(w->path, &st) < 0) {
    int r = fail_sys(err, errno, "stat", w->path);
    free(w);
    return r;
  }
  if (!S_ISDIR(st.st_mode)) {
    free(w);
    return sv_fail(err, "not_a_file", "%s is not a directory", rel);
  }
  double v;
  w->out = reply;
  w->depth = json_num(json_get(req, "depth"), &v) ? v : 1;
  w->limit = json_num(json_get(req, "limit"), &v) ? v : 5000;
  w->count = 0;
  w->truncated = 0;
  w->err = err;
  jb_raw(reply, ",");
  jb_key(reply, "entries");
  jb_raw(reply, "[");
  int r = walk(w, strlen(w->path), 1);
  if (r == 0) {
    jb_raw(reply, "],");
    jb_key(reply, "truncated");
    jb_raw(reply, w->truncated ? "true" : "false");
  }
  free(w);
  return r;
}

/* ---------------------------------------------------------------- delete */

/* Node's rimrafSync, on descriptors: the directory `dfd` and names in it, never following a symlink
 * (a link is unlinked, a directory opened with O_NOFOLLOW). `path` (PATH_MAX) is the entry's path, for
 * messages only: it is cut short rather than overflowing. `deep` allows emptying directories. */
static int rm_entry(int dfd, const char *name, char *path, size_t plen, int deep, sv_error *err);

static size_t path_push(char *path, size_t plen, const char *name) {
  size_t n = strlen(name);
  if (plen + 1 + n < PATH_MAX) {
    path[plen] = '/';
    memcpy(path + plen + 1, name, n + 1);
    return plen + 1 + n;
  }
  return plen; /* too long to show: the parent's path stands for it */
}

/* _rmdirSync: rmdir; if not empty (ENOTEMPTY, EEXIST, EPERM), remove the children and rmdir again.
 * `orig` is the unlink error that led here (thrown instead of ENOTDIR), 0 if none. */
static int rm_dir(int dfd, const char *name, char *path, size_t plen, int deep, int orig, sv_error *err) {
  if (unlinkat(dfd, name, AT_REMOVEDIR) == 0) return 0;
  int e = errno;
  if (e == ENOENT) return 0;
  if (e == ENOTDIR) return fail_sys(err, orig ? orig : e, orig ? "unlink" : "rmdir", path);
  if (!deep || (e != ENOTEMPTY && e != EEXIST && e != EPERM))
    return fail_sys(err, orig ? orig : e, orig ? "unlink" : "rmdir", path);
  int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail_sys(err, errno, "scandir", path);
  int keep = dup(fd); /* fdopendir takes one descriptor; the children are removed through the other */
  if (keep < 0) {
    int e2 = errno;
    close(fd);
    return fail_sys(err, e2, "scandir", path);
  }
  dentry *list;
  size_t n;
  if (read_dir(fd, path, &list, &n, err) < 0) {
    close(keep);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    size_t clen = path_push(path, plen, list[i].name);
    rc = rm_entry(keep, list[i].name, path, clen, deep, err);
    path[plen] = '\0';
  }
  dentries_free(list, n);
  close(keep);
  if (rc < 0) return -1;
  if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) return 0;
  return fail_sys(err, errno, "rmdir", path);
}

static int rm_entry(int dfd, const char *name, char *path, size_t plen, int deep, sv_error *err) {
  struct stat st;
  if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return 0;
    st.st_mode = 0; /* Node goes on to unlink, which reports the error */
  }
  if (S_ISDIR(st.st_mode)) return rm_dir(dfd, name, path, plen, deep, 0, err);
  if (unlinkat(dfd, name, 0) == 0) return 0;
  int e = errno;
  if (e == ENOENT) return 0;
  if (e == EPERM || e == EISDIR) return rm_dir(dfd, name, path, plen, deep, e, err);
  return fail_sys(err, e, "unlink", path);
}

int file_delete(const jval *req, jbuf *reply, sv_error *err) {
  (void)reply; /* the reply has no fields */
  const jval *p = path_field(req, err);
  char full[PATH_MAX];
  if (!p || lexical(p->str, p->len, full, err)) return -1;
  const char *rel = p->str;
  if (strcmp(full, WORKSPACE) == 0) return sv_fail(err, "invalid_path", "cannot delete the workspace itself");
  if (check_ancestors(full, rel, err)) return -1;
  struct stat st;
  if (lstat(full, &st) < 0) return sv_fail(err, "file_not_found", "%s does not exist", rel);
  int recursive = json_true(json_get(req, "recursive"));
  if (S_ISDIR(st.st_mode) && !recursive)
    return sv_fail(err, "invalid_request", "%s is a directory: delete it with recursive=true", rel);
  /* The parent is opened following symlinks (check_ancestors vetted them, as the TS's rmSync does);
   * everything below it is reached without following any. */
  char *slash = strrchr(full, '/');
  *slash = '\0';
  int dfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int e = errno;
  *slash = '/';
  if (dfd < 0) return fail_sys(err, e, "open", full);
  char *path = malloc(PATH_MAX);
  if (!path) {
    close(dfd);
    return sv_fail_errno(err, ENOMEM, "delete");
  }
  memcpy(path, full, strlen(full) + 1);
  int r = rm_entry(dfd, slash + 1, path, strlen(path), recursive, err);
  free(path);
  close(dfd);
  return r;
}

void remove_lost_and_found(void) {
  /* not there (another kind of workspace) or not empty: either way it stays */
  (void)rmdir(WORKSPACE "/lost+found");
}
