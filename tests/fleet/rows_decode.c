/* A reader of the rows kcap writes with --tsv and --rowbinary, independent
 * of the renderers: it decodes either form by the column table's kinds and
 * prints every row as one line of its cells in hex (a null as "N"), so the
 * two forms, and the bytes put in, can be compared exactly.
 * Usage: rows_decode tsv|rowbinary < ROWS. Exit 1 on a malformed row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/rows.h>

static unsigned char *in;
static size_t len, pos;

static void fail(const char *what)
{
	fprintf(stderr, "rows_decode: %s at byte %zu\n", what, pos);
	exit(1);
}

static void hex(const unsigned char *p, size_t n)
{
	if (!n)
		fputs("-", stdout);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void hex_u(unsigned long long v) { printf("%016llx", v); }

/* ClickHouse's TSV unescaping: the escapes kcap writes; any other byte as is. */
static void tsv_row(const kcap_row_column *cols, size_t ncols)
{
	unsigned char *cell = malloc(len + 1);
	for (size_t c = 0; c < ncols; c++) {
		size_t n = 0;
		int null = 0;
		if (pos + 2 <= len && in[pos] == '\\' && in[pos + 1] == 'N' &&
		    (pos + 2 == len || in[pos + 2] == '\t' || in[pos + 2] == '\n')) {
			null = 1;
			pos += 2;
		}
		while (!null && pos < len && in[pos] != '\t' && in[pos] != '\n') {
			unsigned char b = in[pos++];
			if (b == '\\') {
				if (pos >= len)
					fail("backslash at end");
				switch (in[pos++]) {
				case 'b': b = '\b'; break;
				case 'f': b = '\f'; break;
				case 'n': b = '\n'; break;
				case 'r': b = '\r'; break;
				case 't': b = '\t'; break;
				case '0': b = 0; break;
				case '\\': b = '\\'; break;
				case '\'': b = '\''; break;
				default: fail("unknown escape");
				}
			}
			cell[n++] = b;
		}
		if (pos >= len)
			fail("row cut short");
		if ((c + 1 < ncols) != (in[pos] == '\t'))
			fail(c + 1 < ncols ? "too few cells" : "too many cells");
		pos++;
		if (c)
			putchar(' ');
		if (null) {
			if (cols[c].kind != KCAP_COL_NULL_I64 && cols[c].kind != KCAP_COL_NULL_U16)
				fail("null in a column that is not Nullable");
			putchar('N');
		} else if (cols[c].kind == KCAP_COL_STRING) {
			hex(cell, n);
		} else {
			cell[n] = 0;
			char *end;
			unsigned long long v = cols[c].kind == KCAP_COL_U64 || cols[c].kind == KCAP_COL_U32 ||
			                               cols[c].kind == KCAP_COL_NULL_U16
			                       ? strtoull((char *)cell, &end, 10)
			                       : (unsigned long long)strtoll((char *)cell, &end, 10);
			if (!n || *end)
				fail("not a number");
			hex_u(v);
		}
	}
	putchar('\n');
	free(cell);
}

static unsigned long long le(int bytes)
{
	if (len - pos < (size_t)bytes)
		fail("row cut short");
	unsigned long long v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (unsigned long long)in[pos + i] << (8 * i);
	pos += (size_t)bytes;
	return v;
}

static void rb_row(const kcap_row_column *cols, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++) {
		if (c)
			putchar(' ');
		int kind = cols[c].kind;
		if (kind == KCAP_COL_NULL_I64 || kind == KCAP_COL_NULL_U16) {
			unsigned long long isnull = le(1);
			if (isnull > 1)
				fail("bad null flag");
			if (isnull) {
				putchar('N');
				continue;
			}
		}
		switch (kind) {
		case KCAP_COL_STRING: {
			unsigned long long n = 0;
			int shift = 0;
			for (;;) {
				unsigned long long b = le(1);
				n |= (b & 0x7f) << shift;
				shift += 7;
				if (!(b & 0x80))
					break;
				if (shift > 63)
					fail("bad length");
			}
			if (len - pos < n)
				fail("string cut short");
			hex(in + pos, (size_t)n);
			pos += (size_t)n;
			break;
		}
		case KCAP_COL_U64: hex_u(le(8)); break;
		case KCAP_COL_I64:
		case KCAP_COL_NULL_I64: hex_u(le(8)); break;
		case KCAP_COL_I32: hex_u((unsigned long long)(long long)(int)(unsigned)le(4)); break;
		case KCAP_COL_U32: hex_u(le(4)); break;
		case KCAP_COL_NULL_U16: hex_u(le(2)); break;
		default: fail("unknown column kind");
		}
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "tsv") && strcmp(argv[1], "rowbinary"))) {
		fputs("usage: rows_decode tsv|rowbinary < ROWS\n", stderr);
		return 2;
	}
	size_t cap = 1 << 16;
	in = malloc(cap);
	size_t n;
	while ((n = fread(in + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap)
			in = realloc(in, cap *= 2);
	}
	size_t ncols;
	const kcap_row_column *cols = kcap_row_columns(&ncols);
	int tsv = !strcmp(argv[1], "tsv");
	while (pos < len)
		(tsv ? tsv_row : rb_row)(cols, ncols);
	free(in);
	return ferror(stdout) ? 1 : 0;
}
