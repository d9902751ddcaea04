/* record_common.c - recorder plumbing shared by the `kcap record` frontends
 * (see record_common.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kcap/taxonomy.h>

#include "cli.h"
#include "record_common.h"

#define MAX_STATS 1024

typedef struct rec_statent {
	uint32_t cpu;
	char source[32];
	uint64_t seen, lost;
} rec_statent;

struct rec_ctx {
	const rec_opts *o;
	const rec_frontend *fe;
	kcap_writer *w;
	kcap_schema *schema;
	const kcap_schema *fe_schema; /* the frontend's (rec_set_schema), else schema */
	const kcap_snapshot *fe_snap; /* the frontend's (rec_set_snapshot) */
	kcap_meta *meta;
	int64_t boot_to_wall;
	char path[4096];       /* current output file */
	unsigned file_index;   /* rotation index of the current file */
	unsigned files;
	int64_t file_start_ns;
	uint64_t bytes_closed; /* bytes of files already closed */
	/* reorder window (see queue_insert) */
	int8_t cat_of[256];    /* by_cat index per type id; -1 not known yet */
	kcap_reorder *q;       /* the reorder window, by (ts, arrival) */
	int64_t last_out_ts;
	/* counters */
	uint64_t seq;
	uint64_t written;
	uint64_t late;
	uint64_t raw_bytes;
	uint64_t by_cat[5]; /* process file net user other */
	uint64_t dropped_after_count;
	rec_statent stats[MAX_STATS];
	size_t nstats;
	int write_err;          /* KCAP_E_* of the first write failure */
	int write_errno;        /* its errno (ENOSPC, EPIPE...), 0 when none */
	char write_msg[512];
	uint64_t events_closed; /* events in files closed without error */
	uint64_t write_lost;    /* events not written because of the write failure */
	uint64_t failed_events; /* the event that failed, and those delivered after it */
	/* -o - on a terminal: events as text lines, not a binary stream */
	int text_out;
	kcap_buf text;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Error lines of the recorder are the CLI's: "kcap record: ..." */
#define rerr(...) cli_err("record", __VA_ARGS__)

/* ---- option parsing ---- */

static int is_rw_type(uint32_t id)
{
	return id >= KCAP_EV_READ && id <= KCAP_EV_PWRITEV;
}

/* Applies one -e item; returns 0 or -1 when unknown. */
static int select_item(rec_opts *o, const char *item, int on)
{
	int all = !strcmp(item, "all"), rw = !strcmp(item, "rw"), hit = 0;
	for (size_t i = 0; kcap_taxonomy_type_at(i); i++) {
		const kcap_type_def *t = kcap_taxonomy_type_at(i);
		if (all || (rw && is_rw_type(t->id)) || !strcmp(item, t->name) ||
		    (!strcmp(item, t->category) && !is_rw_type(t->id))) {
			o->types[t->id] = (uint8_t)on;
			hit = 1;
		}
	}
	return hit ? 0 : -1;
}

void rec_usage(FILE *f)
{
	fprintf(f,
	        "usage: kcap record [options] -o FILE|- [-- COMMAND [ARGS...]]\n"
	        "Records kernel events into a .kcap capture until interrupted (SIGINT/SIGTERM),\n"
	        "a limit is reached, or COMMAND has exited (exit status is then COMMAND's).\n"
	        "\n"
	        "  -o, --output FILE       output file, or - for stdout\n"
	        "  -e, --events LIST       comma list of classes or event names; -NAME removes.\n"
	        "                          classes: " REC_CLASSES "\n"
	        "                          default: process,file,net,user (file without rw)\n"
	        "      --source NAME       frontend: ebpf (default on Linux), audit; etw (the\n"
	        "                          Windows build's, and its default)\n"
	        "      --pid PID[,PID..]   only these processes (in the kernel)\n"
	        "      --comm NAME         only processes with this comm\n"
	        "      --uid UID           only this user id\n"
	        "      --follow            with COMMAND (or --pid): only that process tree\n"
	        "      --duration D        stop after D (e.g. 30s, 5m, 500ms)\n"
	        "      --count N           stop after N events\n"
	        "      --rotate-size SIZE  start a new file once SIZE bytes are written (at the\n"
	        "                          next block boundary; e.g. 100M)\n"
	        "      --rotate-time D     start a new file every D\n"
	        "      --keep N            with rotation: keep only the newest N files\n"
	        "                          (files are FILE-000000.kcap, FILE-000001.kcap, ...)\n"
	        "      --block-size SIZE   uncompressed bytes per events block (default 1M)\n"
	        "      --level N           zstd level -7..22 (default 1); 0 = uncompressed\n"
	        "      --buffer-size SIZE  kernel ring buffer size (default 64M, power of 2)\n"
	        "      --reorder-window D  time window for putting events in order (default 50ms)\n"
	        "      --seal-key KEY      seal the capture with KEY (kcap keygen) at every\n"
	        "                          flush (at least every 500 ms) and at the end: a\n"
	        "                          recording cut short (kill -9, power loss) still\n"
	        "                          proves its prefix up to its last flush, as kcap\n"
	        "                          verify with the public key KEY.pub says\n"
	        "  -q, --quiet             no summary on stderr\n"
	        "  -h, --help              this help\n"
	        "-o - on a terminal writes text lines, on a pipe a kcap stream (live: a block\n"
	        "at least every 500 ms).\n"
	        "Exit: 0 ok, 1 error (what was written is kept), 2 usage, 4 events were lost\n"
	        "(counted in the capture; a full disk counts what did not reach it); with\n"
	        "COMMAND its exit status. A reader of stdout going away ends it quietly (141).\n");
}

