/* audit_reassemble.c - records into events (see audit_reassemble.h). */
#include "audit_reassemble.h"
#include "audit_tables.h"
#include "common/common.h"

#include <kcap/kcap.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_EOE 1320
#define TYPE_PROCTITLE 1327
/* A serial this far behind the last delivered one is a restarted counter. */
#define RESET_DISTANCE (1 << 20)
/* ... or a serial behind it but logged this much later (ns). */
#define RESET_LATER_NS (60 * 1000000000ll)

typedef struct pending {
	uint32_t serial;
	uint8_t complete;
	int64_t sec;
	uint32_t msec;
	int64_t ts;
	uint32_t n;
	size_t cap;
	kcap_audit_record **recs;
} pending;

typedef struct node_state {
	char *name; /* NULL for records without node= */
	uint32_t name_len;
	uint8_t daemon;      /* auditd's own DAEMON_* records: their own serials */
	uint8_t have_last;
	uint32_t last;       /* last serial delivered in order */
	int64_t last_ts;
	int64_t newest_ts;   /* newest record time seen */
	uint32_t n;
	size_t cap;
	pending **pend;      /* sorted by serial (modulo 2^32) */
} node_state;

struct kcap_audit_reasm {
	kcap_audit_event_fn fn;
	void *ud;
	uint32_t max_pending;
	int64_t window_ns;
	uint32_t nnodes;
	size_t cap_nodes;
	node_state **nodes;
	node_state *last_node;
	kcap_audit_reasm_stats st;
};

kcap_audit_reasm *kcap_audit_reasm_new(const kcap_audit_reasm_opts *opts, kcap_audit_event_fn fn, void *ud)
{
	kcap_audit_reasm *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fn = fn;
	r->ud = ud;
	r->max_pending = opts && opts->max_pending ? opts->max_pending : 1024;
	r->window_ns = opts && opts->window_ns > 0 ? opts->window_ns : INT64_MAX;
	return r;
}

static void pending_free(pending *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->n; i++)
		kcap_audit_record_free(p->recs[i]);
	free(p->recs);
	free(p);
}

void kcap_audit_reasm_free(kcap_audit_reasm *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nnodes; i++) {
		node_state *ns = r->nodes[i];
		for (uint32_t j = 0; j < ns->n; j++)
			pending_free(ns->pend[j]);
		free(ns->pend);
		free(ns->name);
		free(ns);
	}
	free(r->nodes);
	free(r);
}

static node_state *get_node(kcap_audit_reasm *r, const char *name, uint32_t len, int daemon)
{
	node_state *ln = r->last_node;
	if (ln && ln->daemon == daemon && ln->name_len == len && (!name) == (!ln->name) &&
	    (!len || memcmp(ln->name, name, len) == 0))
		return ln;
	for (uint32_t i = 0; i < r->nnodes; i++) {
		node_state *ns = r->nodes[i];
		if (ns->daemon == daemon && ns->name_len == len && (!name) == (!ns->name) &&
		    (!len || memcmp(ns->name, name, len) == 0))
			return r->last_node = ns;
	}
	if (kcap_array_room(&r->nodes, &r->cap_nodes, r->nnodes, sizeof *r->nodes, 4))
		return NULL;
	node_state *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	if (name) {
		ns->name = malloc(len + 1);
		if (!ns->name) {
			free(ns);
			return NULL;
		}
		memcpy(ns->name, name, len);
		ns->name[len] = 0;
		ns->name_len = len;
	}
	ns->newest_ts = INT64_MIN;
	ns->daemon = (uint8_t)daemon;
	r->nodes[r->nnodes++] = ns;
	return r->last_node = ns;
}

static int deliver(kcap_audit_reasm *r, node_state *ns, pending *p, int late)
{
	kcap_audit_event ev = {
		.node = ns->name, .node_len = ns->name_len, .serial = p->serial,
		.sec = p->sec, .msec = p->msec, .late = (uint8_t)late,
		.nrecords = p->n, .records = p->recs,
	};
	if (!late) {
		if (ns->have_last && !ns->daemon) {
			int32_t d = (int32_t)(p->serial - ns->last);
			if (d > 1) {
				r->st.lost += (uint64_t)(d - 1);
				ev.gap = (uint32_t)(d - 1);
			}
		}
		ns->have_last = 1;
		ns->last = p->serial;
		ns->last_ts = p->ts;
	} else {
		r->st.late++;
	}
	r->st.events++;
	int rc = p->n ? r->fn(r->ud, &ev) : 0;
	pending_free(p);
	return rc < 0 ? rc : 0;
}

/* Delivers what may go from the head of a node's sorted pending list. */
static int drain(kcap_audit_reasm *r, node_state *ns, int force)
{
	uint32_t k = 0;
	int rc = 0;
	while (k < ns->n) {
		pending *p = ns->pend[k];
		int expired = force || ns->n - k > r->max_pending ||
			      (r->window_ns != INT64_MAX && ns->newest_ts - p->ts > r->window_ns);
		int next = !ns->have_last || p->serial == ns->last + 1;
		if (!(expired || (p->complete && next)))
			break;
		k++;
		rc = deliver(r, ns, p, 0);
		if (rc < 0)
			break;
	}
	if (k) {
		memmove(ns->pend, ns->pend + k, (ns->n - k) * sizeof *ns->pend);
		ns->n -= k;
	}
	return rc;
}

