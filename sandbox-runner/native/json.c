/*
 * JSON reader and writer, and base64 (see json.h).
 *
 * The reader is a strict RFC 8259 recursive-descent parser over a byte slice. String contents are
 * kept as bytes: raw bytes >= 0x80 pass through untouched (invalid UTF-8 survives), escapes are
 * decoded to UTF-8, and lone surrogates from \u escapes become U+FFFD.
 */
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

/* ---------------------------------------------------------------- allocation */

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) abort();
  return p;
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) abort();
  return p;
}

/* The locale's decimal point: strtod and printf use it, JSON always uses '.'. */
static const char *decimal_point(void) {
  const char *dp = localeconv()->decimal_point;
  return dp && *dp ? dp : ".";
}

/* ---------------------------------------------------------------- reader */

typedef struct {
  const unsigned char *p, *end;
} parser;

static jval *parse_value(parser *ps, int depth);

static void skip_ws(parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static jval *new_val(jtype type) {
  jval *v = xcalloc(1, sizeof *v);
  v->type = type;
  return v;
}

/* A byte string under construction. */
typedef struct {
  char *data;
  size_t len, cap;
} sbuf;

static void sb_put(sbuf *s, const void *data, size_t n) {
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 16;
    while (s->len + n + 1 > cap) cap *= 2;
    s->data = xrealloc(s->data, cap);
    s->cap = cap;
  }
  memcpy(s->data + s->len, data, n);
  s->len += n;
  s->data[s->len] = '\0';
}

static void sb_utf8(sbuf *s, uint32_t cp) {
  unsigned char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (unsigned char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (unsigned char)(0xC0 | (cp >> 6));
    u[1] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (unsigned char)(0xE0 | (cp >> 12));
    u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (unsigned char)(0xF0 | (cp >> 18));
    u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  sb_put(s, u, n);
}

static int hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads 4 hex digits at p (bounds checked by the caller); -1 if one is not hex. */
static long hex4(const unsigned char *p) {
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(p[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/* Parses a string starting at the opening quote into a fresh NUL-terminated buffer; 0 on error. */
static int parse_string(parser *ps, char **out, size_t *out_len) {
  sbuf s = {0};
  ps->p++; /* the opening quote */
  for (;;) {
    /* Copy a run of plain bytes at once. */
    const unsigned char *run = ps->p;
    while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && *ps->p >= 0x20) ps->p++;
    if (ps->p > run) sb_put(&s, run, (size_t)(ps->p - run));
    if (ps->p >= ps->end || *ps->p < 0x20) goto fail; /* unterminated, or a raw control character */
    if (*ps->p == '"') {
      ps->p++;
      break;
    }
    /* A backslash. */
    if (ps->end - ps->p < 2) goto fail;
    unsigned char c = ps->p[1];
    ps->p += 2;
    char e;
    switch (c) {
      case '"': e = '"'; break;
      case '\\': e = '\\'; break;
      case '/': e = '/'; break;
      case 'b': e = '\b'; break;
      case 'f': e = '\f'; break;
      case 'n': e = '\n'; break;
      case 'r': e = '\r'; break;
      case 't': e = '\t'; break;
      case 'u': {
        if (ps->end - ps->p < 4) goto fail;
        long cp = hex4(ps->p);
        if (cp < 0) goto fail;
        ps->p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          /* A high surrogate: joined with a following \u low surrogate, else U+FFFD. Anything else
           * after it is left for the next iteration (it may be another escape, even invalid). */
          if (ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
            long lo = hex4(ps->p + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              ps->p += 6;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              cp = 0xFFFD;
            }
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD; /* a lone low surrogate */
        }
        sb_utf8(&s, (uint32_t)cp);
        continue;
      }
      default: goto fail;
    }
    sb_put(&s, &e, 1);
  }
  if (!s.data) s.data = xcalloc(1, 1); /* the empty string */
  *out = s.data;
  *out_len = s.len;
  return 1;
fail:
  free(s.data);
  return 0;
}

static jval *parse_number(parser *ps) {
  /* Validate the grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  const unsigned char *start = ps->p, *p = ps->p, *end = ps->end;
  if (p < end && *p == '-') p++;
  if (p >= end) return NULL;
  if (*p == '0') {
    p++;
  } else if (*p >= '1' && *p <= '9') {
    while (p < end && *p >= '0' && *p <= '9') p++;
  } else {
    return NULL;
  }
  if (p < end && *p == '.') {
    p++;
    if (p >= end || *p < '0' || *p > '9') return NULL;
    while (p < end && *p >= '0' && *p <= '9') p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-')) p++;
    if (p >= end || *p < '0' || *p > '9') return NULL;
    while (p < end && *p >= '0' && *p <= '9') p++;
  }
  /* A leading zero followed by more digits ("01") stops the grammar after "0": the caller then sees
   * a stray digit and rejects the document. */

  /* strtod on a NUL-terminated copy, with '.' swapped for the locale's decimal point. */
  size_t n = (size_t)(p - start);
  const char *dp = decimal_point();
  size_t dpn = strlen(dp);
  char small[128];
  size_t need = n + dpn + 1;
  char *buf = need <= sizeof small ? small : xrealloc(NULL, need);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (start[i] == '.') {
      memcpy(buf + k, dp, dpn);
      k += dpn;
    } else {
      buf[k++] = (char)start[i];
    }
  }
  buf[k] = '\0';
  char *stop;
  double d = strtod(buf, &stop); /* overflow gives ±inf (kept), underflow 0 or a subnormal */
  int whole = stop == buf + k;
  if (buf != small) free(buf);
  if (!whole) return NULL;
  ps->p = p;
  jval *v = new_val(J_NUM);
  v->num = d;
  return v;
}

static int match_literal(parser *ps, const char *lit) {
  size_t n = strlen(lit);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, lit, n) != 0) return 0;
  ps->p += n;
  return 1;
}