int rec_parse_opts(int argc, char **argv, rec_opts *o)
{
	enum { O_PID = 256, O_COMM, O_UID, O_FOLLOW, O_DURATION, O_COUNT, O_RSIZE, O_RTIME, O_KEEP,
	       O_BSIZE, O_LEVEL, O_BUF, O_SOURCE, O_REORDER, O_SEAL };
	static const struct option lopts[] = {
		{"output", required_argument, 0, 'o'}, {"events", required_argument, 0, 'e'},
		{"pid", required_argument, 0, O_PID}, {"comm", required_argument, 0, O_COMM},
		{"uid", required_argument, 0, O_UID}, {"follow", no_argument, 0, O_FOLLOW},
		{"duration", required_argument, 0, O_DURATION}, {"count", required_argument, 0, O_COUNT},
		{"rotate-size", required_argument, 0, O_RSIZE}, {"rotate-time", required_argument, 0, O_RTIME},
		{"keep", required_argument, 0, O_KEEP}, {"block-size", required_argument, 0, O_BSIZE},
		{"level", required_argument, 0, O_LEVEL}, {"buffer-size", required_argument, 0, O_BUF},
		{"source", required_argument, 0, O_SOURCE}, {"reorder-window", required_argument, 0, O_REORDER},
		{"seal-key", required_argument, 0, O_SEAL},
		{"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int c, events_given = 0;
	uint64_t v;

	memset(o, 0, sizeof *o);
#ifdef _WIN32
	o->source = "etw";
#else
	o->source = "ebpf";
#endif
	o->buffer_size = 64u << 20;
	o->reorder_ns = 50 * 1000000LL;
	cli_getopt_start();
	while ((c = getopt_long(argc, argv, "+o:e:qh", lopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'e': {
			if (!events_given)
				memset(o->types, 0, sizeof o->types);
			events_given = 1;
			char *dup = strdup(optarg), *save = NULL;
			if (!dup)
				return KCAP_EXIT_ERROR;
			for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				int on = 1;
				if (*t == '-') {
					on = 0;
					t++;
				}
				if (select_item(o, t, on) < 0) {
					rerr("-e: unknown class or event '%s' (classes: %s; see docs/EVENTS.md)", t,
					     REC_CLASSES);
					free(dup);
					return KCAP_EXIT_USAGE;
				}
			}
			free(dup);
			break;
		}
		case O_PID: {
			const char *s = optarg;
			while (*s) {
				char one[24];
				size_t n = strcspn(s, ",");
				uint64_t p;
				snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one ? n : sizeof one - 1), s);
				if (n >= sizeof one || kcap_parse_count(one, &p, NULL) || p < 1 || p > INT32_MAX ||
				    o->npids >= 64) {
					cli_bad_value("record", "--pid", optarg, "expected up to 64 pids from 1 to %d, split by commas",
					              INT32_MAX);
					return KCAP_EXIT_USAGE;
				}
				o->pids[o->npids++] = (int32_t)p;
				s += n + (s[n] == ',');
			}
			break;
		}
		case O_SEAL: {
			kcap_error e = {0};
			kcap_seal_key_free(o->seal);
			if (kcap_seal_key_load(&o->seal, optarg, &e)) {
				rerr("--seal-key %s", e.msg);
				return e.code == KCAP_E_INVAL ? KCAP_EXIT_USAGE : KCAP_EXIT_ERROR;
			}
			break;
		}
		case O_COMM:
			if (strlen(optarg) > 15) {
				rerr("--comm: '%s' is longer than the kernel's 15 characters", optarg);
				return KCAP_EXIT_USAGE;
			}
			o->comm_on = 1;
			snprintf(o->comm, sizeof o->comm, "%s", optarg);
			break;
		case O_UID: {
			uint64_t u;
			if (cli_opt_count("record", "--uid", optarg, 0, UINT32_MAX, &u))
				return KCAP_EXIT_USAGE;
			o->uid_on = 1;
			o->uid = (uint32_t)u;
			break;
		}
		case O_FOLLOW: o->follow = 1; break;
		case O_DURATION:
		case O_RTIME:
		case O_REORDER: {
			int64_t d;
			/* a limit of 0 would stop at once: 0 means "no limit" by leaving it out */
			if (cli_opt_duration("record", cli_opt_name(lopts, c), optarg, c != O_REORDER, &d))
				return KCAP_EXIT_USAGE;
			*(c == O_DURATION ? &o->duration_ns : c == O_RTIME ? &o->rotate_ns : &o->reorder_ns) = d;
			break;
		}
		case O_COUNT:
		case O_KEEP:
			if (cli_opt_count("record", cli_opt_name(lopts, c), optarg, 0, c == O_COUNT ? UINT64_MAX : 1000000, &v))
				return KCAP_EXIT_USAGE;
			if (c == O_COUNT)
				o->count = v;
			else
				o->keep = (unsigned)v;
			break;
		case O_LEVEL: {
			kcap_writer_opts wo = {0};
			if (cli_opt_level("record", optarg, &wo))
				return KCAP_EXIT_USAGE;
			o->level = wo.level;
			o->uncompressed = wo.codec_set;
			break;
		}
		case O_RSIZE:
		case O_BSIZE:
		case O_BUF:
			if (cli_opt_size("record", cli_opt_name(lopts, c), optarg, c == O_RSIZE ? 1 : CLI_BLOCK_MIN,
			                 c == O_RSIZE ? UINT64_MAX : c == O_BSIZE ? CLI_BLOCK_MAX : 1ull << 31, &v))
				return KCAP_EXIT_USAGE;
			if (c == O_BUF && (v & (v - 1))) {
				cli_bad_value("record", "--buffer-size", optarg, "expected a power of two from 4K to 2G");
				return KCAP_EXIT_USAGE;
			}
			if (c == O_RSIZE)
				o->rotate_size = v;
			else if (c == O_BSIZE)
				o->block_size = (uint32_t)v;
			else
				o->buffer_size = v;
			break;
		case O_SOURCE: o->source = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'h': rec_usage(stdout); return KCAP_EXIT_OK;
		default:
			return cli_bad_option("record", argv, lopts, "+o:e:qh");
		}
	}
	if (!events_given) {
		select_item(o, "process", 1);
		select_item(o, "file", 1);
		select_item(o, "net", 1);
		select_item(o, "user", 1);
	}
	if (optind < argc)
		o->cmd = &argv[optind];
#ifdef _WIN32
	if (o->cmd) { /* cli_port.h: no fork */
		rerr("-- COMMAND is not in the Windows build: start the command yourself and use --pid");
		return KCAP_EXIT_USAGE;
	}
#endif
	if (!o->out) {
		rerr("an output is required: -o FILE or -o - (see kcap record --help)");
		return KCAP_EXIT_USAGE;
	}
	if (!strcmp(o->out, "-") && (o->rotate_size || o->rotate_ns)) {
		rerr("--rotate-size/--rotate-time need a file output, not -");
		return KCAP_EXIT_USAGE;
	}
	if (o->keep && !o->rotate_size && !o->rotate_ns) {
		rerr("--keep needs --rotate-size or --rotate-time");
		return KCAP_EXIT_USAGE;
	}
	if (o->follow && !o->cmd && !o->npids) {
		rerr("--follow needs a COMMAND after -- or --pid");
		return KCAP_EXIT_USAGE;
	}
	o->run = 1;
	return KCAP_EXIT_OK;
}

