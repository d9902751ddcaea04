/* kcap tree: the process tree of captures (kcap/include/kcap/proctree.h),
 * indented as pstree draws it, or nested JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/filter.h>
#include <kcap/proctree.h>
#include "cli.h"

static const char tree_help[] =
	"usage: kcap tree [OPTIONS] [FILE...]\n"
	"\n"
	"Draws every process of the captures (or stdin), from the snapshots plus\n"
	"the fork, exec and exit events: pid, comm, uid, start and end, exit status\n"
	"or signal, event count, and each exec (program and argv) in order, each\n"
	"child indented under its parent. Each host is a tree of its own.\n"
	"  kcap tree host.kcap\n"
	"  kcap tree --pid 4242 host.kcap\n"
	"  kcap tree -e 'path startswith /etc/' host.kcap --json\n"
	"\n"
	"Options:\n"
	"  -p, --pid N         the subtree of process N, with its ancestors\n"
	"  -e, --filter EXPR   keep the branches holding events that match EXPR\n"
	"      --json          nested JSON: {\"origins\":[{\"host\",\"processes\":[...]}]}\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit: 0 ok, 1 error, 2 usage or bad expression, 3 an input was damaged\n"
	"(the tree holds every intact event).\n";

#define TREE_DEPTH_MAX 512

typedef struct tctx {
	kcap_proctree *t;
	kcap_filter *f;
	const char *expr;
	kcap_reader *r;
	int first, strict, bad;
	uint32_t section;
} tctx;

static int load_snapshots(tctx *c)
{
	size_t n = kcap_reader_origin_count(c->r);
	for (size_t o = 0; o < (n ? n : 1); o++) {
		const kcap_meta *m = kcap_reader_meta(c->r, (uint16_t)o);
		if (kcap_proctree_snapshot(c->t, kcap_meta_get(m, KCAP_META_HOSTNAME),
		                           kcap_reader_snapshot_for(c->r, (uint16_t)o)))
			return KCAP_E_NOMEM;
	}
	return 0;
}

static int tree_input(void *ud, int i, kcap_reader *r, int *damaged)
{
	tctx *c = ud;
	int rc = 0, n;
	(void)i;
	(void)damaged;
	c->r = r;
	c->first = 1;
	const kcap_event *ev;
	while ((n = kcap_reader_next(r, &ev)) > 0) {
		const kcap_schema *s = kcap_reader_schema(r);
		if (c->first || kcap_reader_section(r) != c->section) {
			kcap_error e = {0};
			int crc = c->f ? kcap_filter_check_schema(c->f, s, &e) : 0;
			if (crc == KCAP_E_INVAL || (crc && c->strict)) {
				cli_expr_error("tree", c->expr, &e);
				rc = KCAP_EXIT_USAGE;
				break;
			}
			if (c->f && c->first && kcap_filter_time_anchors(c->f) &&
			    (rc = cli_filter_span("tree", c->f, r, kcap_filter_time_anchors(c->f), ev->ts)))
				break;
			if (c->f)
				kcap_filter_reset_schema(c->f);
			if (load_snapshots(c)) {
				rc = KCAP_EXIT_ERROR;
				cli_err("tree", "out of memory");
				break;
			}
			c->section = kcap_reader_section(r);
			c->first = 0;
		}
		int m = c->f ? kcap_filter_match(c->f, ev, s, NULL) : 0;
		if (kcap_proctree_add(c->t, ev, s, m)) {
			cli_err("tree", "out of memory");
			rc = KCAP_EXIT_ERROR;
			break;
		}
	}
	if (n < 0) {
		int frc = cli_read_failed("tree", r, n);
		if (!rc)
			rc = frc;
	}
	return rc;
}

/* ---- which nodes are shown: keep[i] ---- */

static void mark_up(const kcap_proctree *t, char *keep, size_t i)
{
	for (size_t k = 0; i != SIZE_MAX && k <= kcap_proctree_count(t); k++, i = kcap_proctree_at(t, i)->parent)
		keep[i] = 1;
}

