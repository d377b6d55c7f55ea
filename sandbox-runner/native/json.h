/*
 * A small JSON reader (a tree of values) and writer (a growing buffer), enough for the supervisor's
 * requests and replies. Strings are byte arrays with a length: "\u0000" and invalid UTF-8 survive.
 */
#ifndef SV_JSON_H
#define SV_JSON_H

#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval jval;
struct jval {
  jtype type;
  int boolean;  /* J_BOOL */
  double num;   /* J_NUM */
  char *str;    /* J_STR: NUL-terminated, but may hold NULs: use len */
  size_t len;   /* J_STR: bytes */
  size_t count; /* J_ARR, J_OBJ: items */
  jval **items; /* J_ARR, J_OBJ: values */
  char **keys;  /* J_OBJ: keys (NUL-terminated; a key holding NUL never matches json_get) */
};

/* Parses one JSON document (whitespace around it allowed); NULL when it is not valid JSON or nests
 * deeper than 64 levels. */
jval *json_parse(const char *text, size_t len);
void json_free(jval *v);

/* The value of `key` in an object (the last one if repeated); NULL if absent or `obj` is no object. */
const jval *json_get(const jval *obj, const char *key);
/* The string, or NULL unless `v` is a string. */
const char *json_str(const jval *v);
/* 1 and the number in *out when `v` is a number, else 0. */
int json_num(const jval *v, double *out);
/* 1 when `v` is `true`. */
int json_true(const jval *v);

/* A growing byte buffer: the writer's output. Allocation failure aborts the process. */
typedef struct {
  char *data;
  size_t len, cap;
} jbuf;

void jb_init(jbuf *b);
void jb_free(jbuf *b);
void jb_bytes(jbuf *b, const void *data, size_t n);
/* Appends raw text (JSON punctuation, keys already quoted...). */
void jb_raw(jbuf *b, const char *text);
/* Appends a JSON string: quoted, escaped. Bytes that are not valid UTF-8 become U+FFFD. */
void jb_str(jbuf *b, const char *s, size_t n);
/* Appends `"key":` (key is plain ASCII without quotes or backslashes). */
void jb_key(jbuf *b, const char *key);
void jb_int(jbuf *b, long long n);
/* A number as JSON: integers without a fraction, others with up to 17 significant digits. */
void jb_num(jbuf *b, double n);

/* Base64 (standard alphabet, with padding). Encoding appends to `b`; decoding returns a malloc'd
 * buffer and its length in *out_len, or NULL on a character outside the alphabet. Whitespace is
 * skipped and missing padding accepted, as Node's Buffer.from(s, 'base64') does. */
void b64_encode(jbuf *b, const unsigned char *data, size_t n);
unsigned char *b64_decode(const char *s, size_t n, size_t *out_len);

#endif
