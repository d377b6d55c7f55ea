/*
 * Checks of json.c: the parser, the writer and base64. Prints one line per failing check; exits 1
 * if any failed. Build (from sandbox-runner/native):
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -fsanitize=address,undefined \
 *     -o /tmp/json-test json.c test/json-test.c && /tmp/json-test
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../json.h"

#include "check.h"

/* xorshift64: reproducible pseudo-random numbers. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Parses from an exactly sized heap copy, so ASan catches any read past `len`. */
static jval *parse_n(const char *text, size_t len) {
  char *copy = malloc(len ? len : 1);
  if (!copy) abort();
  memcpy(copy, text, len);
  jval *v = json_parse(copy, len);
  free(copy);
  return v;
}

static jval *parse(const char *text) { return parse_n(text, strlen(text)); }

/* A printable rendering of bytes for failure messages (static buffer). */
static const char *show(const char *s, size_t n) {
  static char out[4][512];
  static int slot;
  char *o = out[slot++ & 3];
  size_t k = 0;
  for (size_t i = 0; i < n && k < 480; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7F && c != '\\') o[k++] = (char)c;
    else k += (size_t)snprintf(o + k, 8, "\\x%02x", c);
  }
  if (k >= 480) k += (size_t)snprintf(o + k, 8, "...");
  o[k] = '\0';
  return o;
}

/* ------------------------------------------------------------ parser: validity */

static void test_valid_invalid(void) {
  static const char *valid[] = {
      "null", "true", "false", "0", "-0", "1", "-1", "0.5", "-0.5", "1e3", "1E3", "1e+3", "1e-3",
      "1.25e-3", "-0.0e0", "123456789012345678901234567890", "\"\"", "\"abc\"", "[]", "{}", "[1]",
      "[1,2,3]", " \t\r\n[ 1 , \"a\" , null , true , false , { } , [ ] ] \t\r\n",
      "{\"a\":1}", "{ \"a\" : 1 , \"b\" : [ ] }", "{\"\":0}", "[[[]]]", "\"\\/\"",
      "\"\x7f\"", "\"\xff\xfe\"", "\"\xc3\xa9\"", "1e400", "-1e400", "1e-400",
  };
  for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
    jval *v = parse(valid[i]);
    CHECK(v != NULL, "valid document rejected: %s", show(valid[i], strlen(valid[i])));
    json_free(v);
  }

  static const char *invalid[] = {
      "", " ", "\t\n", "01", "-01", "00", "1.", ".5", "+1", "1e", "1e+", "1E-", "-", "--1", "0x10",
      "1.e3", "-.5", "NaN", "Infinity", "-Infinity", "tru", "nul", "fals", "truex", "nulll", "True",
      "NULL", "[", "]", "[1", "[1,]", "[,1]", "[1 2]", "[1,,2]", "{", "}", "{,}", "{\"a\"}",
      "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{1:1}", "{\"a\":1", "{\"a\":1}}", "'a'",
      "\"abc", "\"\\\"", "\"\\x\"", "\"\\a\"", "\"\\U0041\"", "\"\\u12\"", "\"\\u12G4\"",
      "\"\\u\"", "\"a\tb\"", "\"a\nb\"", "\"\x01\"", "\"\x1f\"", "1 2", "[1]x", "{}{}", "[] []",
      "\f1", "\v1", "\xef\xbb\xbf" "1", "1 //c", "/*c*/1", "\"\\ud83d\\uZZZZ\"", "[\"a\":1]",
      "{\"a\",1}", "1.0.0", "1e1.5", "- 1", "\"\\", "\\u0041",
  };
  for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
    jval *v = parse(invalid[i]);
    CHECK(v == NULL, "invalid document accepted: %s", show(invalid[i], strlen(invalid[i])));
    json_free(v);
  }

  /* NUL bytes in the input: never whitespace, never allowed raw in a string. */
  jval *v = parse_n("[1]\0", 4);
  CHECK(v == NULL, "trailing NUL accepted");
  json_free(v);
  v = parse_n("\"a\0b\"", 5);
  CHECK(v == NULL, "raw NUL inside a string accepted");
  json_free(v);
  /* Only `len` bytes count. */
  v = parse_n("[1]]]]", 3);
  CHECK(v && v->type == J_ARR && v->count == 1, "len not honoured");
  json_free(v);
  CHECK(json_parse(NULL, 0) == NULL, "NULL text accepted");
}

