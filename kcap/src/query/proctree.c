/* The process tree (kcap/include/kcap/proctree.h): nodes in the order they
 * were first seen, a hash from (origin, pid) to the live node of that pid. */
#include <stdlib.h>
#include <string.h>
#include <kcap/proctree.h>
#include "common/common.h"
#include "query/render_internal.h"

typedef struct node {
	kcap_ptnode pub;
	kcap_ptexec *execs;
	size_t nexecs, capexecs;
	size_t *kids;
	size_t nkids, capkids;
	int dead;          /* exited: the pid's next sighting is a new process */
	int forked;        /* made by its parent's fork event */
} node;

struct kcap_proctree {
	node *n;
	size_t count, cap;
	char **origins;    /* interned origin names */
	size_t norigins;
	size_t *hash;      /* node index + 1, 0 empty; keyed by (origin, pid) */
	size_t hcap;
};

int kcap_proctree_new(kcap_proctree **t)
{
	*t = calloc(1, sizeof(**t));
	return *t ? 0 : KCAP_E_NOMEM;
}

void kcap_proctree_free(kcap_proctree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++) {
		node *n = &t->n[i];
		for (size_t j = 0; j < n->nexecs; j++) {
			free((char *)n->execs[j].exe);
			free((char *)n->execs[j].argv);
		}
		free(n->execs);
		free(n->kids);
		free((char *)n->pub.comm);
		free((char *)n->pub.exe);
	}
	for (size_t i = 0; i < t->norigins; i++)
		free(t->origins[i]);
	free(t->origins);
	free(t->n);
	free(t->hash);
	free(t);
}

static const char *intern(kcap_proctree *t, const char *name)
{
	name = name ? name : "";
	for (size_t i = 0; i < t->norigins; i++)
		if (!strcmp(t->origins[i], name))
			return t->origins[i];
	char **no = realloc(t->origins, (t->norigins + 1) * sizeof(*no));
	if (!no)
		return NULL;
	t->origins = no;
	if (!(no[t->norigins] = kcap_memdup0(name, strlen(name))))
		return NULL;
	return no[t->norigins++];
}

static size_t slot_of(const kcap_proctree *t, const char *origin, int32_t pid)
{
	size_t h = ((size_t)(uintptr_t)origin * 31u + (uint32_t)pid) * 0x9e3779b97f4a7c15ull;
	size_t j = h & (t->hcap - 1);
	while (t->hash[j]) {
		const kcap_ptnode *p = &t->n[t->hash[j] - 1].pub;
		if (p->pid == pid && p->origin == origin)
			break;
		j = (j + 1) & (t->hcap - 1);
	}
	return j;
}

static int rehash(kcap_proctree *t)
{
	size_t ncap = t->hcap ? t->hcap * 2 : 256;
	size_t *nh = calloc(ncap, sizeof(*nh));
	if (!nh)
		return KCAP_E_NOMEM;
	free(t->hash);
	t->hash = nh;
	t->hcap = ncap;
	for (size_t i = 0; i < t->count; i++) { /* the latest node of each pid wins */
		size_t j = slot_of(t, t->n[i].pub.origin, t->n[i].pub.pid);
		t->hash[j] = i + 1;
	}
	return 0;
}

/* The latest node of (origin, pid), exited or not, or NULL. */
static node *find_latest(kcap_proctree *t, const char *origin, int32_t pid)
{
	if (!t->hcap)
		return NULL;
	size_t j = slot_of(t, origin, pid);
	return t->hash[j] ? &t->n[t->hash[j] - 1] : NULL;
}

/* The live node of (origin, pid), or NULL. */
static node *find(kcap_proctree *t, const char *origin, int32_t pid)
{
	node *n = find_latest(t, origin, pid);
	return n && !n->dead ? n : NULL;
}

static node *add_node(kcap_proctree *t, const char *origin, int32_t pid, int32_t ppid)
{
	if (kcap_array_room(&t->n, &t->cap, t->count, sizeof *t->n, 64))
		return NULL;
	if ((t->count + 1) * 2 > t->hcap && rehash(t))
		return NULL;
	node *n = &t->n[t->count];
	memset(n, 0, sizeof(*n));
	n->pub.origin = origin;
	n->pub.pid = pid;
	n->pub.ppid = ppid;
	n->pub.uid = UINT32_MAX;
	n->pub.exit_status = -1;
	n->pub.parent = SIZE_MAX;
	t->hash[slot_of(t, origin, pid)] = ++t->count;
	return n;
}

