/*
 * audit_live.c - the live audit frontend of `kcap record` (--source audit):
 * registers as the audit daemon over NETLINK_AUDIT, installs syscall rules
 * for the selected event types, and turns the records the kernel sends into
 * taxonomy events through the audit importer (formats/audit/audit_import.h). Every
 * exit path that reaches close() removes exactly the rules it added and
 * restores the previous enabled, pid, backlog and rate settings.
 */
#include <errno.h>
#include <limits.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include <kcap/syscall_map.h>
#include <kcap/taxonomy.h>

#include "audit/audit_import.h"
#include "audit/audit_tables.h"
#include "audit_netlink.h"
#include "cli.h"
#include "record_common.h"
#include "record_guard.h"

/* Rules carry this key followed by the recorder's pid, so they can be told
 * apart from anyone else's (and stale ones from a killed recorder found). */
#define KEY_PREFIX "kcap-record-"
/* The settings a recorder changed are saved here until it has restored
 * them, so the next recorder can repair what a killed one left behind. */
#define STATE_DIR "/run/kcap"
#define STATE_PREFIX "audit-record."
/* Events whose EOE record was lost are completed this long after their
 * first record arrived (the importer of files bounds by count only); at most
 * this many events are open at once, more than a file import allows: records
 * of concurrent events interleave, and a small bound completes events early
 * and reports serial gaps that are not loss. */
#define REASM_WINDOW_NS (250 * 1000000LL)
#define REASM_MAX_PENDING 65536
/* True timestamps of recent serials (a power of two). */
#define TIME_RING 65536
/* Messages read per poll() before returning to the recorder loop. */
#define BATCH 4096
#define HEAD_MAX 48

typedef struct live_rule {
	struct audit_rule_data *r;
	size_t len;
	int installed;
} live_rule;

typedef struct serial_time {
	uint32_t serial;
	uint32_t msec, arr_msec;
	int64_t sec, arr_sec;
} serial_time;

typedef struct live_state {
	rec_ctx *ctx;
	const rec_opts *o;
	int ctl;                    /* requests */
	int evfd;                   /* the daemon socket: records arrive here */
	struct audit_status prev;   /* status before we changed it */
	int status_changed, pid_set;
	uint32_t lost0;             /* kernel lost counter when we started */
	live_rule *rules;
	size_t nrules;
	char key[48];
	char state_path[64];        /* saved settings, "" when not written */
	rec_guard *guard;           /* restores prev, key's rules and state_path if we die */
	kcap_audit_import *imp;
	char *buf, *line;
	char (*heads)[HEAD_MAX];    /* per record type: "type=NAME msg=" */
	serial_time *times;         /* by serial % TIME_RING */
	uint32_t newest_serial, newest_done; /* newest seen, newest delivered */
	int any_serial, any_done;
	int err;                    /* KCAP_E_* that stops the recording */
	uint64_t records, raw_pending, unparsed;
	/* --follow: the followed process tree (open addressing, 0 = empty) */
	int follow;
	int32_t *tree;
	size_t tree_cap, tree_n;
} live_state;

/* ---- the followed process tree ---- */

static int tree_has(const live_state *s, int32_t pid)
{
	if (pid <= 0 || !s->tree_cap)
		return 0;
	for (size_t i = (size_t)pid * 2654435761u % s->tree_cap;; i = (i + 1) % s->tree_cap) {
		if (s->tree[i] == pid)
			return 1;
		if (!s->tree[i])
			return 0;
	}
}

static int tree_add(live_state *s, int32_t pid)
{
	if (pid <= 0 || tree_has(s, pid))
		return 0;
	if ((s->tree_n + 1) * 2 > s->tree_cap) {
		size_t nc = s->tree_cap ? s->tree_cap * 2 : 256;
		int32_t *nt = calloc(nc, sizeof *nt), *old = s->tree;
		size_t oc = s->tree_cap;
		if (!nt)
			return KCAP_E_NOMEM;
		s->tree = nt;
		s->tree_cap = nc;
		s->tree_n = 0;
		for (size_t i = 0; i < oc; i++)
			if (old[i])
				tree_add(s, old[i]);
		free(old);
	}
	size_t i = (size_t)pid * 2654435761u % s->tree_cap;
	while (s->tree[i])
		i = (i + 1) % s->tree_cap;
	s->tree[i] = pid;
	s->tree_n++;
	return 0;
}