/* Appends to a growing item (and key) array. */
static void push_item(jval *v, size_t *cap, jval *item, char *key) {
  if (v->count == *cap) {
    *cap = *cap ? *cap * 2 : 4;
    v->items = xrealloc(v->items, *cap * sizeof *v->items);
    if (v->type == J_OBJ) v->keys = xrealloc(v->keys, *cap * sizeof *v->keys);
  }
  v->items[v->count] = item;
  if (v->type == J_OBJ) v->keys[v->count] = key;
  v->count++;
}

/* A key as stored in jval.keys: when it holds a NUL, only the part before it is kept, followed by
 * the terminator and a marker byte 1, so json_get can tell it apart from the truncated key. Keys
 * without a NUL get a marker byte 0. */
static char *make_key(char *s, size_t len) {
  size_t visible = strlen(s);
  s = xrealloc(s, visible + 2);
  s[visible] = '\0';
  s[visible + 1] = visible != len;
  return s;
}

static jval *parse_array(parser *ps, int depth) {
  jval *v = new_val(J_ARR);
  size_t cap = 0;
  ps->p++; /* '[' */
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == ']') {
    ps->p++;
    return v;
  }
  for (;;) {
    jval *item = parse_value(ps, depth);
    if (!item) goto fail;
    push_item(v, &cap, item, NULL);
    skip_ws(ps);
    if (ps->p >= ps->end) goto fail;
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == ']') {
      ps->p++;
      return v;
    }
    goto fail;
  }
fail:
  json_free(v);
  return NULL;
}

static jval *parse_object(parser *ps, int depth) {
  jval *v = new_val(J_OBJ);
  size_t cap = 0;
  ps->p++; /* '{' */
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == '}') {
    ps->p++;
    return v;
  }
  for (;;) {
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"') goto fail;
    char *key;
    size_t key_len;
    if (!parse_string(ps, &key, &key_len)) goto fail;
    key = make_key(key, key_len);
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':') {
      free(key);
      goto fail;
    }
    ps->p++;
    jval *item = parse_value(ps, depth);
    if (!item) {
      free(key);
      goto fail;
    }
    push_item(v, &cap, item, key);
    skip_ws(ps);
    if (ps->p >= ps->end) goto fail;
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == '}') {
      ps->p++;
      return v;
    }
    goto fail;
  }