/* ---- context helpers for frontends ---- */

static void note_write_error(rec_ctx *c, int rc, const kcap_error *e);

static const kcap_schema *cur_schema(const rec_ctx *c)
{
	return c->fe_schema ? c->fe_schema : c->schema;
}

int rec_set_schema(rec_ctx *c, const kcap_schema *s)
{
	c->fe_schema = s;
	memset(c->cat_of, -1, sizeof c->cat_of);
	if (!c->w)
		return 0;
	int rc = kcap_writer_set_schema(c->w, s);
	if (rc < 0)
		note_write_error(c, rc, kcap_writer_error(c->w));
	return rc;
}

int rec_set_snapshot(rec_ctx *c, const kcap_snapshot *s)
{
	c->fe_snap = s;
	if (!c->w)
		return 0;
	int rc = kcap_writer_add_snapshot(c->w, s);
	if (rc < 0)
		note_write_error(c, rc, kcap_writer_error(c->w));
	return rc;
}

int rec_meta_merge(rec_ctx *c, const kcap_meta *m)
{
	const char *k, *v;
	for (size_t i = 0; kcap_meta_at(m, i, &k, &v) == 0; i++)
		if (strcmp(k, KCAP_META_SOURCE) && strcmp(k, KCAP_META_SOURCE_VERSION) && kcap_meta_set(c->meta, k, v) < 0)
			return KCAP_E_NOMEM;
	return 0;
}