static int is_clone_type(uint32_t id)
{
	return id == KCAP_EV_FORK || id == KCAP_EV_VFORK || id == KCAP_EV_CLONE || id == KCAP_EV_CLONE3;
}

/* ---- the importer's sink ---- */

/* One mapped event: scope filters the kernel rules could not apply, then
 * the standard params (without the importer's "audit" param, which the
 * recorder's schema does not declare) to the recorder. Everything is origin
 * 0, the recorder's own metadata; loss is reported live by live_stats(). */
static int live_event(void *ud, const kcap_event *e)
{
	live_state *s = ud;
	const kcap_type_def *d = e->type_id < KCAP_AUDIT_TYPE_BASE ? kcap_taxonomy_type(e->type_id) : NULL;
	if (!d || e->nparams < d->nparams)
		return 0; /* CONFIG_CHANGE, user messages, syscalls outside the taxonomy */
	if (s->follow) {
		int in = tree_has(s, e->pid);
		if (!in && tree_has(s, e->ppid)) {
			if (tree_add(s, e->pid) < 0)
				return s->err = KCAP_E_NOMEM;
			in = 1;
		}
		if (!in)
			return 0;
		if (is_clone_type(e->type_id)) {
			const kcap_value *ret = &e->params[KCAP_P_CLONE_RET];
			if (ret->present && ret->i > 0 && tree_add(s, (int32_t)ret->i) < 0)
				return s->err = KCAP_E_NOMEM;
		}
	}
	if (s->o->comm_on && (e->comm_len != strlen(s->o->comm) || memcmp(e->comm, s->o->comm, e->comm_len)))
		return 0;
	if (!s->o->types[e->type_id])
		return 0;
	kcap_event ev = *e;
	ev.nparams = d->nparams;
	ev.origin = 0;
	int rc = rec_submit(s->ctx, &ev, s->raw_pending);
	s->raw_pending = 0;
	if (rc < 0)
		s->err = rc;
	return rc;
}

/* The reassembler saw arrival times (see on_message): the event gets its
 * true time back before it is mapped. */
static void live_event_time(void *ud, uint32_t serial, int64_t *sec, uint32_t *msec)
{
	live_state *s = ud;
	const serial_time *t = &s->times[serial % TIME_RING];
	if (!s->any_done || (int32_t)(serial - s->newest_done) > 0)
		s->newest_done = serial;
	s->any_done = 1;
	if (t->serial == serial && t->arr_sec == *sec && t->arr_msec == *msec) {
		*sec = t->sec;
		*msec = t->msec;
	}
}

/* ---- records ---- */

/* One message from the daemon socket: one record. Its length is the
 * received size (the header's nlmsg_len is not trusted). */
static void on_message(void *ud, const void *msg, size_t n)
{
	live_state *s = ud;
	uint16_t type;
	const char *p;
	size_t len;
	if (s->err || !anl_record(msg, n, &type, &p, &len))
		return;
	s->records++;
	s->raw_pending += len;
	/* "type=NAME msg=" once per record type */
	char *head = s->heads[type - AUDIT_FIRST_USER_MSG];
	if (!head[0]) {
		const char *name = kcap_audit_type_name(type);
		if (name && strlen(name) < HEAD_MAX - 12)
			snprintf(head, HEAD_MAX, "type=%s msg=", name);
		else
			snprintf(head, HEAD_MAX, "type=UNKNOWN[%u] msg=", type);
	}
	size_t hl = strlen(head);
	memcpy(s->line, head, hl);
	memcpy(s->line + hl, p, len);
	kcap_audit_record *rec = NULL;
	kcap_error perr;
	int rc = kcap_audit_record_parse(s->line, hl + len, &rec, &perr);
	if (rc == KCAP_E_NOMEM) {
		s->err = rc;
		return;
	}
	if (rc < 0) {
		s->unparsed++;
		return;
	}
	if (!s->any_serial || (int32_t)(rec->serial - s->newest_serial) > 0)
		s->newest_serial = rec->serial;
	s->any_serial = 1;
	/* The reassembler sees arrival times, so its window counts from when a
	 * record arrived, not from its timestamp, which the kernel takes at
	 * syscall entry (a syscall that blocks longer than the window would
	 * otherwise be cut from its PATH or SOCKADDR records); live_event_time()
	 * puts the true time back. */
	serial_time *t = &s->times[rec->serial % TIME_RING];
	if (t->serial != rec->serial || (!t->sec && !t->arr_sec)) {
		int64_t now = cli_now_ns(CLOCK_REALTIME) / 1000000;
		*t = (serial_time){ .serial = rec->serial, .sec = rec->sec, .msec = rec->msec,
		                    .arr_sec = now / 1000, .arr_msec = (uint32_t)(now % 1000) };
	}
	rec->sec = t->arr_sec;
	rec->msec = t->arr_msec;
	rc = kcap_audit_import_record(s->imp, rec);
	if (rc < 0 && !s->err)
		s->err = rc;
}