int kcap_proctree_snapshot(kcap_proctree *t, const char *origin, const kcap_snapshot *snap)
{
	const char *o = intern(t, origin);
	if (!o)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < kcap_snapshot_count(snap); i++) {
		const kcap_proc *p = kcap_snapshot_at(snap, i);
		if (find(t, o, p->pid))
			continue;
		node *n = add_node(t, o, p->pid, p->ppid);
		if (!n)
			return KCAP_E_NOMEM;
		n->pub.uid = p->uid;
		n->pub.in_snapshot = 1;
		n->pub.start_ts = p->start_ts;
		if ((p->comm && !(n->pub.comm = kcap_memdup0(p->comm, strlen(p->comm)))) ||
		    (p->exe && !(n->pub.exe = kcap_memdup0(p->exe, strlen(p->exe)))))
			return KCAP_E_NOMEM;
	}
	return 0;
}

static const char *const fork_types[] = {"fork", "vfork", "clone", "clone3", NULL};
static const char *const exec_types[] = {"execve", "execveat", "exec", NULL};
static const char *const child_params[] = {"child_pid", "child", "child_tgid", "new_pid", "newpid", NULL};
static const char *const exe_params[] = {"filename", "path", "exe", "pathname", "file", NULL};
static const char *const argv_params[] = {"argv", "args", "cmdline", NULL};

static int on_exec(node *n, const kcap_event *ev, const kcap_type_def *def)
{
	const kcap_value *exe = kcap__param_first(ev, def, exe_params), *argv = kcap__param_first(ev, def, argv_params);
	if (kcap_array_room(&n->execs, &n->capexecs, n->nexecs, sizeof *n->execs, 2))
		return KCAP_E_NOMEM;
	kcap_ptexec *x = &n->execs[n->nexecs];
	memset(x, 0, sizeof(*x));
	x->ts = ev->ts;
	if (exe && exe->p && !(x->exe = kcap_memdup0(exe->p, exe->len)))
		return KCAP_E_NOMEM;
	if (argv && argv->p) {
		if (!(x->argv = kcap_memdup0(argv->p, argv->len))) {
			free((char *)x->exe);
			return KCAP_E_NOMEM;
		}
		x->argv_len = argv->len;
	}
	n->nexecs++;
	return 0;
}

int kcap_proctree_add(kcap_proctree *t, const kcap_event *ev, const kcap_schema *s, int matched)
{
	const char *o = intern(t, kcap_meta_get(ev->meta, KCAP_META_HOSTNAME));
	if (!o)
		return KCAP_E_NOMEM;
	node *n = find(t, o, ev->pid);
	if (!n && !(n = add_node(t, o, ev->pid, ev->ppid)))
		return KCAP_E_NOMEM;
	if (!n->pub.comm && ev->comm && !(n->pub.comm = kcap_memdup0(ev->comm, ev->comm_len)))
		return KCAP_E_NOMEM;
	n->pub.uid = ev->uid;
	if (n->pub.ppid <= 0 && ev->ppid > 0)
		n->pub.ppid = ev->ppid;
	n->pub.events++;
	n->pub.matched += matched != 0;
	const kcap_type_def *def = ev->def ? ev->def : kcap_schema_type(s, ev->type_id);
	if (!def)
		return 0;
	const kcap_value *ret = kcap__param(ev, def, "ret");
	int ok = !ret || ret->i == 0;
	if (kcap__name_in(def->name, exec_types) && ok) {
		int rc = on_exec(n, ev, def);
		if (rc)
			return rc;
	} else if (kcap__name_in(def->name, fork_types)) {
		const kcap_value *flags = kcap__param(ev, def, "flags"), *c = kcap__param_first(ev, def, child_params);
		int64_t child = c ? c->i : ret && ret->i > 0 ? ret->i : 0;
		int thread = flags && (flags->u & 0x10000); /* CLONE_THREAD */
		if (!thread && child <= 0 && ret && ret->i == 0 && (ev->tid == ev->pid || !ev->tid) &&
		    !n->pub.in_snapshot && !n->pub.start_ts)
			n->pub.start_ts = ev->ts; /* the child's side of its fork: its start */
		node *old = child > 0 && child <= INT32_MAX && !thread ? find_latest(t, o, (int32_t)child) : NULL;
		if (old && !old->pub.in_snapshot && !old->forked && old->pub.ppid == ev->pid &&
		    (!old->dead || old->pub.start_ts)) {
			/* the child was seen first (a vfork returns in the parent
			 * once the child has run, or even exited, which its own
			 * side of the fork, its start, shows): the same process */
			old->forked = 1;
			if (!old->pub.start_ts || ev->ts < old->pub.start_ts)
				old->pub.start_ts = ev->ts;
		} else if (child > 0 && child <= INT32_MAX && !thread) {
			int32_t parent = ev->pid;
			uint32_t uid = ev->uid;
			char *comm = ev->comm ? kcap_memdup0(ev->comm, ev->comm_len) : NULL;
			if (old)
				old->dead = 1; /* a pid reused before its exit was seen (or after) */
			node *k = add_node(t, o, (int32_t)child, parent);
			if (!k) {
				free(comm);
				return KCAP_E_NOMEM;
			}
			k->pub.start_ts = ev->ts;
			k->pub.uid = uid;
			k->pub.comm = comm;
			k->forked = 1;
		}
	} else if (!strcmp(def->name, "exit_group") || (!strcmp(def->name, "exit") && (ev->tid == ev->pid || !ev->tid))) {
		const kcap_value *st = kcap__param(ev, def, "status"), *sig = kcap__param(ev, def, "sig");
		n->pub.exited = 1;
		n->pub.end_ts = ev->ts;
		if (st)
			n->pub.exit_status = (int)st->i;
		if (sig)
			n->pub.exit_signal = (int)sig->i;
		n->dead = 1;
	}
	return 0;
}

