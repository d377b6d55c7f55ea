/*
 * The file operations against a real directory: build with -DWORKSPACE='"/tmp/sv-files-test/ws"' (see
 * the command below); the test makes and removes that folder, and its sibling ws-outside (a directory
 * outside the workspace whose name shares its prefix). One line per failing check; exit 1 on any.
 *
 *   cd sandbox-runner/native && gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 \
 *     -fsanitize=address,undefined -DWORKSPACE='"/tmp/sv-files-test/ws"' \
 *     -o /tmp/files-test files.c json.c supervisor.c test/files-test.c && /tmp/files-test
 *
 * Run as root it also checks EACCES (as uid 65534 in a child) and ENOSPC (a tiny tmpfs in a child's own
 * mount namespace); without the rights for those, they are skipped.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../files.h"

#define OUTSIDE WORKSPACE "-outside"


/* ---------------------------------------------------------------- checks */

#include "check.h"

typedef int (*op_fn)(const jval *, jbuf *, sv_error *);

/* Runs `op` on the request `json`: its return, the reply in `reply` (caller frees), the refusal in `err`. */
static int run(op_fn op, const char *json, jbuf *reply, sv_error *err) {
  jb_init(reply);
  memset(err, 0, sizeof *err);
  jval *req = json_parse(json, strlen(json));
  if (!req) {
    printf("test bug: bad JSON %s\n", json);
    exit(2);
  }
  int rc = op(req, reply, err);
  json_free(req);
  return rc;
}

/* The op succeeds, with exactly the reply `want` (unless NULL). */
static void expect_ok_(int line, op_fn op, const char *json, const char *want) {
  jbuf r;
  sv_error e;
  int rc = run(op, json, &r, &e);
  checks++;
  const char *got = r.len ? r.data : "";
  if (rc != 0) {
    failures++;
    printf("FAIL line %d: %s: refused %s: %s\n", line, json, e.code, e.message);
  } else if (want && strcmp(got, want) != 0) {
    failures++;
    printf("FAIL line %d: %s: reply\n  %s\nwant\n  %s\n", line, json, got, want);
  }
  jb_free(&r);
}

/* The op refuses with `code` and (unless NULL) exactly `message`. */
static void expect_err_(int line, op_fn op, const char *json, const char *code, const char *message) {
  jbuf r;
  sv_error e;
  int rc = run(op, json, &r, &e);
  checks++;
  if (rc != -1) {
    failures++;
    printf("FAIL line %d: %s: want %s, got ok\n", line, json, code);
  } else if (!e.code || strcmp(e.code, code) != 0 || (message && strcmp(e.message, message) != 0)) {
    failures++;
    printf("FAIL line %d: %s: got %s \"%s\", want %s \"%s\"\n", line, json, e.code ? e.code : "(null)",
           e.message, code, message ? message : "...");
  }
  jb_free(&r);
}

#define expect_ok(op, json, want) expect_ok_(__LINE__, op, json, want)
#define expect_err(op, json, code, message) expect_err_(__LINE__, op, json, code, message)

/* ---------------------------------------------------------------- the test tree */

/* A path under the workspace (a few rotating buffers, so several fit in one call). */
static const char *ws(const char *rel) {
  static char bufs[8][4096];
  static int next;
  char *b = bufs[next++ % 8];
  snprintf(b, sizeof bufs[0], "%s/%s", WORKSPACE, rel);
  return b;
}

static void put(const char *abs, const char *content) {
  int fd = open(abs, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
    printf("test bug: cannot write %s: %s\n", abs, strerror(errno));
    exit(2);
  }
  close(fd);
}

static void mkd(const char *abs) {
  if (mkdir(abs, 0755) < 0 && errno != EEXIST) {
    printf("test bug: cannot mkdir %s: %s\n", abs, strerror(errno));
    exit(2);
  }
}

static void sym(const char *target, const char *abs) {
  if (symlink(target, abs) < 0) {
    printf("test bug: cannot symlink %s: %s\n", abs, strerror(errno));
    exit(2);
  }
}

/* 1 when `abs` is a regular file holding exactly `content`. */
static int holds(const char *abs, const char *content) {
  char buf[4096];
  int fd = open(abs, O_RDONLY | O_NOFOLLOW);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n == (ssize_t)strlen(content) && memcmp(buf, content, (size_t)n) == 0;
}

static int exists(const char *abs) {
  struct stat st;
  return lstat(abs, &st) == 0;
}

static int is_link(const char *abs) {
  struct stat st;
  return lstat(abs, &st) == 0 && S_ISLNK(st.st_mode);
}

