/*
 * rows.h - events as rows of a column store (ClickHouse): TabSeparated text
 * and RowBinary, one row per event, with one fixed list of columns
 * (docs/FLEET.md). The column table below is the only place the columns are
 * named: the two renderers walk it, and `kcap export clickhouse --ddl` prints
 * the schema from it.
 */
#ifndef KCAP_ROWS_H
#define KCAP_ROWS_H

#include <kcap/kcap.h>
#include <kcap/procstate.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a column is encoded (RowBinary: little-endian integers, a String as
 * its LEB128 length and bytes, a Nullable as a 0/1 byte then the value when 0). */
enum {
	KCAP_COL_STRING = 1,
	KCAP_COL_U64, KCAP_COL_I64, KCAP_COL_I32, KCAP_COL_U32,
	KCAP_COL_NULL_I64, /* Nullable(Int64) */
	KCAP_COL_NULL_U16, /* Nullable(UInt16) */
};

typedef struct kcap_row_column {
	const char *name;    /* column name */
	const char *ch_type; /* its ClickHouse type */
	int kind;            /* KCAP_COL_* */
	const char *doc;     /* one line for docs and --ddl comments */
} kcap_row_column;

/* The columns, in row order; *n is their count. */
const kcap_row_column *kcap_row_columns(size_t *n);

/* Appends one event as a TabSeparated row (ClickHouse's escaping: \b \f \n
 * \r \t \0 \\ and \' escaped, every other byte as is, so any byte string,
 * invalid UTF-8 included, reads back exactly; a null as \N) plus '\n'.
 * host, boot_id and source come from the event's origin metadata (empty
 * when it has none); params is the event's params as the JSON object of its
 * JSON line; proc is the "proc" object from ps (the empty string when ps is
 * NULL). Returns 0 or KCAP_E_NOMEM (b unchanged in length). */
int kcap_render_tsv(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps);
/* The same row in RowBinary. */
int kcap_render_rowbinary(kcap_buf *b, const kcap_event *ev, const kcap_schema *s, const kcap_procstate *ps);
/* The header line of the TabSeparatedWithNames form: the column names. */
int kcap_render_tsv_header(kcap_buf *b);

#ifdef __cplusplus
}
#endif
#endif
