/* The file operations, confined to /workspace: batch write, read, list, delete. */
#ifndef SV_FILES_H
#define SV_FILES_H

#include "supervisor.h"

/* Each takes the request object and appends the reply's fields, after a leading comma, to `reply`
 * (for example `,"written":2,"bytes":10`); on a refusal it returns -1 with `err` filled and `reply`
 * unspecified. */
int file_write(const jval *req, jbuf *reply, sv_error *err);
int file_read(const jval *req, jbuf *reply, sv_error *err);
int file_list(const jval *req, jbuf *reply, sv_error *err);
int file_delete(const jval *req, jbuf *reply, sv_error *err);
/* The workspace is a fresh ext4 disk: mkfs's lost+found goes (if empty; errors ignored). */
void remove_lost_and_found(void);

/* Path checks shared with the process operations (a command's cwd): resolves an existing path,
 * following symlinks, into `out` (PATH_MAX bytes) and checks it stays inside the workspace. */
int resolve_existing(const char *rel, char *out, sv_error *err);

#endif