static unsigned mode_of(const char *abs) {
  struct stat st;
  return lstat(abs, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffffu;
}

static void clean(void) {
  /* Only ever under /tmp (main checks WORKSPACE): the test's own folders. */
  int rc = system("chmod -R u+rwx '" WORKSPACE "' '" OUTSIDE "' 2>/dev/null; rm -rf '" WORKSPACE "' '" OUTSIDE "'");
  (void)rc;
}

/* Runs `fn` in a child: 0 passed, 1 failed (it printed why), 2 skipped (no rights for it). */
static int in_child(int (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int r = fn();
    fflush(stdout);
    _exit(r);
  }
  int status;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return 1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* The op in the child: checks code (and message) as expect_err does, returning 0/1. */
static int child_expect(op_fn op, const char *json, const char *code, const char *message) {
  int before = failures;
  expect_err(op, json, code, message);
  return failures != before;
}

static int drop_to_nobody(void) {
  if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0) return -1;
  return 0;
}

/* As uid 65534, in directories root made read-only: the errno names come through as codes. */
static int child_eacces(void) {
  if (drop_to_nobody() < 0) return 2;
  int bad = 0;
  bad |= child_expect(file_write, "{\"files\":[{\"path\":\"ro/x\",\"data\":\"YQ==\"}]}", "EACCES",
                      "open '" WORKSPACE "/ro/x': Permission denied");
  bad |= child_expect(file_write, "{\"files\":[{\"path\":\"ro/sub/x\",\"data\":\"YQ==\"}]}", "EACCES",
                      "mkdir '" WORKSPACE "/ro/sub': Permission denied");
  bad |= child_expect(file_delete, "{\"path\":\"ro/f\"}", "EACCES", NULL);
  /* rmdir first, as Node's rimraf: refused at once, nothing inside is touched */
  bad |= child_expect(file_delete, "{\"path\":\"ro/d\",\"recursive\":true}", "EACCES",
                      "rmdir '" WORKSPACE "/ro/d': Permission denied");
  bad |= child_expect(file_read, "{\"path\":\"priv.txt\"}", "EACCES", NULL);
  /* an unreadable directory anywhere in the walk fails the whole list, as readdirSync throws */
  bad |= child_expect(file_list, "{\"path\":\"L2\",\"depth\":2}", "EACCES",
                      "scandir '" WORKSPACE "/L2/locked': Permission denied");
  return bad;
}

/* A full disk: a tiny tmpfs over ws/full, in this child's own mount namespace. */
static int child_enospc(void) {
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
      mount("tmpfs", ws("full"), "tmpfs", 0, "size=8k") < 0)
    return 2;
  jbuf j;
  jb_init(&j);
  jb_raw(&j, "{\"files\":[{\"path\":\"full/big\",\"data\":\"");
  for (int i = 0; i < 65536 / 3 * 4; i++) jb_raw(&j, "A");
  jb_raw(&j, "\"}]}");
  int bad = child_expect(file_write, j.data, "no_space", "no space left in the workspace writing full/big");
  jb_free(&j);
  return bad;
}

/* ---------------------------------------------------------------- the operations */

static void test_paths(void) {
  const char *rel = "paths are relative to the workspace";
  const char *dots = "paths must not contain \"..\"";
  expect_err(file_read, "{\"path\":\"\"}", "invalid_path", rel);
  expect_err(file_read, "{\"path\":\"/etc/passwd\"}", "invalid_path", rel);
  expect_err(file_read, "{\"path\":\"a\\u0000b\"}", "invalid_path", rel);
  expect_err(file_read, "{\"path\":null}", "invalid_path", rel);
  expect_err(file_read, "{\"path\":5}", "invalid_path", rel);
  expect_err(file_read, "{}", "invalid_path", rel);
  expect_err(file_read, "{\"path\":\"..\"}", "invalid_path", dots);
  expect_err(file_read, "{\"path\":\"../ws-outside/secret.txt\"}", "invalid_path", dots);
  expect_err(file_read, "{\"path\":\"a/../b\"}", "invalid_path", dots);
  expect_err(file_read, "{\"path\":\"a/..\"}", "invalid_path", dots);
  expect_err(file_delete, "{\"path\":\"x/../../y\"}", "invalid_path", dots);
  expect_err(file_write, "{\"files\":[{\"path\":\"../x\",\"data\":\"\"}]}", "invalid_path", dots);
  expect_err(file_write, "{\"files\":[{\"path\":\"/x\",\"data\":\"\"}]}", "invalid_path", rel);
  expect_err(file_write, "{\"files\":[{\"path\":null,\"data\":\"\"}]}", "invalid_path", rel);
  /* "...", "..a" are names like any other */
  expect_err(file_read, "{\"path\":\"...\"}", "file_not_found", "... does not exist");
  expect_err(file_read, "{\"path\":\"..a/b\"}", "file_not_found", "..a/b does not exist");

  char out[4096];
  sv_error e;
  CHECK(resolve_existing(".", out, &e) == 0 && strcmp(out, WORKSPACE) == 0, "resolve . gave %s", out);
  CHECK(resolve_existing("./", out, &e) == 0 && strcmp(out, WORKSPACE) == 0, "resolve ./ gave %s", out);
  CHECK(resolve_existing("lin", out, &e) == 0 && strcmp(out, ws("real")) == 0, "resolve lin gave %s", out);
  CHECK(resolve_existing("a//b/./c.txt", out, &e) == 0 && strcmp(out, ws("a/b/c.txt")) == 0, "resolve gave %s", out);
  CHECK(resolve_existing("lout", out, &e) == -1 && strcmp(e.code, "path_outside_workspace") == 0 &&
            strcmp(e.message, "lout leads outside the workspace") == 0,
        "resolve lout: %s %s", e.code, e.message);
  CHECK(resolve_existing("lsib", out, &e) == -1 && strcmp(e.code, "path_outside_workspace") == 0,
        "resolve lsib (a sibling sharing the prefix): %s", e.code);
  CHECK(resolve_existing("", out, &e) == -1 && strcmp(e.code, "invalid_path") == 0, "resolve empty");
}

