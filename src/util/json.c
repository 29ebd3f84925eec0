/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict RFC 8259 reader.
 *
 * Memory: every node, string, number text and child array of one document is
 * carved from an arena of malloc'd chunks that the document owns, so a failed
 * parse and sg_json_free release everything in one walk of the chunk list.
 * While a container is open its children collect in a scratch vector of its
 * depth (reused by later containers at that depth) and move to the arena when
 * it closes; a child container uses the next depth's vector, so the parent's
 * vector never moves under the child being parsed.
 *
 * Recursion: parse_value -> parse_array/parse_object -> parse_value is at most
 * SG_JSON_MAX_DEPTH deep, each frame a few words.
 *
 * Sizes: the document is at most SG_JSON_MAX_BYTES, so string and number
 * lengths derived from it cannot overflow; element counts and allocation
 * sizes are still checked before every multiplication. The worst case for
 * memory, 64 MiB of "[0,0,0,...]", peaks near 1.6 GB (24-byte nodes in the
 * arena plus the scratch vector they were collected in).
 */
#include "util/json.h"
#include "util/json_node.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spillguard/err.h"
#include "util/file.h"
#include "util/utf8.h"
#include "util/misuse.h"

#define CHUNK_MIN ((size_t)4096)
#define CHUNK_MAX ((size_t)1 << 20)
#define REASON_BYTES 192

/* Every length and count is below the document size, so len cannot overflow. */
_Static_assert(SG_JSON_MAX_BYTES < UINT32_MAX, "sg_json.len is 32 bits");

typedef struct chunk {
	struct chunk *next;
	size_t cap, used;
	max_align_t data[]; /* cap bytes */
} chunk;

/* The root lives inside the document so that sg_json_free can find the arena. */
typedef struct doc {
	chunk *chunks;
	size_t next_cap;
	sg_json root;
} doc;

/* An object member while its object is open: the key and where it started. */
typedef struct member {
	key k;
	size_t pos;
} member;

typedef struct level {
	sg_json *vals;
	size_t vals_cap;
	member *mems;
	size_t mems_cap;
} level;

typedef struct parser {
	const unsigned char *start, *p, *end;
	doc *d;
	level lv[SG_JSON_MAX_DEPTH]; /* a container at depth k uses lv[k - 1] */
	size_t err_pos;
	char reason[REASON_BYTES];
} parser;

/* --- arena -------------------------------------------------------------- */

static void *arena_alloc(doc *d, size_t size, size_t align)
{
	chunk *c = d->chunks;

	if (c != NULL) {
		size_t off = (c->used + align - 1) & ~(align - 1);
		if (off <= c->cap && size <= c->cap - off) {
			c->used = off + size;
			return (unsigned char *)c->data + off;
		}
	}
	size_t cap = size > d->next_cap ? size : d->next_cap;
	if (cap > SIZE_MAX - sizeof(chunk))
		return NULL;
	c = malloc(sizeof(chunk) + cap);
	if (c == NULL)
		return NULL;
	c->next = d->chunks;
	c->cap = cap;
	c->used = size;
	d->chunks = c;
	if (d->next_cap < CHUNK_MAX)
		d->next_cap *= 2;
	return c->data;
}

static void doc_free(doc *d)
{
	if (d == NULL)
		return;
	chunk *c = d->chunks;
	while (c != NULL) {
		chunk *next = c->next;
		free(c);
		c = next;
	}
	free(d);
}

/* Grows *v (elements of size elem) to hold at least need; 0 or SG_ERR_NOMEM. */
static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap < 8 ? 8 : *cap;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return SG_ERR_NOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / elem)
		return SG_ERR_NOMEM;
	void *p = realloc(*v, n * elem);
	if (p == NULL)
		return SG_ERR_NOMEM;
	*v = p;
	*cap = n;
	return 0;
}

/* --- errors ------------------------------------------------------------- */

/* Records the first error (position and reason) and returns code. */
__attribute__((format(printf, 4, 5)))
static int fail(parser *ps, const unsigned char *at, int code, const char *fmt, ...)
{
	va_list ap;

	ps->err_pos = (size_t)(at - ps->start);
	va_start(ap, fmt);
	vsnprintf(ps->reason, sizeof ps->reason, fmt, ap);
	va_end(ap);
	return code;
}