int64_t rec_boot_to_wall(const rec_ctx *c)
{
	return c->boot_to_wall;
}

void rec_stat(rec_ctx *c, uint32_t cpu, const char *source, uint64_t seen, uint64_t lost)
{
	rec_statent *e = NULL;
	for (size_t i = 0; i < c->nstats; i++)
		if (c->stats[i].cpu == cpu && !strcmp(c->stats[i].source, source))
			e = &c->stats[i];
	if (!e) {
		if (c->nstats == MAX_STATS)
			return;
		e = &c->stats[c->nstats++];
		e->cpu = cpu;
		snprintf(e->source, sizeof e->source, "%s", source);
	}
	if (e->seen == seen && e->lost == lost && seen)
		return;
	e->seen = seen;
	e->lost = lost;
	if (c->w) {
		kcap_stat st = { .origin = 0, .cpu = cpu, .source = e->source, .seen = seen, .lost = lost };
		kcap_writer_set_stat(c->w, &st);
	}
}

/* ---- reorder window ----
 * Held events live in libkcap's reorder window (kcap_reorder), whose copies
 * are carved out of reused chunks: events leave the window roughly in the
 * order they came, so a malloc and free per event (a fifth of the
 * recorder's CPU) become a pointer bump. */

#define REC_QUEUE_SOFT_MAX 65536
static int release(rec_ctx *c, int64_t limit);

int rec_submit(rec_ctx *c, const kcap_event *ev, size_t raw_bytes)
{
	/* After a write error nothing more can be written and the recording is
	 * stopping: queueing what the source still delivers would only grow
	 * memory without bound (a busy source, a slow stop). */
	if (c->write_err) {
		c->failed_events++; /* counted as lost to the write failure */
		return 0;
	}
	int rc = kcap_reorder_push(c->q, ev);
	if (rc < 0)
		return rc;
	c->raw_bytes += raw_bytes;
	/* a source delivering a large backlog at once: keep memory bounded */
	if (kcap_reorder_count(c->q) >= REC_QUEUE_SOFT_MAX && !c->write_err)
		release(c, kcap_reorder_max_ts(c->q) - c->o->reorder_ns);
	return 0;
}

/* ---- output files ---- */

static void file_name(const rec_ctx *c, unsigned idx, char *out, size_t n)
{
	const char *o = c->o->out;
	if (!c->o->rotate_size && !c->o->rotate_ns) {
		snprintf(out, n, "%s", o);
		return;
	}
	const char *slash = strrchr(o, '/'), *dot = strrchr(o, '.');
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : o))
		snprintf(out, n, "%s-%06u", o, idx);
	else
		snprintf(out, n, "%.*s-%06u%s", (int)(dot - o), o, idx, dot);
}

static void note_write_error(rec_ctx *c, int rc, const kcap_error *e)
{
	if (c->write_err)
		return;
	c->write_err = rc;
	c->write_errno = e ? e->sys_errno : 0;
	if (e && e->msg[0])
		snprintf(c->write_msg, sizeof c->write_msg, "%s", e->msg);
	else
		snprintf(c->write_msg, sizeof c->write_msg, "%s", kcap_strerror(rc));
	if (e && e->sys_errno && !strstr(c->write_msg, strerror(e->sys_errno)))
		snprintf(c->write_msg + strlen(c->write_msg), sizeof c->write_msg - strlen(c->write_msg), " (%s)",
		         strerror(e->sys_errno));
}

static int close_file(rec_ctx *c)
{
	if (!c->w)
		return 0;
	uint64_t b = kcap_writer_bytes(c->w);
	uint64_t n = kcap_writer_events(c->w);
	int rc = kcap_writer_close(c->w);
	c->w = NULL;
	if (rc < 0) {
		kcap_error e = { .code = rc };
		note_write_error(c, rc, &e);
	} else if (!c->write_err) {
		c->events_closed += n;
	}
	/* after close the file also holds the index and footer */
	struct stat sb;
	if (strcmp(c->o->out, "-") && stat(c->path, &sb) == 0 && (uint64_t)sb.st_size > b)
		b = (uint64_t)sb.st_size;
	c->bytes_closed += b;
	return rc;
}