static void test_write(void) {
  expect_err(file_write, "{}", "invalid_request", "files must be an array");
  expect_err(file_write, "{\"files\":{\"path\":\"x\"}}", "invalid_request", "files must be an array");
  expect_ok(file_write, "{\"files\":[]}", ",\"written\":0,\"bytes\":0");

  /* parents made (0777 & ~umask), the file 0666 & ~umask; what is not an object is skipped but counted */
  expect_ok(file_write, "{\"files\":[1,null,{\"path\":\"a/b/c.txt\",\"data\":\"aGVsbG8=\"},\"s\",[]]}",
            ",\"written\":5,\"bytes\":5");
  CHECK(holds(ws("a/b/c.txt"), "hello"), "a/b/c.txt content");
  CHECK(mode_of(ws("a")) == 0755 && mode_of(ws("a/b")) == 0755, "dir modes %o %o", mode_of(ws("a")),
        mode_of(ws("a/b")));
  CHECK(mode_of(ws("a/b/c.txt")) == 0644, "file mode %o", mode_of(ws("a/b/c.txt")));
  /* truncates; several files; unpadded and whitespace-broken base64 */
  expect_ok(file_write,
            "{\"files\":[{\"path\":\"a/b/c.txt\",\"data\":\"aGk\"},{\"path\":\"a//b/./d.txt\",\"data\":\"d29y\\nbGQ=\"}]}",
            ",\"written\":2,\"bytes\":7");
  CHECK(holds(ws("a/b/c.txt"), "hi"), "a/b/c.txt truncated");
  CHECK(holds(ws("a/b/d.txt"), "world"), "a/b/d.txt (normalised path)");
  expect_ok(file_write, "{\"files\":[{\"path\":\"empty\",\"data\":\"\"}]}", ",\"written\":1,\"bytes\":0");
  CHECK(holds(ws("empty"), ""), "empty file");

  /* mode: chmod after the write (no umask); permission bits only */
  expect_ok(file_write, "{\"files\":[{\"path\":\"x.sh\",\"data\":\"\",\"mode\":493}]}", NULL);
  CHECK(mode_of(ws("x.sh")) == 0755, "x.sh mode %o", mode_of(ws("x.sh")));
  expect_ok(file_write, "{\"files\":[{\"path\":\"x.sh\",\"data\":\"\",\"mode\":511}]}", NULL);
  CHECK(mode_of(ws("x.sh")) == 0777, "x.sh mode %o", mode_of(ws("x.sh")));
  expect_ok(file_write, "{\"files\":[{\"path\":\"x.sh\",\"data\":\"\",\"mode\":\"0700\"}]}", NULL);
  CHECK(mode_of(ws("x.sh")) == 0777, "a string mode is ignored: %o", mode_of(ws("x.sh")));
  const char *bad_mode = "mode must be an integer from 0 to 0o7777";
  expect_err(file_write, "{\"files\":[{\"path\":\"m1\",\"data\":\"YQ==\",\"mode\":-1}]}", "invalid_request",
             bad_mode);
  CHECK(holds(ws("m1"), "a"), "written before the chmod refused");
  expect_err(file_write, "{\"files\":[{\"path\":\"m1\",\"data\":\"YQ==\",\"mode\":1.5}]}", "invalid_request",
             bad_mode);
  expect_err(file_write, "{\"files\":[{\"path\":\"m1\",\"data\":\"YQ==\",\"mode\":4096}]}", "invalid_request",
             bad_mode);

  expect_err(file_write, "{\"files\":[{\"path\":\".\",\"data\":\"\"}]}", "invalid_path",
             "cannot write the workspace itself");
  expect_err(file_write, "{\"files\":[{\"path\":\"./\",\"data\":\"\"}]}", "invalid_path",
             "cannot write the workspace itself");
  expect_err(file_write, "{\"files\":[{\"path\":\"a\",\"data\":\"\"}]}", "not_a_file", "a is a directory");
  expect_err(file_write, "{\"files\":[{\"path\":\"a/b/c.txt/x\",\"data\":\"\"}]}", "invalid_path",
             "a/b/c.txt/x: c.txt is not a directory");
  /* data that is no base64 string: refused before anything is made */
  expect_err(file_write, "{\"files\":[{\"path\":\"nd/x\",\"data\":\"!!\"}]}", "invalid_request",
             "nd/x: data must be a base64 string");
  expect_err(file_write, "{\"files\":[{\"path\":\"nd/x\"}]}", "invalid_request", "nd/x: data must be a base64 string");
  CHECK(!exists(ws("nd")), "nd made for a refused write");
  /* the files before a refused one stay written */
  expect_err(file_write, "{\"files\":[{\"path\":\"first\",\"data\":\"YQ==\"},{\"path\":\"a\",\"data\":\"\"}]}",
             "not_a_file", "a is a directory");
  CHECK(holds(ws("first"), "a"), "first of a refused batch");

  /* symlinked parents: inside followed, outside / dangling refused */
  mkd(ws("real"));
  sym("real", ws("lin"));
  expect_ok(file_write, "{\"files\":[{\"path\":\"lin/f.txt\",\"data\":\"aW4=\"}]}", NULL);
  CHECK(holds(ws("real/f.txt"), "in"), "written through lin");
  expect_ok(file_write, "{\"files\":[{\"path\":\"lin/new/g.txt\",\"data\":\"aW4=\"}]}", NULL);
  CHECK(holds(ws("real/new/g.txt"), "in"), "mkdir -p through lin");
  sym(OUTSIDE, ws("lout"));
  sym("../ws-outside", ws("lsib"));
  sym("nowhere", ws("ldang"));
  sym("a/b/c.txt", ws("lfile"));
  expect_err(file_write, "{\"files\":[{\"path\":\"lout/f.txt\",\"data\":\"\"}]}", "path_outside_workspace",
             "lout/f.txt leads outside the workspace");
  expect_err(file_write, "{\"files\":[{\"path\":\"lout/sub/f.txt\",\"data\":\"\"}]}", "path_outside_workspace",
             "lout/sub/f.txt leads outside the workspace");
  expect_err(file_write, "{\"files\":[{\"path\":\"lsib/f.txt\",\"data\":\"\"}]}", "path_outside_workspace",
             "lsib/f.txt leads outside the workspace");
  CHECK(!exists(OUTSIDE "/f.txt") && !exists(OUTSIDE "/sub"), "wrote outside");
  expect_err(file_write, "{\"files\":[{\"path\":\"ldang/x\",\"data\":\"\"}]}", "path_outside_workspace",
             "ldang/x goes through a dangling symlink");
  CHECK(!exists(ws("nowhere")), "made the dangling link's target");
  expect_err(file_write, "{\"files\":[{\"path\":\"lfile/x\",\"data\":\"\"}]}", "ENOTDIR", NULL);

  /* a final symlink: followed inside, refused outside or dangling */
  sym("a/b/c.txt", ws("fin"));
  expect_ok(file_write, "{\"files\":[{\"path\":\"fin\",\"data\":\"bmV3\"}]}", ",\"written\":1,\"bytes\":3");
  CHECK(holds(ws("a/b/c.txt"), "new") && is_link(ws("fin")), "written through fin");
  sym(OUTSIDE "/secret.txt", ws("fout"));
  expect_err(file_write, "{\"files\":[{\"path\":\"fout\",\"data\":\"eA==\"}]}", "path_outside_workspace",
             "fout leads outside the workspace");
  CHECK(holds(OUTSIDE "/secret.txt", "secret"), "secret overwritten");
  sym("missing.txt", ws("fdang"));
  expect_err(file_write, "{\"files\":[{\"path\":\"fdang\",\"data\":\"eA==\"}]}", "path_outside_workspace",
             "fdang is a dangling symlink");
  CHECK(!exists(ws("missing.txt")), "made the dangling link's target");
  sym("a", ws("fdir"));
  expect_err(file_write, "{\"files\":[{\"path\":\"fdir\",\"data\":\"eA==\"}]}", "not_a_file", "fdir is a directory");

  /* every byte value, through base64 both ways */
  unsigned char bin[1280];
  for (size_t i = 0; i < sizeof bin; i++) bin[i] = (unsigned char)(i < 256 ? i : (i * 7919u) >> 3);
  jbuf j;
  jb_init(&j);
  jb_raw(&j, "{\"files\":[{\"path\":\"bin/all.bin\",\"data\":\"");
  b64_encode(&j, bin, sizeof bin);
  jb_raw(&j, "\"}]}");
  expect_ok(file_write, j.data, ",\"written\":1,\"bytes\":1280");
  jb_free(&j);
  jbuf r;
  sv_error e;
  int rc = run(file_read, "{\"path\":\"bin/all.bin\"}", &r, &e);
  CHECK(rc == 0, "read back: %s %s", e.code, e.message);
  if (rc == 0) {
    jbuf obj;
    jb_init(&obj);
    jb_raw(&obj, "{");
    jb_raw(&obj, r.data + 1);
    jb_raw(&obj, "}");
    jval *v = json_parse(obj.data, obj.len);
    const char *data = json_str(json_get(v, "data"));
    double size = 0;
    size_t n = 0;
    unsigned char *back = data ? b64_decode(data, strlen(data), &n) : NULL;
    CHECK(back && n == sizeof bin && memcmp(back, bin, n) == 0, "round trip differs (%zu bytes)", n);
    CHECK(json_num(json_get(v, "size"), &size) && size == 1280, "size %g", size);
    free(back);
    json_free(v);
    jb_free(&obj);
  }
  jb_free(&r);
}