static void mark_down(const kcap_proctree *t, char *keep, size_t i, int depth)
{
	keep[i] = 1;
	const kcap_ptnode *p = kcap_proctree_at(t, i);
	for (size_t k = 0; depth < TREE_DEPTH_MAX && k < p->nchildren; k++)
		mark_down(t, keep, p->children[k], depth + 1);
}

/* ---- output ---- */

static void put_time(kcap_buf *b, int64_t ts)
{
	char t[48];
	if (!ts) {
		kcap_buf_append(b, "?", 1);
		return;
	}
	kcap_buf_append(b, t, (size_t)kcap_format_time(t, ts));
}

static void put_argv(kcap_buf *b, const char *argv, uint32_t len, int json)
{
	for (uint32_t o = 0; argv && o < len;) {
		size_t l = strnlen(argv + o, len - o);
		if (json)
			kcap_buf_append(b, o ? "," : "", o ? 1 : 0), kcap_json_escape(b, argv + o, l);
		else
			kcap_buf_append(b, " ", 1), kcap_text_escape(b, argv + o, l);
		o += (uint32_t)l + 1;
	}
}

static void text_node(kcap_buf *b, const kcap_proctree *t, const char *keep, size_t i, int depth)
{
	const kcap_ptnode *p = kcap_proctree_at(t, i);
	char s[160];
	for (int d = 0; d < depth; d++)
		kcap_buf_append(b, "  ", 2);
	snprintf(s, sizeof(s), "%d ", (int)p->pid);
	kcap_buf_append(b, s, strlen(s));
	kcap_text_escape(b, p->comm ? p->comm : "?", strlen(p->comm ? p->comm : "?"));
	snprintf(s, sizeof(s), "  ppid=%d uid=%u ", (int)p->ppid, (unsigned)p->uid);
	kcap_buf_append(b, s, strlen(s));
	put_time(b, p->start_ts);
	kcap_buf_append(b, "..", 2);
	put_time(b, p->end_ts);
	if (p->exit_signal)
		snprintf(s, sizeof(s), "  signal=%d", p->exit_signal);
	else if (p->exited)
		snprintf(s, sizeof(s), "  exit=%d", p->exit_status);
	else
		snprintf(s, sizeof(s), "  running");
	kcap_buf_append(b, s, strlen(s));
	snprintf(s, sizeof(s), "  events=%llu%s\n", (unsigned long long)p->events, p->in_snapshot ? "  (snapshot)" : "");
	kcap_buf_append(b, s, strlen(s));
	if (p->exe && !p->nexecs) {
		for (int d = 0; d <= depth; d++)
			kcap_buf_append(b, "  ", 2);
		kcap_buf_append(b, "exe ", 4);
		kcap_text_escape(b, p->exe, strlen(p->exe));
		kcap_buf_append(b, "\n", 1);
	}
	for (size_t x = 0; x < p->nexecs; x++) {
		for (int d = 0; d <= depth; d++)
			kcap_buf_append(b, "  ", 2);
		kcap_buf_append(b, "exec ", 5);
		const char *exe = p->execs[x].exe ? p->execs[x].exe : "?";
		kcap_text_escape(b, exe, strlen(exe));
		kcap_buf_append(b, " [", 2);
		put_argv(b, p->execs[x].argv, p->execs[x].argv_len, 0);
		kcap_buf_append(b, " ]\n", 3);
	}
	if (depth >= TREE_DEPTH_MAX) {
		if (p->nchildren)
			kcap_buf_append(b, "  (deeper levels not shown)\n", 28);
		return;
	}
	for (size_t k = 0; k < p->nchildren; k++)
		if (keep[p->children[k]])
			text_node(b, t, keep, p->children[k], depth + 1);
}