/* ------------------------------------------------------------ parser: values */

static void test_scalars(void) {
  jval *v = parse("null");
  CHECK(v && v->type == J_NULL, "null");
  CHECK(!json_true(v) && json_str(v) == NULL, "null accessors");
  json_free(v);

  v = parse(" true ");
  CHECK(v && v->type == J_BOOL && v->boolean == 1 && json_true(v), "true");
  json_free(v);
  v = parse("false");
  CHECK(v && v->type == J_BOOL && v->boolean == 0 && !json_true(v), "false");
  json_free(v);

  struct {
    const char *text;
    double want;
  } nums[] = {
      {"0", 0},       {"-0", -0.0},       {"1", 1},           {"-1", -1},
      {"0.1", 0.1},   {"1.5e3", 1500},    {"1E-2", 0.01},     {"-2.5E+2", -250},
      {"123456789", 123456789},           {"9007199254740993", 9007199254740992.0},
      {"12345678901234567890", 12345678901234567890.0},   {"1e-400", 0},
      {"2.2250738585072014e-308", 2.2250738585072014e-308},
      {"4.9e-324", 4.9e-324},             {"1.7976931348623157e308", 1.7976931348623157e308},
  };
  for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
    double d = -12345;
    v = parse(nums[i].text);
    CHECK(v && v->type == J_NUM, "number %s not parsed", nums[i].text);
    CHECK(json_num(v, &d) && d == nums[i].want && signbit(d) == signbit(nums[i].want),
          "number %s: got %.17g", nums[i].text, d);
    json_free(v);
  }
  double d = 0;
  v = parse("1e400");
  CHECK(v && json_num(v, &d) && isinf(d) && d > 0, "1e400 should be +inf, got %g", d);
  json_free(v);
  v = parse("-1e400");
  CHECK(v && json_num(v, &d) && isinf(d) && d < 0, "-1e400 should be -inf, got %g", d);
  json_free(v);
  v = parse("-0");
  CHECK(v && json_num(v, &d) && d == 0 && signbit(d), "-0 should keep its sign");
  json_free(v);
  v = parse("\"1\"");
  CHECK(v && !json_num(v, &d), "json_num on a string");
  json_free(v);
  CHECK(!json_num(NULL, &d) && !json_true(NULL) && json_str(NULL) == NULL && json_get(NULL, "a") == NULL,
        "accessors on NULL");
}

/* Parses `doc` (a JSON string) and compares its bytes with want/want_len. */
static void check_string(const char *doc, const char *want, size_t want_len) {
  jval *v = parse(doc);
  CHECK(v && v->type == J_STR, "string %s not parsed", doc);
  if (v && v->type == J_STR) {
    CHECK(v->len == want_len && memcmp(v->str, want, want_len) == 0 && v->str[v->len] == '\0',
          "string %s: got \"%s\" (%zu), want \"%s\" (%zu)", doc, show(v->str, v->len), v->len,
          show(want, want_len), want_len);
    CHECK(json_str(v) == v->str, "json_str");
  }
  json_free(v);
}
#define STR(doc, lit) check_string(doc, lit, sizeof lit - 1)