static void test_read(void) {
  expect_ok(file_read, "{\"path\":\"a/b/c.txt\"}", ",\"data\":\"bmV3\",\"size\":3");
  expect_ok(file_read, "{\"path\":\"empty\"}", ",\"data\":\"\",\"size\":0");
  expect_ok(file_read, "{\"path\":\"fin\"}", ",\"data\":\"bmV3\",\"size\":3");
  expect_ok(file_read, "{\"path\":\"lin/f.txt\"}", ",\"data\":\"aW4=\",\"size\":2");
  expect_ok(file_read, "{\"path\":\"a/b/c.txt\",\"maxBytes\":3}", NULL);
  expect_ok(file_read, "{\"path\":\"a/b/c.txt\",\"maxBytes\":\"1\"}", NULL);
  expect_err(file_read, "{\"path\":\"a/b/c.txt\",\"maxBytes\":2}", "file_too_large", "a/b/c.txt is 3 bytes (limit 2)");
  expect_err(file_read, "{\"path\":\"a\"}", "not_a_file", "a is not a file");
  expect_err(file_read, "{\"path\":\"fdir\"}", "not_a_file", "fdir is not a file");
  expect_err(file_read, "{\"path\":\"fifo\"}", "not_a_file", "fifo is not a file");
  expect_err(file_read, "{\"path\":\"nope\"}", "file_not_found", "nope does not exist");
  expect_err(file_read, "{\"path\":\"nodir/nope\"}", "file_not_found", "nodir/nope does not exist");
  expect_err(file_read, "{\"path\":\"fout\"}", "path_outside_workspace", "fout leads outside the workspace");
  expect_err(file_read, "{\"path\":\"lout/secret.txt\"}", "path_outside_workspace",
             "lout/secret.txt leads outside the workspace");
  expect_err(file_read, "{\"path\":\"lsib/secret.txt\"}", "path_outside_workspace",
             "lsib/secret.txt leads outside the workspace");
  /* dangling: "leads outside" when it points outside, else not found */
  sym("/nonexistent-sv-files/x", ws("dout"));
  sym("../ws-outside/none", ws("dout2"));
  sym("real/../missing", ws("din"));
  expect_err(file_read, "{\"path\":\"dout\"}", "path_outside_workspace", "dout leads outside the workspace");
  expect_err(file_read, "{\"path\":\"dout2\"}", "path_outside_workspace", "dout2 leads outside the workspace");
  expect_err(file_read, "{\"path\":\"din\"}", "file_not_found", "din does not exist");
  expect_err(file_read, "{\"path\":\"fdang\"}", "file_not_found", "fdang does not exist");
  expect_err(file_read, "{\"path\":\"ldang/x\"}", "path_outside_workspace", "ldang/x goes through a dangling symlink");
  expect_err(file_read, "{\"path\":\"a/b/c.txt/x\"}", "invalid_path", "a/b/c.txt/x: c.txt is not a directory");
  expect_err(file_read, "{\"path\":\"lfile/x\"}", "ENOTDIR", NULL);
  sym("loop2", ws("loop1"));
  sym("loop1", ws("loop2"));
  expect_err(file_read, "{\"path\":\"loop1\"}", "ELOOP", NULL);
  expect_err(file_read, "{\"path\":\"loop1/x\"}", "path_outside_workspace", "loop1/x goes through a dangling symlink");
}