/* Reads what is ready, up to BATCH messages. Returns the count or -errno. */
static long drain(live_state *s)
{
	long got = 0;
	size_t lens[ANL_BATCH_MAX];
	while (got < BATCH && !s->err) {
		int m = anl_recv_batch(s->evfd, s->buf, ANL_BUF, ANL_BATCH_MAX, lens);
		if (m == -ENOBUFS) /* the socket overflowed: the serial gaps count it */
			continue;
		if (m < 0)
			return m;
		if (m == 0)
			break;
		for (int i = 0; i < m; i++)
			on_message(s, s->buf + (size_t)i * ANL_BUF, lens[i]);
		got += m;
	}
	int rc = kcap_audit_import_tick(s->imp, cli_now_ns(CLOCK_REALTIME));
	if (rc < 0 && !s->err)
		s->err = rc;
	return got;
}

/* ---- rules ---- */

static const struct {
	kcap_audit_arch arch;
	uint32_t value;
} ARCHES[] = {
#if defined(__x86_64__)
	{KCAP_AUDIT_ARCH_X86_64, AUDIT_ARCH_X86_64},
	{KCAP_AUDIT_ARCH_I386, AUDIT_ARCH_I386},
#elif defined(__aarch64__)
	{KCAP_AUDIT_ARCH_AARCH64, AUDIT_ARCH_AARCH64},
#elif defined(__i386__)
	{KCAP_AUDIT_ARCH_I386, AUDIT_ARCH_I386},
#endif
	{KCAP_AUDIT_ARCH_UNKNOWN, 0},
};

static void add_field(struct audit_rule_data *r, uint32_t field, uint32_t op, uint32_t value)
{
	r->fields[r->field_count] = field;
	r->fieldflags[r->field_count] = op;
	r->values[r->field_count] = value;
	r->field_count++;
}

/* One rule: arch, syscall mask, scope fields, "not us", the key. */
static int push_rule(live_state *s, uint32_t arch, const uint32_t *mask, int32_t pid, int exec_only)
{
	size_t klen = strlen(s->key);
	live_rule *nr = realloc(s->rules, (s->nrules + 1) * sizeof *nr);
	if (!nr)
		return KCAP_E_NOMEM;
	s->rules = nr;
	struct audit_rule_data *r = calloc(1, sizeof *r + klen);
	if (!r)
		return KCAP_E_NOMEM;
	r->flags = AUDIT_FILTER_EXIT;
	r->action = AUDIT_ALWAYS;
	memcpy(r->mask, mask, sizeof r->mask);
	add_field(r, AUDIT_ARCH, AUDIT_EQUAL, arch);
	if (pid > 0)
		add_field(r, AUDIT_PID, AUDIT_EQUAL, (uint32_t)pid);
	if (s->o->uid_on)
		add_field(r, AUDIT_UID, AUDIT_EQUAL, s->o->uid);
	add_field(r, AUDIT_PID, AUDIT_NOT_EQUAL, (uint32_t)getpid());
	if (exec_only) /* the taxonomy keeps executable mappings only */
		add_field(r, AUDIT_ARG2, AUDIT_BIT_MASK, KCAP_SYS_PROT_EXEC);
	add_field(r, AUDIT_FILTERKEY, AUDIT_EQUAL, (uint32_t)klen);
	memcpy(r->buf, s->key, klen);
	r->buflen = (uint32_t)klen;
	nr[s->nrules].r = r;
	nr[s->nrules].len = sizeof *r + klen;
	nr[s->nrules].installed = 0;
	s->nrules++;
	return 0;
}