static void test_strings(void) {
  STR("\"\"", "");
  STR("\"abc\"", "abc");
  STR("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
  STR("\"\\u0041\\u0062\"", "Ab");
  STR("\"\\u00e9\\u00E9\"", "\xc3\xa9\xc3\xa9");
  STR("\"\\u07ff\\u0800\"", "\xdf\xbf\xe0\xa0\x80");
  STR("\"\\u20AC\"", "\xe2\x82\xac");
  STR("\"\\uffff\"", "\xef\xbf\xbf");
  STR("\"\\u0000\"", "\0");
  STR("\"a\\u0000b\"", "a\0b");
  STR("\"\\u001f\\u007f\"", "\x1f\x7f");
  /* Surrogate pairs. */
  STR("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
  STR("\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80");
  STR("\"\\ud800\\udc00\"", "\xf0\x90\x80\x80");
  STR("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf");
  /* Lone or misordered surrogates become U+FFFD. */
  STR("\"\\ud83d\"", "\xef\xbf\xbd");
  STR("\"\\ude00\"", "\xef\xbf\xbd");
  STR("\"\\ud83dx\"", "\xef\xbf\xbdx");
  STR("\"\\ud83d\\u0041\"", "\xef\xbf\xbd" "A");
  STR("\"\\ud83d\\n\"", "\xef\xbf\xbd\n");
  STR("\"\\ude00\\ud83d\"", "\xef\xbf\xbd\xef\xbf\xbd");
  STR("\"\\ud83d\\ud83d\\ude00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80");
  STR("\"x\\ud83d\"", "x\xef\xbf\xbd");
  /* Raw bytes pass through, valid UTF-8 or not. */
  STR("\"\xc3\xa9\xf0\x9f\x98\x80\"", "\xc3\xa9\xf0\x9f\x98\x80");
  STR("\"\xff\xc0\xaf\xed\xa0\x80\"", "\xff\xc0\xaf\xed\xa0\x80");
  STR("\"\x7f\"", "\x7f");
  /* A long string (buffer growth). */
  char doc[5003], want[5001];
  doc[0] = '"';
  for (int i = 0; i < 5000; i++) doc[i + 1] = want[i] = (char)('a' + i % 26);
  doc[5001] = '"';
  doc[5002] = '\0';
  want[5000] = '\0';
  check_string(doc, want, 5000);
}

static void test_containers(void) {
  jval *v = parse("[1, \"two\", [3], {\"four\": 4}, null]");
  CHECK(v && v->type == J_ARR && v->count == 5, "array");
  if (v && v->count == 5) {
    CHECK(v->items[0]->type == J_NUM && v->items[0]->num == 1, "array[0]");
    CHECK(v->items[1]->type == J_STR && strcmp(v->items[1]->str, "two") == 0, "array[1]");
    CHECK(v->items[2]->type == J_ARR && v->items[2]->count == 1, "array[2]");
    CHECK(v->items[3]->type == J_OBJ && json_get(v->items[3], "four") != NULL, "array[3]");
    CHECK(v->items[4]->type == J_NULL, "array[4]");
    CHECK(json_get(v, "four") == NULL, "json_get on an array");
  }
  json_free(v);

  /* Many items (growth). */
  jbuf b;
  jb_init(&b);
  jb_raw(&b, "[");
  for (int i = 0; i < 1000; i++) {
    if (i) jb_raw(&b, ",");
    jb_int(&b, i);
  }
  jb_raw(&b, "]");
  v = parse_n(b.data, b.len);
  CHECK(v && v->count == 1000 && v->items[999]->num == 999, "1000 items");
  json_free(v);
  jb_free(&b);

  /* Keys keep their order; the last of a repeated key wins. */
  v = parse("{\"a\":1,\"b\":2,\"a\":3,\"\":4}");
  CHECK(v && v->type == J_OBJ && v->count == 4, "object");
  if (v && v->count == 4) {
    CHECK(!strcmp(v->keys[0], "a") && !strcmp(v->keys[1], "b") && !strcmp(v->keys[2], "a") &&
              !strcmp(v->keys[3], ""),
          "key order");
    double d = 0;
    CHECK(json_num(json_get(v, "a"), &d) && d == 3, "repeated key: got %g", d);
    CHECK(json_num(json_get(v, "b"), &d) && d == 2, "key b");
    CHECK(json_num(json_get(v, ""), &d) && d == 4, "empty key");
    CHECK(json_get(v, "c") == NULL, "absent key");
    CHECK(json_get(v, "A") == NULL, "keys are case-sensitive");
  }
  json_free(v);

  /* Escaped keys; a key holding NUL never matches. */
  v = parse("{\"\\u0061\\n\":1,\"x\\u0000y\":2,\"p\":3,\"p\\u0000\":4}");
  CHECK(v && v->count == 4, "escaped keys");
  if (v && v->count == 4) {
    double d = 0;
    CHECK(json_num(json_get(v, "a\n"), &d) && d == 1, "escaped key");
    CHECK(json_get(v, "x") == NULL, "key with NUL matched its prefix");
    CHECK(json_get(v, "x\\u0000y") == NULL, "key with NUL matched");
    CHECK(!strcmp(v->keys[1], "x"), "key with NUL is truncated at it: %s", v->keys[1]);
    CHECK(json_num(json_get(v, "p"), &d) && d == 3, "key with NUL hid an earlier key: %g", d);
  }
  json_free(v);

  v = parse("{\"a\":{\"b\":{\"c\":[true]}}}");
  const jval *c = json_get(json_get(json_get(v, "a"), "b"), "c");
  CHECK(c && c->type == J_ARR && c->count == 1 && json_true(c->items[0]), "nested get");
  json_free(v);
}

/* `n` nested arrays (or objects) around a 1. */
static char *nested(int n, int objects) {
  char *s = malloc((size_t)n * 6 + 2);
  if (!s) abort();
  size_t k = 0;
  for (int i = 0; i < n; i++) {
    if (objects) {
      memcpy(s + k, "{\"a\":", 5);
      k += 5;
    } else {
      s[k++] = '[';
    }
  }
  s[k++] = '1';
  for (int i = 0; i < n; i++) s[k++] = objects ? '}' : ']';
  s[k] = '\0';
  return s;
}

static void test_depth(void) {
  for (int objects = 0; objects <= 1; objects++) {
    for (int n = 62; n <= 66; n++) {
      char *s = nested(n, objects);
      jval *v = parse(s);
      if (n <= 64) CHECK(v != NULL, "%d nested %s rejected", n, objects ? "objects" : "arrays");
      else CHECK(v == NULL, "%d nested %s accepted", n, objects ? "objects" : "arrays");
      if (v && n == 64) {
        /* Walk down to the 1. */
        const jval *p = v;
        int levels = 0;
        while (p && (p->type == J_ARR || p->type == J_OBJ) && p->count == 1) {
          p = p->items[0];
          levels++;
        }
        CHECK(levels == 64 && p && p->type == J_NUM, "depth walk: %d", levels);
      }
      json_free(v);
      free(s);
    }
  }
  /* Very deep input must fail cleanly (no stack overflow). */
  size_t n = 200000;
  char *s = malloc(n);
  if (!s) abort();
  memset(s, '[', n);
  jval *v = parse_n(s, n);
  CHECK(v == NULL, "200000 '[' accepted");
  json_free(v);
  free(s);
  /* 64 levels of mixed containers with siblings. */
  jbuf b;
  jb_init(&b);
  for (int i = 0; i < 32; i++) jb_raw(&b, "[0,{\"k\":");
  jb_raw(&b, "null");
  for (int i = 0; i < 32; i++) jb_raw(&b, "},1]");
  v = parse_n(b.data, b.len);
  CHECK(v != NULL, "64 mixed levels rejected");
  json_free(v);
  jb_raw(&b, "x");
  v = parse_n(b.data, b.len);
  CHECK(v == NULL, "trailing garbage after a deep document accepted");
  json_free(v);
  jb_free(&b);
}

/* ------------------------------------------------------------ writer */

/* 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t k;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      k = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      k = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      k = 3;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + k >= n) return 0; /* truncated */
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i + j] & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000)) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
    i += k + 1;
  }
  return 1;
}