static void test_list(void) {
  mkd(ws("L"));
  put(ws("L/b.txt"), "bbb");
  put(ws("L/C"), "c");
  mkd(ws("L/a"));
  put(ws("L/a/x.txt"), "xxxxx");
  mkd(ws("L/a/deep"));
  put(ws("L/a/deep/y"), "y");
  sym("a", ws("L/link"));
  sym(OUTSIDE, ws("L/out"));
  mkfifo(ws("L/fifo"), 0644);

  /* libuv's scandir order (bytes): uppercase first; symlinks listed, never followed */
  const char *d1 =
      ",\"entries\":[{\"path\":\"L/C\",\"type\":\"file\",\"size\":1},{\"path\":\"L/a\",\"type\":\"dir\",\"size\":0},"
      "{\"path\":\"L/b.txt\",\"type\":\"file\",\"size\":3},{\"path\":\"L/fifo\",\"type\":\"other\",\"size\":0},"
      "{\"path\":\"L/link\",\"type\":\"symlink\",\"size\":0},{\"path\":\"L/out\",\"type\":\"symlink\",\"size\":0}],"
      "\"truncated\":false";
  expect_ok(file_list, "{\"path\":\"L\"}", d1);
  expect_ok(file_list, "{\"path\":\"L/\"}", d1);
  expect_ok(file_list, "{\"path\":\"L\",\"depth\":1,\"limit\":6}", d1);
  expect_ok(file_list, "{\"path\":\"L\",\"depth\":\"9\",\"limit\":\"1\"}", d1); /* not numbers: the defaults */
  expect_ok(file_list, "{\"path\":\"L\",\"depth\":2}",
            ",\"entries\":[{\"path\":\"L/C\",\"type\":\"file\",\"size\":1},{\"path\":\"L/a\",\"type\":\"dir\",\"size\":0},"
            "{\"path\":\"L/a/deep\",\"type\":\"dir\",\"size\":0},{\"path\":\"L/a/x.txt\",\"type\":\"file\",\"size\":5},"
            "{\"path\":\"L/b.txt\",\"type\":\"file\",\"size\":3},{\"path\":\"L/fifo\",\"type\":\"other\",\"size\":0},"
            "{\"path\":\"L/link\",\"type\":\"symlink\",\"size\":0},{\"path\":\"L/out\",\"type\":\"symlink\",\"size\":0}],"
            "\"truncated\":false");
  expect_ok(file_list, "{\"path\":\"L/a\",\"depth\":5}",
            ",\"entries\":[{\"path\":\"L/a/deep\",\"type\":\"dir\",\"size\":0},{\"path\":\"L/a/deep/y\",\"type\":\"file\","
            "\"size\":1},{\"path\":\"L/a/x.txt\",\"type\":\"file\",\"size\":5}],\"truncated\":false");
  /* a fractional depth: 1 < 1.5 walks one level further, 2 < 1.5 does not */
  expect_ok(file_list, "{\"path\":\"L/a\",\"depth\":1.5}",
            ",\"entries\":[{\"path\":\"L/a/deep\",\"type\":\"dir\",\"size\":0},{\"path\":\"L/a/deep/y\",\"type\":\"file\","
            "\"size\":1},{\"path\":\"L/a/x.txt\",\"type\":\"file\",\"size\":5}],\"truncated\":false");
  expect_ok(file_list, "{\"path\":\"L/a\",\"depth\":0}",
            ",\"entries\":[{\"path\":\"L/a/deep\",\"type\":\"dir\",\"size\":0},{\"path\":\"L/a/x.txt\",\"type\":\"file\","
            "\"size\":5}],\"truncated\":false");
  /* through a symlink to a directory inside: the entries' real paths */
  expect_ok(file_list, "{\"path\":\"L/link\"}",
            ",\"entries\":[{\"path\":\"L/a/deep\",\"type\":\"dir\",\"size\":0},{\"path\":\"L/a/x.txt\",\"type\":\"file\","
            "\"size\":5}],\"truncated\":false");

  /* the limit */
  expect_ok(file_list, "{\"path\":\"L\",\"limit\":3}",
            ",\"entries\":[{\"path\":\"L/C\",\"type\":\"file\",\"size\":1},{\"path\":\"L/a\",\"type\":\"dir\",\"size\":0},"
            "{\"path\":\"L/b.txt\",\"type\":\"file\",\"size\":3}],\"truncated\":true");
  expect_ok(file_list, "{\"path\":\"L\",\"limit\":2.5}",
            ",\"entries\":[{\"path\":\"L/C\",\"type\":\"file\",\"size\":1},{\"path\":\"L/a\",\"type\":\"dir\",\"size\":0},"
            "{\"path\":\"L/b.txt\",\"type\":\"file\",\"size\":3}],\"truncated\":true");
  expect_ok(file_list, "{\"path\":\"L\",\"limit\":2,\"depth\":2}",
            ",\"entries\":[{\"path\":\"L/C\",\"type\":\"file\",\"size\":1},{\"path\":\"L/a\",\"type\":\"dir\",\"size\":0}],"
            "\"truncated\":true");
  expect_ok(file_list, "{\"path\":\"L\",\"limit\":0}", ",\"entries\":[],\"truncated\":true");
  expect_ok(file_list, "{\"path\":\"L\",\"limit\":-1}", ",\"entries\":[],\"truncated\":true");
  /* the limit reached on the last entry: truncated only if a directory walked into has more */
  mkd(ws("T"));
  mkd(ws("T/z"));
  put(ws("T/z/k"), "");
  mkd(ws("T/z/e"));
  expect_ok(file_list, "{\"path\":\"T\",\"limit\":1}", ",\"entries\":[{\"path\":\"T/z\",\"type\":\"dir\",\"size\":0}],\"truncated\":false");
  expect_ok(file_list, "{\"path\":\"T\",\"limit\":1,\"depth\":2}",
            ",\"entries\":[{\"path\":\"T/z\",\"type\":\"dir\",\"size\":0}],\"truncated\":true");
  expect_ok(file_list, "{\"path\":\"T\",\"limit\":2,\"depth\":3}",
            ",\"entries\":[{\"path\":\"T/z\",\"type\":\"dir\",\"size\":0},{\"path\":\"T/z/e\",\"type\":\"dir\",\"size\":0}],"
            "\"truncated\":true");
  expect_ok(file_list, "{\"path\":\"T/z/e\",\"limit\":0}", ",\"entries\":[],\"truncated\":false");

  /* the workspace itself: no path, an empty one, one that is no string, "." */
  jbuf r;
  sv_error e;
  int rc = run(file_list, "{}", &r, &e);
  CHECK(rc == 0 && strstr(r.data, "{\"path\":\"L\",\"type\":\"dir\",\"size\":0}") && !strstr(r.data, "\"path\":\".") &&
            !strstr(r.data, "L/a"),
        "list of the workspace: %s", rc == 0 ? r.data : e.message);
  for (int i = 0; i < 3; i++) {
    static const char *same[] = {"{\"path\":\"\"}", "{\"path\":null}", "{\"path\":\".\",\"depth\":1}"};
    jbuf r2;
    int rc2 = run(file_list, same[i], &r2, &e);
    CHECK(rc == 0 && rc2 == 0 && strcmp(r.data, r2.data) == 0, "list %s differs from list {}", same[i]);
    jb_free(&r2);
  }
  jb_free(&r);

  expect_err(file_list, "{\"path\":\"L/b.txt\"}", "not_a_file", "L/b.txt is not a directory");
  expect_err(file_list, "{\"path\":\"L/fifo\"}", "not_a_file", "L/fifo is not a directory");
  expect_err(file_list, "{\"path\":\"L/out\"}", "path_outside_workspace", "L/out leads outside the workspace");
  expect_err(file_list, "{\"path\":\"lout/sub\"}", "path_outside_workspace", "lout/sub leads outside the workspace");
  expect_err(file_list, "{\"path\":\"nope\"}", "file_not_found", "nope does not exist");
  expect_err(file_list, "{\"path\":\"L/../..\"}", "invalid_path", "paths must not contain \"..\"");
  expect_err(file_list, "{\"path\":\"/\"}", "invalid_path", "paths are relative to the workspace");
}