typedef struct ordkey {
	uintptr_t origin;
	int32_t pid;
	size_t idx;
} ordkey;

static int cmp_key(const ordkey *x, const ordkey *y)
{
	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_ord(const void *a, const void *b)
{
	return cmp_key(a, b);
}

int kcap_proctree_finish(kcap_proctree *t)
{
	for (size_t i = 0; i < t->count; i++) {
		t->n[i].nkids = 0;
		t->n[i].pub.parent = SIZE_MAX;
	}
	/* the parent is the latest process of that pid seen before the child:
	 * nodes sorted by (origin, pid, index), searched per child */
	ordkey *ord = t->count ? malloc(t->count * sizeof(*ord)) : NULL;
	if (t->count && !ord)
		return KCAP_E_NOMEM;
	for (size_t i = 0; i < t->count; i++)
		ord[i] = (ordkey){(uintptr_t)t->n[i].pub.origin, t->n[i].pub.pid, i};
	if (t->count) /* qsort takes no NULL, even for 0 elements */
		qsort(ord, t->count, sizeof(*ord), cmp_ord);
	for (size_t i = 0; i < t->count; i++) {
		kcap_ptnode *p = &t->n[i].pub;
		size_t lo = 0, hi = t->count, best = SIZE_MAX;
		while (p->ppid > 0 && lo < hi) { /* the first entry above (origin, ppid, i) */
			size_t mid = lo + (hi - lo) / 2;
			ordkey want = {(uintptr_t)p->origin, p->ppid, i};
			if (cmp_key(&ord[mid], &want) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && ord[lo - 1].pid == p->ppid && ord[lo - 1].origin == (uintptr_t)p->origin)
			best = ord[lo - 1].idx;
		if (best == SIZE_MAX)
			continue;
		node *q = &t->n[best];
		if (q->nkids == q->capkids) {
			size_t nc = q->capkids ? q->capkids * 2 : 4;
			size_t *nk = realloc(q->kids, nc * sizeof(*nk));
			if (!nk) {
				free(ord);
				return KCAP_E_NOMEM;
			}
			q->kids = nk;
			q->capkids = nc;
		}
		q->kids[q->nkids++] = i;
		p->parent = best;
	}
	free(ord);
	for (size_t i = 0; i < t->count; i++) {
		node *n = &t->n[i];
		n->pub.execs = n->execs;
		n->pub.nexecs = n->nexecs;
		n->pub.children = n->kids;
		n->pub.nchildren = n->nkids;
	}
	return 0;
}

size_t kcap_proctree_count(const kcap_proctree *t)
{
	return t ? t->count : 0;
}

const kcap_ptnode *kcap_proctree_at(const kcap_proctree *t, size_t i)
{
	return t && i < t->count ? &t->n[i].pub : NULL;
}