/* jb_str(in) must give exactly `want` (the quoted JSON text). */
static void check_jb_str(const char *in, size_t n, const char *want) {
  jbuf b;
  jb_init(&b);
  jb_str(&b, in, n);
  CHECK(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0, "jb_str(%s) = %s, want %s",
        show(in, n), show(b.data, b.len), show(want, strlen(want)));
  CHECK(b.data[b.len] == '\0', "jbuf not NUL-terminated");
  jb_free(&b);
}
#define JBS(lit, want) check_jb_str(lit, sizeof lit - 1, want)
#define FFFD "\xef\xbf\xbd"

static void test_jb_str(void) {
  JBS("", "\"\"");
  JBS("abc", "\"abc\"");
  JBS("\"\\/", "\"\\\"\\\\/\"");
  JBS("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
  JBS("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
  JBS("a\0b", "\"a\\u0000b\"");
  JBS("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  JBS("\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\"\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
  /* Invalid UTF-8: one U+FFFD per maximal invalid subpart (as Node's decoder). */
  JBS("\xff", "\"" FFFD "\"");
  JBS("\xfe\xf5\xf8", "\"" FFFD FFFD FFFD "\"");
  JBS("\x80", "\"" FFFD "\"");
  JBS("\x80\xbf", "\"" FFFD FFFD "\"");
  JBS("\xc0\xaf", "\"" FFFD FFFD "\"");              /* overlong '/' */
  JBS("\xc1\xbf", "\"" FFFD FFFD "\"");              /* overlong */
  JBS("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");     /* overlong */
  JBS("\xf0\x80\x80\xaf", "\"" FFFD FFFD FFFD FFFD "\""); /* overlong */
  JBS("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");     /* U+D800 */
  JBS("\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"");     /* U+DFFF */
  JBS("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* U+110000 */
  JBS("\xf0\x9f\x98", "\"" FFFD "\"");               /* truncated at the end */
  JBS("\xf0\x9f\x98" "A", "\"" FFFD "A\"");
  JBS("\xe2\x82x", "\"" FFFD "x\"");
  JBS("\xc3", "\"" FFFD "\"");
  JBS("\xc3\"", "\"" FFFD "\\\"\"");
  JBS("a\xffz\xc3\xa9", "\"a" FFFD "z\xc3\xa9\"");
  JBS("\xe2\x82\xe2\x82\xac", "\"" FFFD "\xe2\x82\xac\"");

  /* Random bytes: the output is valid UTF-8, parses, and valid strings round-trip exactly. */
  for (int iter = 0; iter < 2000; iter++) {
    unsigned char in[64];
    size_t n = rnd() % sizeof in;
    int mode = iter % 3;
    for (size_t i = 0; i < n; i++) {
      uint64_t r = rnd();
      if (mode == 0) in[i] = (unsigned char)r;                                /* anything */
      else if (mode == 1) in[i] = (unsigned char)(r % 0x80);                  /* ASCII and controls */
      else in[i] = (unsigned char)((r & 1) ? 0x80 | (r >> 8 & 0x7F) : 0xC0 | (r >> 8 & 0x3F)); /* UTF-8ish */
    }
    jbuf b;
    jb_init(&b);
    jb_str(&b, (const char *)in, n);
    CHECK(valid_utf8((const unsigned char *)b.data, b.len), "jb_str output not UTF-8: %s",
          show(b.data, b.len));
    jval *v = parse_n(b.data, b.len);
    CHECK(v && v->type == J_STR, "jb_str output does not parse: %s", show(b.data, b.len));
    if (v && v->type == J_STR) {
      CHECK(valid_utf8((const unsigned char *)v->str, v->len), "reparsed jb_str not UTF-8");
      if (valid_utf8(in, n))
        CHECK(v->len == n && memcmp(v->str, in, n) == 0, "round trip of %s", show((char *)in, n));
    }
    json_free(v);
    jb_free(&b);
  }
}

static void check_num(double d, const char *want) {
  jbuf b;
  jb_init(&b);
  jb_num(&b, d);
  CHECK(strcmp(b.data, want) == 0, "jb_num(%.17g) = %s, want %s", d, b.data, want);
  jb_free(&b);
}

static void test_numbers_out(void) {
  check_num(0, "0");
  check_num(-0.0, "0");
  check_num(1, "1");
  check_num(-1, "-1");
  check_num(42, "42");
  check_num(1.5, "1.5");
  check_num(-2.25, "-2.25");
  check_num(0.1, "0.1");
  check_num(0.1 + 0.2, "0.30000000000000004");
  check_num(1.0 / 3, "0.3333333333333333");
  check_num(1e-7, "1e-07");
  check_num(9007199254740991.0, "9007199254740991");
  check_num(-9007199254740991.0, "-9007199254740991");
  check_num(9007199254740992.0, "9007199254740992");
  check_num(1e21, "1e+21");
  check_num(1.7976931348623157e308, "1.7976931348623157e+308");
  check_num(5e-324, "4.94065645841247e-324"); /* 15 digits already read back */
  check_num(NAN, "null");
  check_num(INFINITY, "null");
  check_num(-INFINITY, "null");

  /* Any finite double reads back as itself. */
  for (int i = 0; i < 5000; i++) {
    uint64_t bits = rnd();
    double d;
    if (i % 2) {
      memcpy(&d, &bits, sizeof d);
    } else {
      d = (double)(int64_t)(bits >> (bits % 60)) / (double)(1ull << (bits % 20));
    }
    if (!isfinite(d)) continue;
    jbuf b;
    jb_init(&b);
    jb_num(&b, d);
    jval *v = parse_n(b.data, b.len);
    double back = NAN;
    CHECK(v && json_num(v, &back) && back == d, "jb_num(%.17g) = %s reads back as %.17g", d, b.data, back);
    json_free(v);
    jb_free(&b);
  }

  jbuf b;
  jb_init(&b);
  jb_int(&b, 0);
  jb_raw(&b, ",");
  jb_int(&b, -9223372036854775807LL - 1);
  jb_raw(&b, ",");
  jb_int(&b, 9223372036854775807LL);
  CHECK(strcmp(b.data, "0,-9223372036854775808,9223372036854775807") == 0, "jb_int: %s", b.data);
  jb_free(&b);
}

static void test_buffer(void) {
  jbuf b;
  jb_init(&b);
  CHECK(b.len == 0 && b.data && b.data[0] == '\0', "empty jbuf");
  jb_raw(&b, "{");
  jb_key(&b, "name");
  jb_str(&b, "x", 1);
  jb_raw(&b, ",");
  jb_key(&b, "n");
  jb_num(&b, 2.5);
  jb_raw(&b, "}");
  CHECK(strcmp(b.data, "{\"name\":\"x\",\"n\":2.5}") == 0, "object text: %s", b.data);
  jval *v = parse_n(b.data, b.len);
  CHECK(v && json_get(v, "name") && json_get(v, "n"), "written object parses");
  json_free(v);
  jb_bytes(&b, "a\0b", 3);
  CHECK(b.len == 23 && memcmp(b.data + 20, "a\0b", 4) == 0, "jb_bytes with NUL");
  jb_bytes(&b, NULL, 0);
  CHECK(b.len == 23, "jb_bytes of nothing");
  for (int i = 0; i < 100000; i++) jb_bytes(&b, "0123456789", 10);
  CHECK(b.len == 1000023 && b.cap > b.len && b.data[b.len] == '\0' &&
            memcmp(b.data + b.len - 10, "0123456789", 10) == 0,
        "growth");
  jb_free(&b);
  CHECK(b.data == NULL && b.len == 0, "jb_free resets");
  jb_free(&b); /* twice is harmless */
}

/* ------------------------------------------------------------ base64 */

static void check_b64_decode(const char *in, const char *want, size_t want_len) {
  size_t n = 12345;
  unsigned char *out = b64_decode(in, strlen(in), &n);
  if (!want) {
    CHECK(out == NULL, "b64_decode(%s) should fail", show(in, strlen(in)));
  } else {
    CHECK(out && n == want_len && memcmp(out, want, want_len) == 0, "b64_decode(%s) = %s (%zu)",
          show(in, strlen(in)), out ? show((char *)out, n) : "NULL", n);
  }
  free(out);
}
#define B64D(in, lit) check_b64_decode(in, lit, sizeof lit - 1)

static void test_base64(void) {
  static const char *vec[][2] = {{"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},
                                 {"foo", "Zm9v"},    {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                 {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < sizeof vec / sizeof *vec; i++) {
    jbuf b;
    jb_init(&b);
    b64_encode(&b, (const unsigned char *)vec[i][0], strlen(vec[i][0]));
    CHECK(strcmp(b.data, vec[i][1]) == 0, "b64_encode(%s) = %s", vec[i][0], b.data);
    jb_free(&b);
    check_b64_decode(vec[i][1], vec[i][0], strlen(vec[i][0]));
  }
  B64D("Zm9vYg", "foob");         /* missing padding */
  B64D("Zm9vYmE", "fooba");
  B64D("Zm9vYg=", "foob");
  B64D(" Zm9v\nYmFy\r\n", "foobar"); /* whitespace */
  B64D("Z m 9\tv", "foo");
  B64D("  \n", "");
  B64D("+/8=", "\xfb\xff");
  B64D("-_8", "\xfb\xff");          /* URL-safe */
  B64D("-_8=", "\xfb\xff");
  B64D("+_-/", "\xfb\xff\xbf");     /* mixed alphabets */
  B64D("Zg==*", "f");               /* decoding stops at '=' */
  B64D("=Zm9v", "");
  B64D("Z", "");                    /* 6 bits: no byte */
  B64D("Zm9vY", "foo");
  check_b64_decode("*", NULL, 0);
  check_b64_decode("Zm9v*", NULL, 0);
  check_b64_decode("Zm.9v", NULL, 0);
  check_b64_decode("Zm9v\x80", NULL, 0);
  size_t n = 7;
  unsigned char *out = b64_decode("", 0, &n);
  CHECK(out != NULL && n == 0, "empty decode returns a buffer");
  free(out);
  out = b64_decode("Zm9vYmFy", 4, &n); /* only n bytes count */
  CHECK(out && n == 3 && memcmp(out, "foo", 3) == 0, "b64_decode honours n");
  free(out);

  /* Round trips of every length 0..300, plain, URL-safe without padding, and with whitespace. */
  for (size_t len = 0; len <= 300; len++) {
    unsigned char data[300];
    for (size_t i = 0; i < len; i++) data[i] = (unsigned char)rnd();
    jbuf b;
    jb_init(&b);
    jb_raw(&b, "<");
    b64_encode(&b, data, len);
    const char *enc = b.data + 1;
    size_t enc_len = b.len - 1;
    CHECK(enc_len == (len + 2) / 3 * 4 && strlen(enc) == enc_len, "encoded length for %zu", len);
    size_t out_len = 0;
    out = b64_decode(enc, enc_len, &out_len);
    CHECK(out && out_len == len && memcmp(out, data, len) == 0, "round trip of %zu bytes", len);
    free(out);

    char *alt = malloc(enc_len * 2 + 1);
    if (!alt) abort();
    size_t k = 0, w = 0;
    for (size_t i = 0; i < enc_len; i++) {
      char c = enc[i];
      if (c == '=') break;
      alt[k++] = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    out = b64_decode(alt, k, &out_len);
    CHECK(out && out_len == len && memcmp(out, data, len) == 0, "URL-safe round trip of %zu", len);
    free(out);
    for (size_t i = 0; i < enc_len; i++) {
      alt[w++] = enc[i];
      if (rnd() % 5 == 0) alt[w++] = " \n\r\t"[rnd() % 4];
    }
    out = b64_decode(alt, w, &out_len);
    CHECK(out && out_len == len && memcmp(out, data, len) == 0, "round trip with whitespace of %zu", len);
    free(out);
    free(alt);
    jb_free(&b);
  }
}

/* ------------------------------------------------------------ fuzzing */

/* Writes a parsed tree back as JSON with the writer. */
static void write_val(jbuf *b, const jval *v) {
  switch (v->type) {
    case J_NULL: jb_raw(b, "null"); break;
    case J_BOOL: jb_raw(b, v->boolean ? "true" : "false"); break;
    case J_NUM: jb_num(b, v->num); break;
    case J_STR: jb_str(b, v->str, v->len); break;
    case J_ARR:
      jb_raw(b, "[");
      for (size_t i = 0; i < v->count; i++) {
        if (i) jb_raw(b, ",");
        write_val(b, v->items[i]);
      }
      jb_raw(b, "]");
      break;
    case J_OBJ:
      jb_raw(b, "{");
      for (size_t i = 0; i < v->count; i++) {
        if (i) jb_raw(b, ",");
        jb_str(b, v->keys[i], strlen(v->keys[i]));
        jb_raw(b, ":");
        write_val(b, v->items[i]);
      }
      jb_raw(b, "}");
      break;
  }
}

static void test_fuzz(void) {
  static const char seed[] =
      "{\"op\":\"write\",\"files\":[{\"path\":\"a/b.txt\",\"data\":\"aGVsbG8=\",\"mode\":420},"
      "{\"path\":\"\\u00e9\\ud83d\\ude00\\n\",\"size\":-1.5e-3,\"ok\":true,\"x\":null}],"
      "\"deep\":[[[[{\"k\":[0,1e400,-0,12345678901234567890]}]]]],\"s\":\"\\\"\\\\\\/\\b\\f\\r\\t\","
      "\"z\":\"\\u0000\",\"f\":false, \"e\": {} , \"a\" : [ ] }";
  static const char interesting[] = "{}[]\":,\\u0123456789abcdefABCDEF-+.eE tfnrlsx\t\n\r\x01\x80\xff";
  size_t accepted = 0;
  jval *v = parse(seed);
  CHECK(v != NULL, "fuzz seed rejected");
  json_free(v);
  for (int iter = 0; iter < 5000; iter++) {
    char doc[1024];
    size_t n = sizeof seed - 1;
    memcpy(doc, seed, n);
    int edits = 1 + (int)(rnd() % 4);
    for (int e = 0; e < edits && n > 0; e++) {
      size_t at = rnd() % n;
      switch (rnd() % 6) {
        case 0: doc[at] = (char)rnd(); break; /* replace with any byte */
        case 1: doc[at] = interesting[rnd() % (sizeof interesting - 1)]; break;
        case 2: /* delete */
          memmove(doc + at, doc + at + 1, n - at - 1);
          n--;
          break;
        case 3: /* insert */
          if (n < sizeof doc - 1) {
            memmove(doc + at + 1, doc + at, n - at);
            doc[at] = interesting[rnd() % (sizeof interesting - 1)];
            n++;
          }
          break;
        case 4: n = at; break; /* truncate */
        case 5: {              /* duplicate a slice */
          size_t len = rnd() % 16;
          if (at + len > n) len = n - at;
          if (n + len < sizeof doc) {
            memmove(doc + at + len, doc + at, n - at);
            n += len;
          }
          break;
        }
      }
    }
    v = parse_n(doc, n);
    if (v) {
      accepted++;
      /* What parses, written back, parses again. */
      jbuf b;
      jb_init(&b);
      write_val(&b, v);
      jval *again = parse_n(b.data, b.len);
      CHECK(again != NULL, "rewritten fuzz document does not parse: %s", show(b.data, b.len));
      json_free(again);
      jb_free(&b);
      json_free(v);
    }
  }
  checks++; /* reaching here without a crash is the check */
  CHECK(accepted > 50 && accepted < 4900, "fuzz accepted %zu of 5000 mutations", accepted);
}

/* Numbers must not depend on the locale's decimal point (only when such a locale exists). */
static void test_locale(void) {
  static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "de_DE"};
  const char *set = NULL;
  for (size_t i = 0; i < sizeof names / sizeof *names && !set; i++) set = setlocale(LC_NUMERIC, names[i]);
  if (!set) return;
  jval *v = parse("[1.5,2.25e1]");
  CHECK(v && v->count == 2 && v->items[0]->num == 1.5 && v->items[1]->num == 22.5, "1.5 under %s", set);
  json_free(v);
  check_num(0.5, "0.5");
  check_num(-1234.125, "-1234.125");
  setlocale(LC_NUMERIC, "C");
}

int main(void) {
  test_valid_invalid();
  test_scalars();
  test_strings();
  test_containers();
  test_depth();
  test_jb_str();
  test_numbers_out();
  test_buffer();
  test_base64();
  test_fuzz();
  test_locale();
  if (failures) {
    printf("json-test: %d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("json-test: %d checks passed\n", checks);
  return 0;
}