static int open_file(rec_ctx *c, unsigned idx)
{
	kcap_writer_opts wo = { .block_size = c->o->block_size, .level = c->o->level,
	                        .codec_set = (uint8_t)c->o->uncompressed, .flush_age_ns = 500 * 1000000LL };
	kcap_error err = {0};
	kcap_snapshot *snap = NULL;
	int rc;

	file_name(c, idx, c->path, sizeof c->path);
	if (c->text_out) {
		c->files++;
		return 0;
	}
	if (!strcmp(c->o->out, "-"))
		rc = kcap_writer_open_fd(&c->w, 1, 0, &wo, &err);
	else
		rc = kcap_writer_open_path(&c->w, c->path, &wo, &err);
	if (rc < 0) {
		note_write_error(c, rc, &err);
		goto cleanup;
	}
	if (c->o->seal && (rc = kcap_writer_set_seal(c->w, c->o->seal)) < 0)
		goto werr;
	c->file_index = idx;
	c->files++;
	c->file_start_ns = cli_now_ns(CLOCK_MONOTONIC);
	if ((rc = kcap_writer_add_meta(c->w, c->meta)) < 0 || (rc = kcap_writer_set_schema(c->w, cur_schema(c))) < 0)
		goto werr;
	if (c->fe->own_snapshot) { /* the frontend's snapshot, when it has one */
		if (c->fe_snap && (rc = kcap_writer_add_snapshot(c->w, c->fe_snap)) < 0)
			goto werr;
		goto stats;
	}
	snap = kcap_snapshot_new();
	if (!snap) {
		rc = KCAP_E_NOMEM;
		goto werr;
	}
	/* the host's user and group names go with its processes, for uid=0(root);
	 * a host without /etc/passwd or /etc/group records numbers only */
	kcap_snapshot_fill_names(snap, NULL, NULL);
	if (kcap_snapshot_fill_host(snap) >= 0 && (rc = kcap_writer_add_snapshot(c->w, snap)) < 0)
		goto werr;
stats:
	for (size_t i = 0; i < c->nstats; i++) {
		kcap_stat st = { .origin = 0, .cpu = c->stats[i].cpu, .source = c->stats[i].source,
		                 .seen = c->stats[i].seen, .lost = c->stats[i].lost };
		kcap_writer_set_stat(c->w, &st);
	}
	/* --keep: drop the oldest file beyond the limit */
	if (c->o->keep && idx >= c->o->keep) {
		char old[4096];
		file_name(c, idx - c->o->keep, old, sizeof old);
		unlink(old);
	}
	rc = 0;
	goto cleanup;
werr:
	note_write_error(c, rc, kcap_writer_error(c->w));
cleanup:
	kcap_snapshot_free(snap);
	return rc;
}

static int cat_index(const char *cat)
{
	static const char *const cats[] = { KCAP_CAT_PROCESS, KCAP_CAT_FILE, KCAP_CAT_NET, KCAP_CAT_USER };
	for (int i = 0; i < 4; i++)
		if (cat && !strcmp(cat, cats[i]))
			return i;
	return 4;
}

/* Writes one event; returns 0, or < 0 on a write error (recording stops). */
static int write_item(rec_ctx *c, kcap_event *ev)
{
	int rc;
	if (c->o->count && c->written >= c->o->count) {
		c->dropped_after_count++;
		return 0;
	}
	if (c->written && ev->ts < c->last_out_ts)
		c->late++;
	else
		c->last_out_ts = ev->ts;
	ev->seq = c->seq++;
	ev->def = NULL; /* the writer reads the type from its own schema */
	ev->meta = NULL;
	if (c->text_out) {
		if ((rc = kcap_render_text(&c->text, ev, cur_schema(c))) < 0) {
			note_write_error(c, rc, NULL);
			c->failed_events++;
			return rc;
		}
	} else if ((rc = kcap_writer_write(c->w, ev)) < 0) {
		note_write_error(c, rc, kcap_writer_error(c->w));
		c->failed_events++;
		return rc;
	}
	c->written++;
	uint32_t id = ev->type_id;
	int cat = id < 256 ? c->cat_of[id] : -1;
	if (cat < 0) {
		const kcap_type_def *d = kcap_schema_type(cur_schema(c), id);
		cat = cat_index(d ? d->category : NULL);
		if (id < 256)
			c->cat_of[id] = (int8_t)cat;
	}
	c->by_cat[cat]++;
	if (c->o->rotate_size && kcap_writer_bytes(c->w) >= c->o->rotate_size) {
		if ((rc = close_file(c)) < 0 || (rc = open_file(c, c->file_index + 1)) < 0)
			return rc;
	}
	return 0;
}

/* Text lines go out as soon as their events leave the reorder window:
 * the terminal is watched live. */