static int append_rec(pending *p, kcap_audit_record *rec)
{
	if (kcap_array_room(&p->recs, &p->cap, p->n, sizeof *p->recs, 4))
		return KCAP_E_NOMEM;
	p->recs[p->n++] = rec;
	return 0;
}

static pending *new_pending(const kcap_audit_record *rec)
{
	pending *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->serial = rec->serial;
	p->sec = rec->sec;
	p->msec = rec->msec;
	p->ts = kcap_audit_record_ts(rec);
	return p;
}

/* The open event of rec's serial and time, or NULL. The list is sorted by
 * serial (modulo 2^32), so binary search; the usual hit is the last. */
static pending *find_open(node_state *ns, const kcap_audit_record *rec)
{
	uint32_t lo = 0, hi = ns->n;
	if (ns->n && ns->pend[ns->n - 1]->serial == rec->serial) {
		lo = ns->n - 1;
	} else {
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if ((int32_t)(ns->pend[mid]->serial - rec->serial) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	while (lo > 0 && ns->pend[lo - 1]->serial == rec->serial)
		lo--;
	for (uint32_t i = lo; i < ns->n && ns->pend[i]->serial == rec->serial; i++)
		if (ns->pend[i]->sec == rec->sec && ns->pend[i]->msec == rec->msec)
			return ns->pend[i];
	return NULL;
}

int kcap_audit_reasm_push(kcap_audit_reasm *r, kcap_audit_record *rec)
{
	int rc = 0;
	pending *p = NULL;
	r->st.records++;
	node_state *ns = get_node(r, rec->node, rec->node_len, rec->type_num >= 1200 && rec->type_num <= 1299);
	if (!ns) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	int64_t ts = kcap_audit_record_ts(rec);
	if (ts > ns->newest_ts)
		ns->newest_ts = ts;
	int is_eoe = rec->type_num == TYPE_EOE;
	int completes = is_eoe || rec->type_num == TYPE_PROCTITLE;

	pending *q = find_open(ns, rec);
	if (q) {
		if (!is_eoe) {
			rc = append_rec(q, rec);
			rec = NULL;
			if (rc < 0)
				goto cleanup;
		}
		if (completes)
			q->complete = 1;
		rc = drain(r, ns, 0);
		goto cleanup;
	}

	if (ns->have_last) {
		int32_t d = (int32_t)(rec->serial - ns->last);
		if (d <= 0) {
			if (d < -RESET_DISTANCE || ts > ns->last_ts + RESET_LATER_NS) {
				/* the kernel's counter restarted (reboot): start over */
				rc = drain(r, ns, 1);
				if (rc < 0)
					goto cleanup;
				ns->have_last = 0;
			} else {
				/* a record for an event already delivered */
				if (is_eoe)
					goto cleanup;
				p = new_pending(rec);
				if (!p || append_rec(p, rec) < 0) {
					rc = KCAP_E_NOMEM;
					goto cleanup;
				}
				rec = NULL;
				pending *tmp = p;
				p = NULL;
				rc = deliver(r, ns, tmp, 1);
				goto cleanup;
			}
		}
	}
	if (is_eoe)
		goto cleanup; /* EOE of an event we never saw: nothing to keep */

	p = new_pending(rec);
	if (!p || append_rec(p, rec) < 0) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	rec = NULL;
	p->complete = (uint8_t)(completes || kcap_audit_type_is_standalone(p->recs[0]->type_num));
	if (kcap_array_room(&ns->pend, &ns->cap, ns->n, sizeof *ns->pend, 16)) {
		rc = KCAP_E_NOMEM;
		goto cleanup;
	}
	/* insert sorted by serial; the usual case appends at the end */
	uint32_t pos = ns->n;
	if (pos > 0 && (int32_t)(ns->pend[pos - 1]->serial - p->serial) > 0) {
		uint32_t a = 0, b = ns->n;
		while (a < b) {
			uint32_t mid = a + (b - a) / 2;
			if ((int32_t)(ns->pend[mid]->serial - p->serial) <= 0)
				a = mid + 1;
			else
				b = mid;
		}
		pos = a;
	}
	memmove(ns->pend + pos + 1, ns->pend + pos, (ns->n - pos) * sizeof *ns->pend);
	ns->pend[pos] = p;
	ns->n++;
	p = NULL;
	rc = drain(r, ns, 0);
cleanup:
	pending_free(p);
	kcap_audit_record_free(rec);
	return rc;
}

int kcap_audit_reasm_tick(kcap_audit_reasm *r, int64_t now_ns)
{
	for (uint32_t i = 0; i < r->nnodes; i++) {
		node_state *ns = r->nodes[i];
		if (now_ns > ns->newest_ts)
			ns->newest_ts = now_ns;
		int rc = drain(r, ns, 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int kcap_audit_reasm_flush(kcap_audit_reasm *r)
{
	for (uint32_t i = 0; i < r->nnodes; i++) {
		int rc = drain(r, r->nodes[i], 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void kcap_audit_reasm_get_stats(const kcap_audit_reasm *r, kcap_audit_reasm_stats *st)
{
	*st = r->st;
}