static void json_node(kcap_buf *b, const kcap_proctree *t, const char *keep, size_t i, int depth)
{
	const kcap_ptnode *p = kcap_proctree_at(t, i);
	char s[200];
	snprintf(s, sizeof(s), "{\"pid\":%d,\"ppid\":%d,\"uid\":%u,\"comm\":", (int)p->pid, (int)p->ppid, (unsigned)p->uid);
	kcap_buf_append(b, s, strlen(s));
	if (p->comm)
		kcap_json_escape(b, p->comm, strlen(p->comm));
	else
		kcap_buf_append(b, "null", 4);
	kcap_buf_append(b, ",\"exe\":", 7);
	if (p->exe)
		kcap_json_escape(b, p->exe, strlen(p->exe));
	else
		kcap_buf_append(b, "null", 4);
	snprintf(s, sizeof(s), ",\"snapshot\":%s,\"start_ts\":%lld,\"end_ts\":%lld,\"exited\":%s,\"exit_status\":%d,"
	         "\"exit_signal\":%d,\"events\":%llu,\"matched\":%llu,\"execs\":[", p->in_snapshot ? "true" : "false",
	         (long long)p->start_ts, (long long)p->end_ts, p->exited ? "true" : "false", p->exit_status,
	         p->exit_signal, (unsigned long long)p->events, (unsigned long long)p->matched);
	kcap_buf_append(b, s, strlen(s));
	for (size_t x = 0; x < p->nexecs; x++) {
		snprintf(s, sizeof(s), "%s{\"ts\":%lld,\"exe\":", x ? "," : "", (long long)p->execs[x].ts);
		kcap_buf_append(b, s, strlen(s));
		if (p->execs[x].exe)
			kcap_json_escape(b, p->execs[x].exe, strlen(p->execs[x].exe));
		else
			kcap_buf_append(b, "null", 4);
		kcap_buf_append(b, ",\"argv\":[", 9);
		put_argv(b, p->execs[x].argv, p->execs[x].argv_len, 1);
		kcap_buf_append(b, "]}", 2);
	}
	kcap_buf_append(b, "],\"children\":[", 14);
	int any = 0;
	for (size_t k = 0; depth < TREE_DEPTH_MAX && k < p->nchildren; k++) {
		if (!keep[p->children[k]])
			continue;
		if (any++)
			kcap_buf_append(b, ",", 1);
		json_node(b, t, keep, p->children[k], depth + 1);
	}
	kcap_buf_append(b, "]}", 2);
}