static int flush_text(rec_ctx *c)
{
	size_t done = 0;
	while (done < c->text.len) {
		ssize_t k = write(STDOUT_FILENO, c->text.data + done, c->text.len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			kcap_error e = { .code = KCAP_E_IO, .sys_errno = errno };
			snprintf(e.msg, sizeof e.msg, "write failed");
			note_write_error(c, KCAP_E_IO, &e);
			/* the lines not out (one per event) were counted as written */
			for (size_t i = done; i < c->text.len; i++)
				if (c->text.data[i] == '\n' && c->written) {
					c->written--;
					c->failed_events++;
				}
			c->text.len = 0;
			return -1;
		}
		done += (size_t)k;
	}
	c->text.len = 0;
	return 0;
}

/* Writes held events with ts <= limit. */
static int release(rec_ctx *c, int64_t limit)
{
	int rc = 0;
	kcap_event *ev;
	while (!c->write_err && (ev = kcap_reorder_pop(c->q, limit)))
		if (write_item(c, ev) < 0) {
			rc = -1;
			break;
		}
	if (c->text_out && c->text.len && flush_text(c) < 0)
		rc = -1;
	return rc;
}

/* After a write failure: how many of the events written are in the files.
 * A block the writer had accepted may not have reached the disk (ENOSPC in
 * the middle of it), so the last file is read back as every reader reads
 * it (with what a reader recovers from a cut block): those events are
 * there, the rest is lost. Returns the count. */
static uint64_t events_on_disk(rec_ctx *c)
{
	kcap_reader *r = NULL;
	kcap_error e = {0};
	uint64_t n = c->events_closed;
	const kcap_event *ev;
	if (!strcmp(c->o->out, "-") || kcap_reader_open_path(&r, c->path, &e) < 0)
		return n; /* a stream's reader has what it got: nothing to count here */
	while (kcap_reader_next(r, &ev) > 0)
		n++;
	kcap_reader_close(r);
	return n;
}

/* ---- the run ---- */

static pid_t launch(char **cmd, int *release_fd)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char b;
		close(p[1]);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		/* wait until the recorder is ready (or gone: EOF) */
		while (read(p[0], &b, 1) < 0 && errno == EINTR)
			;
		close(p[0]);
		execvp(cmd[0], cmd);
		rerr("cannot run %s: %s", cmd[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

static void fmt_bytes(char *out, size_t n, uint64_t b)
{
	if (b >= (10ull << 20))
		snprintf(out, n, "%.1f MiB", b / 1048576.0);
	else if (b >= (10ull << 10))
		snprintf(out, n, "%.1f KiB", b / 1024.0);
	else
		snprintf(out, n, "%" PRIu64 " B", b);
}

static void summary(rec_ctx *c, const char *why, double secs)
{
	uint64_t lost = 0, seen = 0;
	char lostby[512] = "", b1[32];
	size_t lb = 0;
	for (size_t i = 0; i < c->nstats; i++) {
		lost += c->stats[i].lost;
		seen += c->stats[i].seen;
	}
	/* per-source totals */
	for (size_t i = 0; i < c->nstats; i++) {
		int first = 1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->stats[j].source, c->stats[i].source))
				first = 0;
		if (!first)
			continue;
		uint64_t l = 0;
		for (size_t j = i; j < c->nstats; j++)
			if (!strcmp(c->stats[j].source, c->stats[i].source))
				l += c->stats[j].lost;
		lb += (size_t)snprintf(lostby + lb, lb < sizeof lostby ? sizeof lostby - lb : 0, "%s%s %" PRIu64,
		                       lb ? ", " : "", c->stats[i].source, l);
		if (lb >= sizeof lostby)
			break;
	}
	uint64_t bytes = c->bytes_closed + (c->w ? kcap_writer_bytes(c->w) : 0);
	fmt_bytes(b1, sizeof b1, bytes);
	fprintf(stderr, "kcap record: stopped: %s\n", why);
	fprintf(stderr, "  events   %" PRIu64 " written in %.1f s (%.0f/s), %u file%s%s%s\n", c->written, secs,
	        secs > 0 ? c->written / secs : 0.0, c->files, c->files == 1 ? "" : "s",
	        c->files ? ", last " : "", c->files ? c->path : "");
	fprintf(stderr, "  by class process %" PRIu64 "  file %" PRIu64 "  net %" PRIu64 "  user %" PRIu64 "%s\n",
	        c->by_cat[0], c->by_cat[1], c->by_cat[2], c->by_cat[3], c->by_cat[4] ? "  other" : "");
	if (c->write_lost)
		lb += (size_t)snprintf(lostby + lb, lb < sizeof lostby ? sizeof lostby - lb : 0, "%swrite failure %" PRIu64,
		                       lb ? ", " : "", c->write_lost);
	fprintf(stderr, "  lost     %" PRIu64 "%s%s%s (of %" PRIu64 " seen by the source)\n", lost + c->write_lost,
	        lb ? " [" : "", lostby, lb ? "]" : "", seen);
	if (c->late || c->dropped_after_count)
		fprintf(stderr, "  order    %" PRIu64 " events arrived after the reorder window; %" PRIu64
		        " not written (past --count)\n", c->late, c->dropped_after_count);
	fprintf(stderr, "  bytes    %s on disk, ratio %.1fx (source records %" PRIu64 " B / file bytes)\n", b1,
	        bytes ? (double)c->raw_bytes / bytes : 0.0, c->raw_bytes);
}