/* Builds the rules for the selection: per native arch, the syscalls the
 * syscall map (kcap/syscall_map.h, which the importer reads them back
 * with) makes a selected taxonomy type. */
static int build_rules(live_state *s, char *why, size_t n)
{
	const rec_opts *o = s->o;
	int any_net = 0;
	for (size_t i = 0; kcap_taxonomy_type_at(i); i++) {
		const kcap_type_def *t = kcap_taxonomy_type_at(i);
		if (o->types[t->id] && !strcmp(t->category, KCAP_CAT_NET))
			any_net = 1;
	}
	if (ARCHES[0].value == 0) {
		snprintf(why, n, "no syscall tables for this architecture");
		return -1;
	}
	for (size_t a = 0; ARCHES[a].value; a++) {
		uint32_t mask[AUDIT_BITMASK_SIZE] = {0}, exec_mask[AUDIT_BITMASK_SIZE] = {0};
		int any = 0, any_exec = 0;
		for (long nr = 0; nr < AUDIT_BITMASK_SIZE * 32; nr++) {
			const char *name = kcap_audit_syscall_name(ARCHES[a].arch, nr);
			if (!name)
				continue;
			/* the importer's mapping, aliases (i386's setuid32, mmap2, ...) included */
			const kcap_syscall *m = kcap_syscall_by_name(name);
			uint32_t id = m ? m->type : 0;
			/* i386 socketcall() multiplexes the socket calls */
			int want = (id && o->types[id]) || (any_net && !strcmp(name, "socketcall")) ||
			           (s->follow && is_clone_type(id));
			if (!want)
				continue;
			if (m && (m->flags & KCAP_SYSCALL_EXEC_ONLY)) {
				exec_mask[nr / 32] |= 1u << (nr % 32);
				any_exec = 1;
			} else {
				mask[nr / 32] |= 1u << (nr % 32);
				any = 1;
			}
		}
		int npid = o->npids && !s->follow ? o->npids : 1;
		for (int p = 0; p < npid; p++) {
			int32_t pid = o->npids && !s->follow ? o->pids[p] : 0;
			if ((any && push_rule(s, ARCHES[a].value, mask, pid, 0) < 0) ||
			    (any_exec && push_rule(s, ARCHES[a].value, exec_mask, pid, 1) < 0)) {
				snprintf(why, n, "out of memory");
				return -1;
			}
		}
	}
	if (!s->nrules) {
		snprintf(why, n, "none of the selected events is a system call the audit rules can name");
		return -1;
	}
	return 0;
}