int cmd_tree(int argc, char **argv)
{
	enum { O_JSON = 1000 };
	static const struct option longopts[] = {
		{"pid", required_argument, 0, 'p'}, {"filter", required_argument, 0, 'e'},
		{"json", no_argument, 0, O_JSON},   {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c, json = 0, rc = KCAP_EXIT_OK, damaged = 0, have_pid = 0;
	uint64_t pid = 0;
	const char *expr = NULL;
	tctx tc = {0};
	kcap_buf out = {0};
	char *keep = NULL;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "p:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': return cli_help("tree", tree_help);
		case 'p':
			if (cli_opt_count("tree", "--pid", optarg, 0, INT32_MAX, &pid))
				return KCAP_EXIT_USAGE;
			have_pid = 1;
			break;
		case 'e': expr = optarg; break;
		case O_JSON: json = 1; break;
		default: return cli_bad_option("tree", argv, longopts, "p:e:h");
		}
	}
	if (expr) {
		if ((rc = cli_filter_compile("tree", &tc.f, expr)) != 0)
			goto cleanup;
		if (kcap_filter_uses_proc(tc.f)) {
			cli_err("tree", "proc.* and parent.* fields are not available in tree's filter");
			rc = KCAP_EXIT_USAGE;
			goto cleanup;
		}
		if (cli_filter_now("tree", tc.f)) {
			rc = KCAP_EXIT_USAGE;
			goto cleanup;
		}
	}
	if (kcap_proctree_new(&tc.t)) {
		cli_err("tree", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	tc.expr = expr;
	tc.strict = argc - optind <= 1;
	cli_inputs in = {.cmd = "tree", .n = argc - optind, .files = argv + optind};
	rc = cli_each_input(&in, tree_input, &tc, &damaged);
	if (rc)
		goto cleanup;
	size_t n = kcap_proctree_count(tc.t);
	if (kcap_proctree_finish(tc.t) || !(keep = calloc(n + 1, 1))) {
		cli_err("tree", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		const kcap_ptnode *p = kcap_proctree_at(tc.t, i);
		if (have_pid && p->pid == (int32_t)pid) {
			mark_down(tc.t, keep, i, 0);
			mark_up(tc.t, keep, i);
		} else if (!have_pid && (!tc.f || p->matched)) {
			mark_up(tc.t, keep, i);
		}
	}
	if (have_pid && tc.f) /* both: the subtree's branches that hold matches */
		for (size_t i = 0; i < n; i++)
			if (keep[i] && !kcap_proctree_at(tc.t, i)->matched) {
				int below = 0;
				for (size_t j = 0; j < n && !below; j++) {
					size_t k = j;
					for (size_t d = 0; k != SIZE_MAX && d <= n && !below; d++, k = kcap_proctree_at(tc.t, k)->parent)
						below = k == i && kcap_proctree_at(tc.t, j)->matched && keep[j];
				}
				if (!below)
					keep[i] = 0;
			}
	if (have_pid && !memchr(keep, 1, n)) {
		cli_err("tree", "no process %llu in the input", (unsigned long long)pid);
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	/* out.data is set from here on: still NULL at the end means out of
	 * memory (an empty tree is no output, not an error) */
	if (kcap_buf_reserve(&out, 64)) {
		cli_err("tree", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	if (!n && !json)
		cli_err("tree", "note: no processes in the input");
	/* roots, per origin in order of first sight */
	if (json)
		kcap_buf_append(&out, "{\"origins\":[", 12);
	const char *origin = NULL;
	int norigins = 0, nroots = 0;
	for (size_t pass = 0; pass < n; pass++) {
		const kcap_ptnode *o = kcap_proctree_at(tc.t, pass);
		int seen = 0;
		for (size_t q = 0; q < pass && !seen; q++)
			seen = kcap_proctree_at(tc.t, q)->origin == o->origin;
		if (seen)
			continue;
		origin = o->origin;
		nroots = 0;
		for (size_t i = 0; i < n; i++) {
			const kcap_ptnode *p = kcap_proctree_at(tc.t, i);
			if (p->origin != origin || !keep[i] || p->parent != SIZE_MAX)
				continue;
			if (!nroots++) {
				if (json) {
					kcap_buf_append(&out, norigins ? ",{\"host\":" : "{\"host\":", norigins ? 9 : 8);
					kcap_json_escape(&out, origin, strlen(origin));
					kcap_buf_append(&out, ",\"processes\":[", 14);
				} else {
					kcap_buf_append(&out, norigins ? "\nhost " : "host ", norigins ? 6 : 5);
					kcap_text_escape(&out, origin[0] ? origin : "?", strlen(origin[0] ? origin : "?"));
					kcap_buf_append(&out, "\n", 1);
				}
				norigins++;
			} else if (json) {
				kcap_buf_append(&out, ",", 1);
			}
			if (json)
				json_node(&out, tc.t, keep, i, 0);
			else
				text_node(&out, tc.t, keep, i, 0);
		}
		if (json && nroots)
			kcap_buf_append(&out, "]}", 2);
	}
	if (json)
		kcap_buf_append(&out, "]}\n", 3);
	if (!out.data) {
		cli_err("tree", "out of memory");
		rc = KCAP_EXIT_ERROR;
		goto cleanup;
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = cli_finish_stdout("tree", rc);
cleanup:
	free(keep);
	kcap_buf_free(&out);
	kcap_proctree_free(tc.t);
	kcap_filter_free(tc.f);
	if (rc)
		return rc;
	return damaged ? KCAP_EXIT_DAMAGED : KCAP_EXIT_OK;
}