int rec_run(const rec_opts *o, const rec_frontend *fe)
{
	rec_ctx *c = calloc(1, sizeof *c);
	void *st = NULL;
	char why[512] = "", num[32];
	int rc = KCAP_EXIT_ERROR, status = 0, child_done = 0, release_fd = -1;
	pid_t child = -1;
	const char *stopwhy = "interrupted";
	struct sigaction sa;

	if (!c) {
		rerr("out of memory");
		return KCAP_EXIT_ERROR;
	}
	c->o = o;
	c->fe = fe;
	if (kcap_reorder_new(&c->q, 0)) {
		free(c);
		rerr("out of memory");
		return KCAP_EXIT_ERROR;
	}
	memset(c->cat_of, -1, sizeof c->cat_of);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	stop_signal = 0;

	c->schema = kcap_schema_new();
	c->meta = kcap_meta_new();
	if (!c->schema || !c->meta || kcap_taxonomy_schema(c->schema) < 0) {
		rerr("out of memory");
		goto cleanup;
	}
	kcap_meta_fill_host(c->meta);
	kcap_meta_set(c->meta, KCAP_META_SOURCE, fe->name);
	kcap_meta_set(c->meta, KCAP_META_SOURCE_VERSION, fe->version);
	snprintf(num, sizeof num, "%" PRId64, cli_now_ns(CLOCK_REALTIME));
	kcap_meta_set(c->meta, KCAP_META_CAPTURE_START, num);
	const char *off = kcap_meta_get(c->meta, KCAP_META_BOOT_OFFSET);
	if (off) {
		c->boot_to_wall = strtoll(off, NULL, 10);
	} else {
		c->boot_to_wall = cli_now_ns(CLOCK_REALTIME) - cli_now_ns(CLOCK_BOOTTIME);
		snprintf(num, sizeof num, "%" PRId64, c->boot_to_wall);
		kcap_meta_set(c->meta, KCAP_META_BOOT_OFFSET, num);
		kcap_meta_set(c->meta, KCAP_META_CLOCK, "CLOCK_BOOTTIME");
	}

	/* a terminal gets text lines, as every command shows it */
	c->text_out = !strcmp(o->out, "-") && isatty(STDOUT_FILENO);
	if (fe->open(c, o, &st, why, sizeof why) < 0) {
		rerr("%s frontend: %s", fe->name, why);
		goto cleanup;
	}
	if (open_file(c, 0) < 0) {
		rerr("%s: %s", c->path, c->write_msg);
		goto cleanup;
	}
	if (o->cmd) {
		child = launch(o->cmd, &release_fd);
		if (child < 0) {
			rerr("cannot start %s: %s", o->cmd[0], strerror(errno));
			goto cleanup;
		}
		if (o->follow && fe->add_pid && fe->add_pid(st, child) < 0) {
			rerr("cannot follow pid %d", (int)child);
			kill(child, SIGKILL);
			close(release_fd);
			waitpid(child, &status, 0);
			goto cleanup;
		}
		close(release_fd);
	}

	int64_t t0 = cli_now_ns(CLOCK_MONOTONIC), last_stats = t0;
	int forwarded = 0;
	int64_t drain_deadline = 0;
	for (;;) {
		int64_t wall_before = cli_now_ns(CLOCK_REALTIME);
		int n = fe->poll(st, 50, why, sizeof why);
		if (n < 0) {
			rerr("%s frontend: %s", fe->name, why);
			stopwhy = "source error";
			break;
		}
		int64_t now = cli_now_ns(CLOCK_MONOTONIC);
		/* A poll delivers everything the source had when it began, roughly in
		 * time order: hold events for the reorder window behind the newest
		 * one, or behind the time the poll began. */
		int64_t limit = wall_before - o->reorder_ns;
		int64_t max_ts = kcap_reorder_max_ts(c->q);
		if (max_ts != INT64_MIN && max_ts - o->reorder_ns > limit)
			limit = max_ts - o->reorder_ns;
		if (release(c, limit) < 0)
			break;
		if (now - last_stats >= 1000000000LL) {
			if (fe->stats)
				fe->stats(st);
			last_stats = now;
		}
		/* blocks older than the writer's flush age (500 ms) go out now, to a
		 * file as to a pipe: a live pipeline sees events within a second */
		if (c->w && kcap_writer_tick(c->w, cli_now_ns(CLOCK_REALTIME)) < 0) {
			note_write_error(c, -1, kcap_writer_error(c->w));
			break;
		}
		if (c->write_err)
			break;
		if (o->rotate_ns && now - c->file_start_ns >= o->rotate_ns) {
			release(c, INT64_MAX - 1);
			if (c->write_err || close_file(c) < 0 || open_file(c, c->file_index + 1) < 0)
				break;
		}
		if (o->count && c->written >= o->count) {
			stopwhy = "--count reached";
			break;
		}
		if (o->duration_ns && now - t0 >= o->duration_ns) {
			stopwhy = "--duration reached";
			break;
		}
		if (child > 0 && !child_done && waitpid(child, &status, WNOHANG) == child) {
			child_done = 1;
			stopwhy = "command exited";
			break;
		}
		if (stop_signal) {
			if (child > 0 && !child_done) {
				/* pass the stop on to the command, then wait for it to end */
				if (!forwarded) {
					kill(child, stop_signal);
					forwarded = 1;
					drain_deadline = now + 5000000000LL;
				} else if (now > drain_deadline) {
					kill(child, SIGKILL);
				}
				continue;
			}
			stopwhy = stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
			break;
		}
	}
	/* Stop the source, then take everything it still holds. */
	if (fe->stop)
		fe->stop(st);
	/* (a frontend without stop() is drained only after its command exited,
	 * as it would otherwise keep delivering). After a write failure the
	 * drain still runs: what the source holds is then counted as lost
	 * (rec_submit), so written + lost adds up to what the source saw. */
	if (strcmp(stopwhy, "source error") && (fe->stop || child_done)) {
		int64_t until = cli_now_ns(CLOCK_MONOTONIC) + (fe->stop ? 3000000000LL : 2000000000LL);
		int idle = 0;
		while (idle < 2 && cli_now_ns(CLOCK_MONOTONIC) < until) {
			int n = fe->poll(st, fe->stop ? 0 : 10, why, sizeof why);
			if (n < 0)
				break;
			idle = n == 0 ? idle + 1 : 0;
			if (!c->write_err && kcap_reorder_max_ts(c->q) != INT64_MIN) /* nothing seen yet: nothing to release */
				release(c, kcap_reorder_max_ts(c->q) - o->reorder_ns);
		}
	}
	if (fe->stats)
		fe->stats(st);
	if (!c->write_err)
		release(c, INT64_MAX);
	double secs = (cli_now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (child > 0 && !child_done) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
		child_done = 1;
	}
	int werr = c->write_err;
	uint64_t lost = 0;
	for (size_t i = 0; i < c->nstats; i++)
		lost += c->stats[i].lost;
	if (!werr)
		close_file(c);
	/* the reader of stdout went away: end quietly (cli_broken_pipe, once
	 * the source is closed and the kernel's state restored) */
	int broken_pipe = (werr || c->write_err) && c->write_errno == EPIPE && !strcmp(o->out, "-");
	/* a full disk loses what did not reach it: counted as lost (exit 4) */
	int disk_full = (werr || c->write_err) && (c->write_errno == ENOSPC || c->write_errno == EDQUOT);
	if ((werr || c->write_err) && !broken_pipe) {
		stopwhy = "write error";
		close_file(c);
		uint64_t on_disk = c->text_out ? c->written : events_on_disk(c);
		c->write_lost = (c->written > on_disk ? c->written - on_disk : 0) + kcap_reorder_count(c->q) + c->failed_events;
		c->written = on_disk;
		rerr("%s: %s; recording stopped after %" PRIu64 " events, the file is readable up to the "
		     "last complete block (%" PRIu64 " events lost)", c->text_out ? "(stdout)" : c->path, c->write_msg,
		     c->written, c->write_lost);
	} else if (broken_pipe) {
		stopwhy = "the reader of stdout went away";
		close_file(c);
	}
	if (!o->quiet && !broken_pipe)
		summary(c, stopwhy, secs);
	if (disk_full)
		rc = KCAP_EXIT_LOST;
	else if (c->write_err)
		rc = KCAP_EXIT_ERROR;
	else if (child > 0)
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	else if (!strcmp(stopwhy, "source error")) /* said above; what came before it is written */
		rc = KCAP_EXIT_ERROR;
	else if (lost)
		rc = KCAP_EXIT_LOST;
	else
		rc = KCAP_EXIT_OK;
cleanup:
	if (st && fe->close)
		fe->close(st);
	if (c->w)
		kcap_writer_close(c->w);
	kcap_reorder_free(c->q);
	kcap_schema_free(c->schema);
	kcap_meta_free(c->meta);
	kcap_buf_free(&c->text);
	int broken = c->write_err && c->write_errno == EPIPE && !strcmp(o->out, "-");
	free(c);
	if (broken)
		cli_broken_pipe();
	return rc;
}