static int fail_nomem(parser *ps)
{
	return fail(ps, ps->p, SG_ERR_NOMEM, "out of memory");
}

/* "unexpected X, expected <what>" about the byte at ps->p. */
static int fail_unexpected(parser *ps, const char *what)
{
	if (ps->p == ps->end)
		return fail(ps, ps->p, SG_ERR_PARSE, "unexpected end of input, expected %s", what);
	unsigned char c = *ps->p;
	if (c >= 0x20 && c < 0x7f)
		return fail(ps, ps->p, SG_ERR_PARSE, "unexpected character '%c', expected %s", c, what);
	return fail(ps, ps->p, SG_ERR_PARSE, "unexpected byte 0x%02x, expected %s", c, what);
}

/* Lines count '\n'; columns count characters (UTF-8 lead bytes), both from 1. */
static void line_col(const unsigned char *s, size_t pos, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			++*line;
			*col = 1;
		} else if ((s[i] & 0xc0) != 0x80) {
			++*col;
		}
	}
}

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* Writes a key for an error message: quoted, escaped, cut after 48 bytes. */
static void quote_key(char out[static 80], const char *s, size_t len)
{
	size_t n = 0;

	out[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (n >= 56 && (c & 0xc0) != 0x80) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(out + n, 7, "\\u%04x", (unsigned)c);
		} else {
			if (c == '"' || c == '\\')
				out[n++] = '\\';
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	out[n] = '\0';
}

/* --- scalars ------------------------------------------------------------ */

static void skip_ws(parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int parse_literal(parser *ps, sg_json *out, const char *word, sg_json_type type, bool b)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, ps->p, SG_ERR_PARSE, "invalid literal, expected '%s'", word);
	ps->p += n;
	out->type = (uint8_t)type;
	out->b = b;
	return 0;
}

/* Stores text[0..n) NUL-terminated in the arena. */
static const char *arena_strndup(doc *d, const unsigned char *text, size_t n)
{
	char *s = arena_alloc(d, n + 1, 1);
	if (s != NULL) {
		memcpy(s, text, n);
		s[n] = '\0';
	}
	return s;
}

/* number = [ "-" ] int [ frac ] [ exp ]  (RFC 8259 §6), text kept verbatim. */
static int parse_number(parser *ps, sg_json *out)
{
	const unsigned char *q = ps->p, *end = ps->end;

	if (q < end && *q == '-')
		q++;
	if (q == end || !is_digit(*q))
		return fail(ps, q, SG_ERR_PARSE, "expected a digit in number");
	if (*q == '0') {
		q++;
		if (q < end && is_digit(*q))
			return fail(ps, q, SG_ERR_PARSE, "leading zero in number");
	} else {
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && *q == '.') {
		q++;
		if (q == end || !is_digit(*q))
			return fail(ps, q, SG_ERR_PARSE, "expected a digit after the decimal point");
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q == end || !is_digit(*q))
			return fail(ps, q, SG_ERR_PARSE, "expected a digit in the exponent");
		while (q < end && is_digit(*q))
			q++;
	}
	size_t n = (size_t)(q - ps->p);
	out->u.s = arena_strndup(ps->d, ps->p, n);
	if (out->u.s == NULL)
		return fail_nomem(ps);
	out->len = (uint32_t)n;
	out->type = SG_JSON_NUMBER;
	ps->p = q;
	return 0;
}