fail:
  json_free(v);
  return NULL;
}

/* `depth` counts the arrays and objects around this value. */
static jval *parse_value(parser *ps, int depth) {
  skip_ws(ps);
  if (ps->p >= ps->end) return NULL;
  switch (*ps->p) {
    case '{':
      return depth < MAX_DEPTH ? parse_object(ps, depth + 1) : NULL;
    case '[':
      return depth < MAX_DEPTH ? parse_array(ps, depth + 1) : NULL;
    case '"': {
      char *s;
      size_t n;
      if (!parse_string(ps, &s, &n)) return NULL;
      jval *v = new_val(J_STR);
      v->str = s;
      v->len = n;
      return v;
    }
    case 't':
    case 'f': {
      int b = *ps->p == 't';
      if (!match_literal(ps, b ? "true" : "false")) return NULL;
      jval *v = new_val(J_BOOL);
      v->boolean = b;
      return v;
    }
    case 'n':
      return match_literal(ps, "null") ? new_val(J_NULL) : NULL;
    default:
      return parse_number(ps);
  }
}

jval *json_parse(const char *text, size_t len) {
  if (!text) return NULL;
  parser ps = {(const unsigned char *)text, (const unsigned char *)text + len};
  jval *v = parse_value(&ps, 0);
  if (!v) return NULL;
  skip_ws(&ps);
  if (ps.p != ps.end) { /* trailing garbage */
    json_free(v);
    return NULL;
  }
  return v;
}