static void test_delete(void) {
  expect_err(file_delete, "{\"path\":\".\"}", "invalid_path", "cannot delete the workspace itself");
  expect_err(file_delete, "{\"path\":\"./\",\"recursive\":true}", "invalid_path", "cannot delete the workspace itself");
  expect_err(file_delete, "{\"path\":\".//.\",\"recursive\":true}", "invalid_path", "cannot delete the workspace itself");
  expect_err(file_delete, "{\"path\":\"\"}", "invalid_path", "paths are relative to the workspace");
  expect_err(file_delete, "{}", "invalid_path", "paths are relative to the workspace");
  expect_err(file_delete, "{\"path\":\"nope\"}", "file_not_found", "nope does not exist");
  expect_err(file_delete, "{\"path\":\"nodir/nope\"}", "file_not_found", "nodir/nope does not exist");
  expect_err(file_delete, "{\"path\":\"a\"}", "invalid_request", "a is a directory: delete it with recursive=true");
  expect_err(file_delete, "{\"path\":\"a\",\"recursive\":1}", "invalid_request",
             "a is a directory: delete it with recursive=true");
  expect_err(file_delete, "{\"path\":\"T/z/e\"}", "invalid_request", "T/z/e is a directory: delete it with recursive=true");
  expect_err(file_delete, "{\"path\":\"lout/secret.txt\"}", "path_outside_workspace",
             "lout/secret.txt leads outside the workspace");
  expect_err(file_delete, "{\"path\":\"ldang/x\"}", "path_outside_workspace", "ldang/x goes through a dangling symlink");
  expect_err(file_delete, "{\"path\":\"a/b/c.txt/x\"}", "invalid_path", "a/b/c.txt/x: c.txt is not a directory");
  CHECK(holds(OUTSIDE "/secret.txt", "secret"), "secret gone");

  expect_ok(file_delete, "{\"path\":\"a/b/d.txt\"}", "");
  CHECK(!exists(ws("a/b/d.txt")), "a/b/d.txt still there");
  expect_ok(file_delete, "{\"path\":\"lin/f.txt\"}", "");
  CHECK(!exists(ws("real/f.txt")) && is_link(ws("lin")), "delete through lin");
  /* a link goes, never what it points to: non-recursive, recursive, dangling */
  expect_ok(file_delete, "{\"path\":\"lout\"}", "");
  CHECK(!exists(ws("lout")) && holds(OUTSIDE "/secret.txt", "secret"), "delete lout");
  expect_ok(file_delete, "{\"path\":\"lin\",\"recursive\":true}", "");
  CHECK(!exists(ws("lin")) && holds(ws("real/new/g.txt"), "in"), "delete lin recursively");
  expect_ok(file_delete, "{\"path\":\"fdang\"}", "");
  CHECK(!exists(ws("fdang")), "fdang still there");
  expect_ok(file_delete, "{\"path\":\"T/z/e\",\"recursive\":true}", "");
  CHECK(!exists(ws("T/z/e")) && exists(ws("T/z/k")), "empty dir delete");

  /* a tree holding links to a directory and a file outside: all of it goes, nothing outside */
  mkd(ws("R"));
  put(ws("R/f"), "f");
  mkd(ws("R/sub"));
  put(ws("R/sub/g"), "g");
  mkd(ws("R/sub/deeper"));
  put(ws("R/sub/deeper/h"), "h");
  mkd(ws("R/sub/deeper/empty"));
  sym(OUTSIDE, ws("R/sub/lo"));
  sym(OUTSIDE "/", ws("R/lo2"));
  sym(OUTSIDE "/secret.txt", ws("R/lf"));
  sym("sub", ws("R/lsub"));
  sym("gone", ws("R/dangling"));
  mkfifo(ws("R/sub/fifo"), 0644);
  mkd(OUTSIDE "/keep");
  put(OUTSIDE "/keep/k", "k");
  expect_ok(file_delete, "{\"path\":\"R\",\"recursive\":true}", "");
  CHECK(!exists(ws("R")), "R still there");
  CHECK(holds(OUTSIDE "/secret.txt", "secret") && holds(OUTSIDE "/keep/k", "k"), "outside touched by delete R");
  /* a link to a directory, recursive, from inside a tree in a symlinked parent */
  mkd(ws("real/t"));
  sym(OUTSIDE, ws("real/t/o"));
  sym("real", ws("lin2"));
  expect_ok(file_delete, "{\"path\":\"lin2/t\",\"recursive\":true}", "");
  CHECK(!exists(ws("real/t")) && holds(OUTSIDE "/keep/k", "k"), "delete lin2/t");
}