static int pid_alive(uint32_t pid)
{
	return pid && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Rules of a recorder that was killed (SIGKILL cannot be caught): our key
 * with the pid of a process that is gone. */
typedef struct stale_list {
	struct audit_rule_data *r[64];
	size_t len[64];
	size_t n;
	const char *key; /* only the rules with this key (the guardian), else those of dead recorders */
} stale_list;

static void find_stale(void *ud, const struct audit_rule_data *r, size_t len)
{
	stale_list *sl = ud;
	size_t plen = strlen(KEY_PREFIX);
	if (sl->n == 64 || len < sizeof *r || r->field_count > AUDIT_MAX_FIELDS || r->buflen != len - sizeof *r)
		return;
	/* our rules have the key as their only string field */
	for (uint32_t i = 0; i < r->field_count; i++) {
		if (r->fields[i] != AUDIT_FILTERKEY)
			continue;
		if (r->values[i] <= plen || r->values[i] >= 40 || r->values[i] != r->buflen ||
		    memcmp(r->buf, KEY_PREFIX, plen))
			return;
		char num[48];
		memcpy(num, r->buf + plen, r->values[i] - plen);
		num[r->values[i] - plen] = 0;
		char *end;
		unsigned long pid = strtoul(num, &end, 10);
		if (sl->key ? r->buflen != strlen(sl->key) || memcmp(r->buf, sl->key, r->buflen)
		            : *end || pid_alive((uint32_t)pid))
			return;
		if ((sl->r[sl->n] = malloc(len))) {
			memcpy(sl->r[sl->n], r, len);
			sl->len[sl->n++] = len;
		}
		return;
	}
}

/* Removes the rules of recorders that are gone (key NULL), or those with
 * key; returns how many. */
static size_t remove_rules(int ctl, const char *key)
{
	stale_list sl = { .n = 0, .key = key };
	if (anl_list_rules(ctl, find_stale, &sl) < 0)
		return 0;
	size_t removed = 0;
	for (size_t i = 0; i < sl.n; i++) {
		if (anl_rule(ctl, 0, sl.r[i], sl.len[i]) == 0)
			removed++;
		free(sl.r[i]);
	}
	return removed;
}

static void remove_stale_rules(live_state *s)
{
	size_t removed = remove_rules(s->ctl, NULL);
	if (removed)
		fprintf(stderr, "kcap record: removed %zu audit rule%s left by a kcap recorder that was killed\n", removed,
		        removed == 1 ? "" : "s");
}

/* ---- saved settings ---- */

static void save_state(live_state *s)
{
	mkdir(STATE_DIR, 0700);
	snprintf(s->state_path, sizeof s->state_path, STATE_DIR "/" STATE_PREFIX "%d", (int)getpid());
	FILE *f = fopen(s->state_path, "w");
	if (!f) {
		s->state_path[0] = 0;
		return;
	}
	fprintf(f, "enabled %u backlog_limit %u backlog_wait_time %u rate_limit %u\n", s->prev.enabled,
	        s->prev.backlog_limit, s->prev.backlog_wait_time, s->prev.rate_limit);
	if (fclose(f) != 0) {
		unlink(s->state_path);
		s->state_path[0] = 0;
	}
}

/* Restores the settings saved by recorders that are gone (killed: SIGKILL
 * or a crash cannot be caught) and removes their files. */
static void repair_stale_state(live_state *s)
{
	DIR *d = opendir(STATE_DIR);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], *end;
		if (strncmp(e->d_name, STATE_PREFIX, strlen(STATE_PREFIX)))
			continue;
		unsigned long pid = strtoul(e->d_name + strlen(STATE_PREFIX), &end, 10);
		if (*end || !pid || pid_alive((uint32_t)pid))
			continue;
		snprintf(path, sizeof path, STATE_DIR "/%s", e->d_name);
		FILE *f = fopen(path, "r");
		struct audit_status st = {
			.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT | AUDIT_STATUS_BACKLOG_WAIT_TIME |
			        AUDIT_STATUS_RATE_LIMIT,
		};
		int ok = f && fscanf(f, "enabled %u backlog_limit %u backlog_wait_time %u rate_limit %u", &st.enabled,
		                     &st.backlog_limit, &st.backlog_wait_time, &st.rate_limit) == 4;
		if (f)
			fclose(f);
		if (ok && st.enabled <= 1 && anl_set_status(s->ctl, &st, NULL, NULL) == 0)
			fprintf(stderr, "kcap record: restored the audit settings (enabled=%u backlog_limit=%u "
			        "backlog_wait_time=%u rate_limit=%u) left changed by a kcap recorder (pid %lu) that was "
			        "killed\n", st.enabled, st.backlog_limit, st.backlog_wait_time, st.rate_limit, pid);
		unlink(path);
	}
	closedir(d);
}

/* In the guardian (record_guard.h), when the recorder died without
 * restoring: its rules go, the settings it saved come back, its state file
 * goes. (The kernel unregisters a dead audit daemon by itself.) */
static void guard_restore(void *ud)
{
	const live_state *s = ud;
	int ctl = -1;
	if (anl_open(&ctl, 0) < 0)
		return;
	size_t removed = remove_rules(ctl, s->key);
	struct audit_status st = {
		.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT | AUDIT_STATUS_BACKLOG_WAIT_TIME |
		        AUDIT_STATUS_RATE_LIMIT,
		.enabled = s->prev.enabled, .backlog_limit = s->prev.backlog_limit,
		.backlog_wait_time = s->prev.backlog_wait_time, .rate_limit = s->prev.rate_limit,
	};
	int rc = anl_set_status(ctl, &st, NULL, NULL);
	if (rc == 0 && s->state_path[0])
		unlink(s->state_path);
	close(ctl);
	fprintf(stderr, "kcap record: the recorder died; its guardian removed %zu audit rule%s and %s the audit "
	        "settings\n", removed, removed == 1 ? "" : "s", rc == 0 ? "restored" : "could not restore");
}