/* Reads a backslash-u escape at q (q points at the 'u'): four hex digits; false if not. */
static bool read_u16(const unsigned char *q, const unsigned char *end, uint32_t *out)
{
	uint32_t v = 0;

	if (end - q < 5 || q[0] != 'u')
		return false;
	for (int i = 1; i <= 4; i++) {
		unsigned char c = q[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Decodes the escape at *qp (a backslash before end) into buf[*n..]. */
static int decode_escape(parser *ps, const unsigned char **qp, const unsigned char *end,
			 char *buf, size_t *n)
{
	const unsigned char *q = *qp;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit = q[1] != '\0' ? strchr(from, q[1]) : NULL;
	uint32_t cp, lo;

	if (hit != NULL) {
		buf[(*n)++] = to[hit - from];
		*qp = q + 2;
		return 0;
	}
	if (q[1] != 'u') {
		if (q[1] >= 0x20 && q[1] < 0x7f)
			return fail(ps, q, SG_ERR_PARSE, "invalid escape '\\%c' in string", q[1]);
		return fail(ps, q, SG_ERR_PARSE, "invalid escape (byte 0x%02x after '\\') in string", q[1]);
	}
	if (!read_u16(q + 1, end, &cp))
		return fail(ps, q, SG_ERR_PARSE, "\\u must be followed by four hex digits");
	q += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(ps, q - 6, SG_ERR_PARSE, "lone low surrogate \\u%04X in string", (unsigned)cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (end - q < 6 || q[0] != '\\' || !read_u16(q + 1, end, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, q - 6, SG_ERR_PARSE,
				    "lone high surrogate \\u%04X in string (no low surrogate follows)",
				    (unsigned)cp);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		q += 6;
	}
	*n += sg_utf8_put(buf + *n, cp);
	*qp = q;
	return 0;
}

/*
 * Parses the string at ps->p (a '"') into the arena. The first pass finds the
 * closing quote; the decoded text is never longer than the raw text (every
 * escape shrinks or keeps its size), so one allocation of the raw span holds it.
 */
static int parse_string(parser *ps, const char **out, size_t *out_len)
{
	const unsigned char *open = ps->p, *q = open + 1, *e = q;

	while (e < ps->end && *e != '"') {
		if (*e == '\\' && ++e == ps->end)
			break;
		e++;
	}
	if (e >= ps->end)
		return fail(ps, open, SG_ERR_PARSE, "unterminated string");
	/* Pass 1 skipped the byte after every backslash, so each backslash
	 * has at least one more byte before e. */
	char *buf = arena_alloc(ps->d, (size_t)(e - q) + 1, 1);
	if (buf == NULL)
		return fail_nomem(ps);
	size_t n = 0;
	while (q < e) {
		unsigned char c = *q;
		if (c == '\\') {
			int ret = decode_escape(ps, &q, e, buf, &n);
			if (ret != 0)
				return ret;
		} else if (c < 0x20) {
			return fail(ps, q, SG_ERR_PARSE,
				    "control character 0x%02x in string (must be escaped)", c);
		} else if (c < 0x80) {
			buf[n++] = (char)c;
			q++;
		} else {
			size_t k = sg_utf8_seq_len(q, (size_t)(e - q));
			if (k == 0)
				return fail(ps, q, SG_ERR_PARSE, "invalid UTF-8 in string");
			memcpy(buf + n, q, k);
			n += k;
			q += k;
		}
	}
	buf[n] = '\0';
	ps->p = e + 1;
	*out = buf;
	*out_len = n;
	return 0;
}

static int parse_string_value(parser *ps, sg_json *out)
{
	size_t n = 0;
	int ret = parse_string(ps, &out->u.s, &n);

	out->len = (uint32_t)n;
	return ret;
}

/* --- containers --------------------------------------------------------- */

static int parse_value(parser *ps, sg_json *out, size_t depth);

/* Moves n children from the scratch vector into the arena. */
static int take_kids(parser *ps, sg_json *out, const sg_json *vals, size_t n)
{
	out->len = (uint32_t)n;
	if (n == 0)
		return 0;
	if (n > SIZE_MAX / sizeof(sg_json))
		return fail_nomem(ps);
	out->kids = arena_alloc(ps->d, n * sizeof(sg_json), alignof(sg_json));
	if (out->kids == NULL)
		return fail_nomem(ps);
	memcpy(out->kids, vals, n * sizeof(sg_json));
	return 0;
}

/* After a ',' or the opening bracket: fails on the closing one (trailing comma). */
static int check_no_trailing_comma(parser *ps, unsigned char close)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close)
		return fail(ps, ps->p, SG_ERR_PARSE, "trailing comma before '%c'", close);
	return 0;
}

static int parse_array(parser *ps, sg_json *out, size_t depth)
{
	level *lv = &ps->lv[depth - 1];
	size_t n = 0;
	int ret;

	out->type = SG_JSON_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (grow((void **)&lv->vals, &lv->vals_cap, n + 1, sizeof(sg_json)) != 0)
			return fail_nomem(ps);
		if ((ret = parse_value(ps, &lv->vals[n], depth)) != 0)
			return ret;
		n++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ']')
			break;
		if (ps->p == ps->end || *ps->p != ',')
			return fail_unexpected(ps, "',' or ']' in array");
		ps->p++;
		if ((ret = check_no_trailing_comma(ps, ']')) != 0)
			return ret;
	}
	ps->p++;
	return take_kids(ps, out, lv->vals, n);
}