void json_free(jval *v) {
  if (!v) return;
  for (size_t i = 0; i < v->count; i++) {
    json_free(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

const jval *json_get(const jval *obj, const char *key) {
  if (!obj || obj->type != J_OBJ || !key) return NULL;
  for (size_t i = obj->count; i-- > 0;) { /* from the end: the last of a repeated key wins */
    const char *k = obj->keys[i];
    if (strcmp(k, key) == 0 && k[strlen(k) + 1] == 0) return obj->items[i];
  }
  return NULL;
}

const char *json_str(const jval *v) { return v && v->type == J_STR ? v->str : NULL; }

int json_num(const jval *v, double *out) {
  if (!v || v->type != J_NUM) return 0;
  if (out) *out = v->num;
  return 1;
}

int json_true(const jval *v) { return v && v->type == J_BOOL && v->boolean; }

/* ---------------------------------------------------------------- writer */

/* The buffer always holds a terminating NUL after `len` bytes, so `data` is a C string. */
void jb_init(jbuf *b) {
  b->cap = 64;
  b->len = 0;
  b->data = xrealloc(NULL, b->cap);
  b->data[0] = '\0';
}

void jb_free(jbuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static void jb_reserve(jbuf *b, size_t n) {
  if (n > SIZE_MAX - b->len - 1) abort();
  size_t need = b->len + n + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void jb_bytes(jbuf *b, const void *data, size_t n) {
  jb_reserve(b, n);
  if (n) memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void jb_raw(jbuf *b, const char *text) { jb_bytes(b, text, strlen(text)); }

/* The length of the valid UTF-8 sequence at s (1..4), or 0 with *bad set to how many bytes form
 * the invalid subsequence to replace with one U+FFFD: the longest prefix of a valid sequence
 * (at least 1), as the WHATWG decoder (and Node's Buffer#toString) does. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad) {
  unsigned char c = s[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;      /* no overlongs */
    else if (c == 0xED) hi = 0x9F; /* no surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;      /* no overlongs */
    else if (c == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
  } else {
    *bad = 1; /* a continuation byte, C0, C1 or F5..FF */
    return 0;
  }
  for (size_t i = 1; i <= need; i++) {
    unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;
    if (i >= n || s[i] < min || s[i] > max) {
      *bad = i;
      return 0;
    }
  }
  return need + 1;
}

void jb_str(jbuf *b, const char *str, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  jb_reserve(b, n + 2);
  jb_bytes(b, "\"", 1);
  while (i < n) {
    /* Copy a run of bytes that need no escaping or replacement. */
    size_t run = i;
    for (;;) {
      if (run >= n) break;
      unsigned char c = s[run];
      if (c < 0x80) {
        if (c < 0x20 || c == '"' || c == '\\') break;
        run++;
      } else {
        size_t bad, k = utf8_seq(s + run, n - run, &bad);
        if (!k) break;
        run += k;
      }
    }
    if (run > i) jb_bytes(b, s + i, run - i);
    i = run;
    if (i >= n) break;
    unsigned char c = s[i];
    if (c >= 0x80) {
      size_t bad;
      utf8_seq(s + i, n - i, &bad);
      jb_bytes(b, "\xEF\xBF\xBD", 3);
      i += bad;
      continue;
    }
    char esc[6] = {'\\', 0};
    size_t en = 2;
    switch (c) {
      case '"': esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\b': esc[1] = 'b'; break;
      case '\f': esc[1] = 'f'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      default:
        memcpy(esc + 1, "u00", 3);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        en = 6;
    }
    jb_bytes(b, esc, en);
    i++;
  }
  jb_bytes(b, "\"", 1);
}

void jb_key(jbuf *b, const char *key) {
  jb_str(b, key, strlen(key));
  jb_bytes(b, ":", 1);
}

void jb_int(jbuf *b, long long n) {
  char tmp[32];
  int k = snprintf(tmp, sizeof tmp, "%lld", n);
  jb_bytes(b, tmp, (size_t)k);
}

void jb_num(jbuf *b, double n) {
  if (!isfinite(n)) {
    jb_bytes(b, "null", 4);
    return;
  }
  if (fabs(n) < 9007199254740992.0 && n == floor(n)) {
    jb_int(b, (long long)n); /* -0 prints as 0, as JSON.stringify does */
    return;
  }
  /* The shortest of 15, 16 and 17 significant digits that reads back as the same double (17
   * always does), so 0.1 prints as 0.1 rather than 0.10000000000000001. */
  char tmp[64];
  int k = 0;
  for (int prec = 15; prec <= 17; prec++) {
    k = snprintf(tmp, sizeof tmp, "%.*g", prec, n);
    if (prec == 17 || strtod(tmp, NULL) == n) break;
  }
  /* printf writes the locale's decimal point: JSON wants '.'. */
  const char *dp = decimal_point();
  size_t dpn = strlen(dp);
  char *at = (dpn == 1 && *dp == '.') ? NULL : strstr(tmp, dp);
  if (at) {
    jb_bytes(b, tmp, (size_t)(at - tmp));
    jb_bytes(b, ".", 1);
    jb_raw(b, at + dpn);
  } else {
    jb_bytes(b, tmp, (size_t)k);
  }
}

/* ---------------------------------------------------------------- base64 */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void b64_encode(jbuf *b, const unsigned char *data, size_t n) {
  jb_reserve(b, (n + 2) / 3 * 4);
  char *o = b->data + b->len;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
    *o++ = b64_alphabet[v >> 18];
    *o++ = b64_alphabet[(v >> 12) & 63];
    *o++ = b64_alphabet[(v >> 6) & 63];
    *o++ = b64_alphabet[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)data[i] << 16;
    *o++ = b64_alphabet[v >> 18];
    *o++ = b64_alphabet[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
    *o++ = b64_alphabet[v >> 18];
    *o++ = b64_alphabet[(v >> 12) & 63];
    *o++ = b64_alphabet[(v >> 6) & 63];
    *o++ = '=';
  }
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
}

/* The 6-bit value of a base64 character (both alphabets), -2 for whitespace, -1 otherwise. */
static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return -2;
  return -1;
}

/* Decoding stops at the first '=' (what follows it is ignored, as Node does); a final lone
 * character (6 bits, less than a byte) yields nothing, and leftover low bits are dropped. */
unsigned char *b64_decode(const char *s, size_t n, size_t *out_len) {
  unsigned char *out = xrealloc(NULL, n / 4 * 3 + 3);
  size_t len = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '=') break;
    int v = b64_value(c);
    if (v == -2) continue;
    if (v < 0) {
      free(out);
      if (out_len) *out_len = 0;
      return NULL;
    }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[len++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (out_len) *out_len = len;
  return out;
}