/* ---- frontend callbacks ---- */

static void live_close(void *vs)
{
	live_state *s = vs;
	if (!s)
		return;
	int rc;
	for (size_t i = 0; i < s->nrules; i++) {
		if (s->rules[i].installed && (rc = anl_rule(s->ctl, 0, s->rules[i].r, s->rules[i].len)) < 0)
			fprintf(stderr, "kcap record: audit: could not remove rule %zu (key %s): %s\n", i, s->key,
			        strerror(-rc));
		free(s->rules[i].r);
	}
	free(s->rules);
	if (s->status_changed) {
		struct audit_status st = {
			.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT | AUDIT_STATUS_BACKLOG_WAIT_TIME |
			        AUDIT_STATUS_RATE_LIMIT,
			.enabled = s->prev.enabled, .backlog_limit = s->prev.backlog_limit,
			.backlog_wait_time = s->prev.backlog_wait_time, .rate_limit = s->prev.rate_limit,
		};
		if ((rc = anl_set_status(s->ctl, &st, NULL, NULL)) < 0)
			fprintf(stderr, "kcap record: audit: could not restore enabled=%u backlog_limit=%u "
			        "backlog_wait_time=%u rate_limit=%u: %s\n", s->prev.enabled, s->prev.backlog_limit,
			        s->prev.backlog_wait_time, s->prev.rate_limit, strerror(-rc));
		else if (s->state_path[0])
			unlink(s->state_path);
	} else if (s->state_path[0]) {
		unlink(s->state_path);
	}
	if (s->pid_set) {
		/* only 0 or ourselves can be set; the previous pid was 0 or dead */
		struct audit_status st = { .mask = AUDIT_STATUS_PID, .pid = 0 };
		rc = anl_set_status(s->evfd, &st, NULL, NULL);
		/* the ack can be lost when records still flood the socket: ask */
		if (rc < 0 && anl_get_status(s->ctl, &st) == 0 && st.pid != (uint32_t)getpid())
			rc = 0;
		if (rc < 0)
			fprintf(stderr, "kcap record: audit: could not unregister as the audit daemon: %s\n", strerror(-rc));
	}
	/* restored (or reported): the guardian has nothing left to do */
	rec_guard_release(s->guard);
	if (s->ctl >= 0)
		close(s->ctl);
	if (s->evfd >= 0)
		close(s->evfd);
	kcap_audit_import_free(s->imp);
	free(s->buf);
	free(s->line);
	free(s->heads);
	free(s->times);
	free(s->tree);
	free(s);
}

static int live_add_pid(void *vs, int32_t pid)
{
	return tree_add(vs, pid);
}

/* Called every second and once at the stop: takes in what was queued when
 * it was called (in the socket, and the records in the kernel's backlog)
 * and waits until every event seen so far has left the reassembler (a
 * record that never gets its EOE, such as a CONFIG_CHANGE outside any
 * syscall, is held for the window), bounded by a second, so what happened
 * before a stop is written. */
static void live_stats(void *vs)
{
	live_state *s = vs;
	struct audit_status st;
	int64_t until = cli_now_ns(CLOCK_MONOTONIC) + 1000000000LL;
	int have = anl_get_status(s->ctl, &st) == 0;
	uint64_t want_records = s->records + (have ? st.backlog : 0);
	uint32_t target = 0;
	int have_target = 0;
	for (;;) {
		if (drain(s) < 0)
			return;
		/* once the records queued at the call are in, the newest serial
		 * among them is the event to wait for */
		if (!have_target && s->records >= want_records) {
			target = s->newest_serial;
			have_target = 1;
		}
		int done = have_target && (!s->any_serial || (s->any_done && (int32_t)(s->newest_done - target) >= 0));
		if (done || s->err || cli_now_ns(CLOCK_MONOTONIC) > until)
			break;
		struct pollfd p = { .fd = s->evfd, .events = POLLIN };
		poll(&p, 1, 10);
	}
	have = anl_get_status(s->ctl, &st) == 0;
	kcap_audit_reasm_stats rs;
	kcap_audit_import_reasm_stats(s->imp, &rs);
	rec_stat(s->ctx, UINT32_MAX, "audit-serial-gap", rs.events, rs.lost);
	if (have)
		rec_stat(s->ctx, UINT32_MAX, "audit-kernel", s->records, (uint32_t)(st.lost - s->lost0));
	if (s->unparsed) /* never expected: the kernel's own syntax */
		rec_stat(s->ctx, UINT32_MAX, "audit-unparsed", s->records, s->unparsed);
}