static int cmp_member(const void *a, const void *b)
{
	const member *x = a, *y = b;

	if (x->k.len != y->k.len)
		return x->k.len < y->k.len ? -1 : 1;
	int c = memcmp(x->k.s, y->k.s, x->k.len);
	if (c != 0)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Sorts the members (O(n log n), not O(n^2)) and reports the duplicate key
 * whose second occurrence comes first in the text. */
static int check_duplicates(parser *ps, member *m, size_t n)
{
	size_t dup = SIZE_MAX;
	char quoted[80];

	if (n < 2)
		return 0;
	qsort(m, n, sizeof *m, cmp_member);
	for (size_t i = 1; i < n; i++)
		if (m[i].k.len == m[i - 1].k.len &&
		    memcmp(m[i].k.s, m[i - 1].k.s, m[i].k.len) == 0 &&
		    (dup == SIZE_MAX || m[i].pos < m[dup].pos))
			dup = i;
	if (dup == SIZE_MAX)
		return 0;
	quote_key(quoted, m[dup].k.s, m[dup].k.len);
	return fail(ps, ps->start + m[dup].pos, SG_ERR_PARSE, "duplicate key %s in object", quoted);
}

/* One "key": value pair into slot n of the level's vectors. */
static int parse_member(parser *ps, level *lv, size_t n, size_t depth)
{
	member *m;
	int ret;

	if (grow((void **)&lv->vals, &lv->vals_cap, n + 1, sizeof(sg_json)) != 0 ||
	    grow((void **)&lv->mems, &lv->mems_cap, n + 1, sizeof(member)) != 0)
		return fail_nomem(ps);
	if (ps->p == ps->end || *ps->p != '"')
		return fail_unexpected(ps, "a string key in object");
	m = &lv->mems[n];
	m->pos = (size_t)(ps->p - ps->start);
	if ((ret = parse_string(ps, &m->k.s, &m->k.len)) != 0)
		return ret;
	skip_ws(ps);
	if (ps->p == ps->end || *ps->p != ':')
		return fail_unexpected(ps, "':' after object key");
	ps->p++;
	return parse_value(ps, &lv->vals[n], depth);
}

static int parse_object(parser *ps, sg_json *out, size_t depth)
{
	level *lv = &ps->lv[depth - 1];
	size_t n = 0;
	int ret;

	out->type = SG_JSON_OBJECT;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if ((ret = parse_member(ps, lv, n, depth)) != 0)
			return ret;
		n++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '}')
			break;
		if (ps->p == ps->end || *ps->p != ',')
			return fail_unexpected(ps, "',' or '}' in object");
		ps->p++;
		if ((ret = check_no_trailing_comma(ps, '}')) != 0)
			return ret;
	}
	ps->p++;
	if ((ret = take_kids(ps, out, lv->vals, n)) != 0)
		return ret;
	/* n * sizeof(key) <= n * sizeof(sg_json), checked by take_kids. */
	out->u.keys = arena_alloc(ps->d, n * sizeof(key), alignof(key));
	if (out->u.keys == NULL)
		return fail_nomem(ps);
	for (size_t i = 0; i < n; i++)
		out->u.keys[i] = lv->mems[i].k;
	return check_duplicates(ps, lv->mems, n);
}