static void test_lost_and_found(void) {
  mkd(ws("lost+found"));
  remove_lost_and_found();
  CHECK(!exists(ws("lost+found")), "empty lost+found stays");
  remove_lost_and_found(); /* not there: nothing happens */
  CHECK(exists(WORKSPACE), "workspace gone");
  mkd(ws("lost+found"));
  put(ws("lost+found/x"), "");
  remove_lost_and_found();
  CHECK(holds(ws("lost+found/x"), ""), "non-empty lost+found removed");
}

/* The errno codes: as uid 65534 (EACCES) and on a full tmpfs (ENOSPC), when the test may set those up. */
static void test_errno(void) {
  if (geteuid() != 0) {
    fprintf(stderr, "files-test: EACCES and ENOSPC checks skipped (not root)\n");
    return;
  }
  mkd(ws("ro"));
  put(ws("ro/f"), "f");
  mkd(ws("ro/d"));
  put(ws("ro/d/k"), "k");
  chmod(ws("ro"), 0555);
  put(ws("priv.txt"), "p");
  chmod(ws("priv.txt"), 0600);
  mkd(ws("L2"));
  mkd(ws("L2/locked"));
  chmod(ws("L2/locked"), 0700);
  int r = in_child(child_eacces);
  if (r == 2) fprintf(stderr, "files-test: EACCES checks skipped (cannot become uid 65534)\n");
  CHECK(r == 0 || r == 2, "EACCES checks failed in the child");
  CHECK(r == 2 || (exists(ws("ro/f")) && holds(ws("ro/d/k"), "k")), "a refused delete removed something");
  chmod(ws("ro"), 0755);

  mkd(ws("full"));
  r = in_child(child_enospc);
  if (r == 2) fprintf(stderr, "files-test: ENOSPC check skipped (cannot mount a tmpfs)\n");
  CHECK(r == 0 || r == 2, "ENOSPC check failed in the child");
}

int main(void) {
  if (strncmp(WORKSPACE, "/tmp/", 5) != 0) {
    printf("files-test: build with -DWORKSPACE='\"/tmp/...\"' (it deletes that folder)\n");
    return 2;
  }
  umask(022);
  clean();
  /* the workspace and its parents must be real directories: paths are compared after realpath */
  char parent[] = WORKSPACE;
  *strrchr(parent, '/') = '\0';
  mkd(parent);
  mkd(WORKSPACE);
  mkd(OUTSIDE);
  put(OUTSIDE "/secret.txt", "secret");

  test_write();
  mkfifo(ws("fifo"), 0644);
  test_paths();
  test_read();
  test_list();
  test_delete();
  test_lost_and_found();
  test_errno();

  clean();
  rmdir(parent);
  if (failures) {
    printf("files-test: %d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("files-test: %d checks passed\n", checks);
  return 0;
}