static int live_poll(void *vs, int timeout_ms, char *why, size_t n)
{
	live_state *s = vs;
	struct pollfd p = { .fd = s->evfd, .events = POLLIN };
	if (poll(&p, 1, timeout_ms) < 0 && errno != EINTR) {
		snprintf(why, n, "poll on the audit socket failed: %s", strerror(errno));
		return -1;
	}
	long got = drain(s);
	if (got < 0) {
		snprintf(why, n, "reading the audit socket failed: %s", strerror((int)-got));
		return -1;
	}
	if (s->err) {
		snprintf(why, n, "%s while handling audit records", kcap_strerror(s->err));
		return -1;
	}
	/* nothing ready is not idle while kauditd still holds records for us
	 * (the recorder stops after idle polls once COMMAND has exited) */
	struct audit_status st;
	if (!got && anl_get_status(s->ctl, &st) == 0 && st.backlog > 0)
		return 1;
	return (int)got;
}

static const char *holder_comm(uint32_t pid, char *buf, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%u/comm", pid);
	FILE *f = fopen(path, "r");
	buf[0] = 0;
	if (f) {
		if (fgets(buf, (int)n, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf[0] ? buf : "unknown";
}

static int live_open(rec_ctx *ctx, const rec_opts *o, void **out, char *why, size_t n)
{
	live_state *s = calloc(1, sizeof *s);
	int rc, ret = -1;
	char comm[64];

	if (!s) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	s->ctx = ctx;
	s->o = o;
	s->ctl = s->evfd = -1;
	s->follow = o->follow;
	snprintf(s->key, sizeof s->key, KEY_PREFIX "%d", (int)getpid());
	for (int i = 0; s->follow && i < o->npids; i++)
		if (tree_add(s, o->pids[i]) < 0)
			goto nomem;
	if ((rc = anl_open(&s->ctl, 0)) < 0) {
		snprintf(why, n, "cannot open the audit netlink socket: %s%s", strerror(-rc),
		         rc == -EPROTONOSUPPORT ? " (the kernel has no audit support)" : "");
		goto cleanup;
	}
	if ((rc = anl_get_status(s->ctl, &s->prev)) < 0) {
		snprintf(why, n, "cannot read the audit status: %s%s", strerror(-rc),
		         rc == -EPERM || rc == -EACCES ? " (needs root, or CAP_AUDIT_CONTROL)"
		         : rc == -ECONNREFUSED ? " (audit is only available in the initial namespaces)" : "");
		goto cleanup;
	}
	if (s->prev.enabled == 2) {
		snprintf(why, n, "the audit configuration is locked (enabled=2, auditctl -e 2): rules cannot be changed "
		         "until reboot");
		goto cleanup;
	}
	if (s->prev.pid && pid_alive(s->prev.pid)) {
		snprintf(why, n, "the audit daemon pid is held by process %u (%s); kcap does not take over another "
		         "audit daemon: stop it first, or record its log with `kcap convert --from audit`",
		         s->prev.pid, holder_comm(s->prev.pid, comm, sizeof comm));
		goto cleanup;
	}
	/* repair what a killed recorder left, then read the status again */
	remove_stale_rules(s);
	repair_stale_state(s);
	if ((rc = anl_get_status(s->ctl, &s->prev)) < 0) {
		snprintf(why, n, "cannot read the audit status: %s", strerror(-rc));
		goto cleanup;
	}
	save_state(s);
	/* before anything changes: a guardian holding what to restore, should
	 * this process die without restoring it (SIGKILL, the OOM killer, a
	 * crash); the next recorder's repair stays for a guardian killed too */
	if ((rc = rec_guard_start(&s->guard, guard_restore, s)) < 0) {
		snprintf(why, n, "cannot start the guardian process: %s", strerror(-rc));
		goto cleanup;
	}
	if (build_rules(s, why, n) < 0)
		goto cleanup;
	s->buf = malloc((size_t)ANL_BATCH_MAX * ANL_BUF);
	s->line = malloc(ANL_BUF + HEAD_MAX);
	s->heads = calloc(AUDIT_LAST_USER_MSG2 - AUDIT_FIRST_USER_MSG + 1, sizeof *s->heads);
	s->times = calloc(TIME_RING, sizeof *s->times);
	static const kcap_audit_sink sink = { .event = live_event, .event_time = live_event_time };
	/* the recorder's schema has no "audit" param: its JSON is not built */
	const kcap_audit_import_opts iopts = {
		.reasm = { .window_ns = REASM_WINDOW_NS, .max_pending = REASM_MAX_PENDING }, .no_json = 1,
	};
	if (!s->buf || !s->line || !s->heads || !s->times || kcap_audit_import_new_sink(&s->imp, &sink, s, &iopts) < 0)
		goto nomem;

	int rcvbuf = o->buffer_size > (uint64_t)(INT_MAX / 2) ? INT_MAX / 2 : (int)o->buffer_size;
	if ((rc = anl_open(&s->evfd, rcvbuf)) < 0) {
		snprintf(why, n, "cannot open the audit netlink socket: %s", strerror(-rc));
		goto cleanup;
	}
	struct audit_status st = { .mask = AUDIT_STATUS_PID, .pid = (uint32_t)getpid() };
	if ((rc = anl_set_status(s->evfd, &st, on_message, s)) < 0) {
		if (rc == -EEXIST) {
			struct audit_status now = {0};
			anl_get_status(s->ctl, &now);
			snprintf(why, n, "the audit daemon pid is held by process %u (%s); kcap does not take over "
			         "another audit daemon", now.pid, holder_comm(now.pid, comm, sizeof comm));
		} else {
			snprintf(why, n, "cannot register as the audit daemon: %s", strerror(-rc));
		}
		goto cleanup;
	}
	s->pid_set = 1;
	/* backlog_wait_time 0: a full backlog drops (and counts) records instead
	 * of making the audited processes wait */
	uint64_t backlog = o->buffer_size / 1024;
	st = (struct audit_status){
		.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT | AUDIT_STATUS_BACKLOG_WAIT_TIME |
		        AUDIT_STATUS_RATE_LIMIT,
		.enabled = 1, .backlog_limit = (uint32_t)(backlog < 1024 ? 1024 : backlog > (1u << 20) ? 1u << 20 : backlog),
		.backlog_wait_time = 0, .rate_limit = 0,
	};
	s->status_changed = 1;
	if ((rc = anl_set_status(s->ctl, &st, NULL, NULL)) < 0) {
		snprintf(why, n, "cannot set the audit status (enabled, backlog, rate): %s", strerror(-rc));
		goto cleanup;
	}
	if ((rc = anl_get_status(s->ctl, &st)) < 0) {
		snprintf(why, n, "cannot read the audit status: %s", strerror(-rc));
		goto cleanup;
	}
	s->lost0 = st.lost;
	for (size_t i = 0; i < s->nrules; i++) {
		if ((rc = anl_rule(s->ctl, 1, s->rules[i].r, s->rules[i].len)) < 0) {
			snprintf(why, n, "cannot add audit rule %zu: %s", i, strerror(-rc));
			goto cleanup;
		}
		s->rules[i].installed = 1;
	}
	*out = s;
	s = NULL;
	ret = 0;
	goto cleanup;
nomem:
	snprintf(why, n, "out of memory");
cleanup:
	live_close(s);
	return ret;
}

const rec_frontend rec_frontend_audit = {
	.name = "audit",
	.version = KCAP_VERSION_STRING,
	.open = live_open,
	.add_pid = live_add_pid,
	.poll = live_poll,
	.stats = live_stats,
	.close = live_close,
};