static int parse_value(parser *ps, sg_json *out, size_t depth)
{
	memset(out, 0, sizeof *out);
	skip_ws(ps);
	if (ps->p == ps->end)
		return fail_unexpected(ps, "a value");
	switch (*ps->p) {
	case '[':
	case '{':
		if (depth >= SG_JSON_MAX_DEPTH)
			return fail(ps, ps->p, SG_ERR_PARSE,
				    "nesting deeper than %d levels", SG_JSON_MAX_DEPTH);
		if (*ps->p == '[')
			return parse_array(ps, out, depth + 1);
		return parse_object(ps, out, depth + 1);
	case '"':
		out->type = SG_JSON_STRING;
		return parse_string_value(ps, out);
	case 't':
		return parse_literal(ps, out, "true", SG_JSON_BOOL, true);
	case 'f':
		return parse_literal(ps, out, "false", SG_JSON_BOOL, false);
	case 'n':
		return parse_literal(ps, out, "null", SG_JSON_NULL, false);
	default:
		if (*ps->p == '-' || is_digit(*ps->p))
			return parse_number(ps, out);
		return fail_unexpected(ps, "a value");
	}
}

static int parse_document(parser *ps)
{
	int ret;

	if (ps->end - ps->p >= 3 && memcmp(ps->p, "\xef\xbb\xbf", 3) == 0)
		return fail(ps, ps->p, SG_ERR_PARSE, "byte order mark before the document");
	skip_ws(ps);
	if (ps->p == ps->end)
		return fail(ps, ps->p, SG_ERR_PARSE, "empty document");
	if ((ret = parse_value(ps, &ps->d->root, 0)) != 0)
		return ret;
	skip_ws(ps);
	if (ps->p != ps->end)
		return fail_unexpected(ps, "end of input after the document");
	return 0;
}

int sg_json_parse(sg_json **out, const char *text, size_t len, char *err, size_t err_len)
{
	parser ps;
	size_t line, col;
	int ret;

	if (out == NULL || (text == NULL && len > 0) || (err == NULL && err_len > 0))
		sg_misuse(__func__);
	*out = NULL;
	set_err(err, err_len, "%s", "");
	if (len > SG_JSON_MAX_BYTES) {
		set_err(err, err_len, "line 1 column 1: document larger than %zu MiB",
			SG_JSON_MAX_BYTES >> 20);
		return SG_ERR_PARSE;
	}
	memset(&ps, 0, sizeof ps);
	ps.d = calloc(1, sizeof *ps.d);
	if (ps.d == NULL) {
		set_err(err, err_len, "out of memory");
		return SG_ERR_NOMEM;
	}
	ps.d->next_cap = CHUNK_MIN;
	ps.start = ps.p = (const unsigned char *)(text != NULL ? text : "");
	ps.end = ps.start + len;

	ret = parse_document(&ps);

	for (size_t i = 0; i < SG_JSON_MAX_DEPTH; i++) {
		free(ps.lv[i].vals);
		free(ps.lv[i].mems);
	}
	if (ret != 0) {
		line_col(ps.start, ps.err_pos, &line, &col);
		set_err(err, err_len, "line %zu column %zu: %s", line, col, ps.reason);
		doc_free(ps.d);
		return ret;
	}
	*out = &ps.d->root;
	return 0;
}

/* --- files -------------------------------------------------------------- */

int sg_json_load_file(sg_json **out, const char *path, char *err, size_t err_len)
{
	char *text = NULL, inner[REASON_BYTES + 64];
	size_t len = 0;
	int ret;

	if (out == NULL || path == NULL || (err == NULL && err_len > 0))
		sg_misuse(__func__);
	*out = NULL;
	ret = sg_file_read(&text, &len, path, SG_JSON_MAX_BYTES, err, err_len);
	if (ret == SG_ERR_LENGTH) {
		set_err(err, err_len, "%s: larger than %zu MiB", path, SG_JSON_MAX_BYTES >> 20);
		ret = SG_ERR_PARSE;
	}
	if (ret != 0)
		goto cleanup;
	ret = sg_json_parse(out, text, len, inner, sizeof inner);
	if (ret != 0)
		set_err(err, err_len, "%s: %s", path, inner);
cleanup:
	free(text);
	return ret;
}

void sg_json_free(sg_json *j)
{
	if (j != NULL)
		doc_free((doc *)(void *)((char *)j - offsetof(doc, root)));
}
