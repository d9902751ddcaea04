// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls.bpf.c - kernel side of the eBPF recorder. One tp_btf program on
 * sys_exit emits one record (syscalls.h) per recorded syscall with its
 * arguments, the return value and the strings it can read (paths, resolved
 * directories, argv, addresses). Which syscalls are recorded, and how their
 * arguments are read, comes from the sysconf table filled by user space.
 *
 * The arguments: on x86_64 the syscall argument registers saved in pt_regs
 * at entry are not changed by the syscall, so sys_exit reads them there (as
 * the kernel's own syscall_get_arguments() does); that saves a sys_enter
 * program and a per-task stash on every syscall of the machine. Exceptions:
 *  - a successful execve/execveat replaces registers and memory: the
 *    filename is saved by sched_process_exec, argv read from the new stack;
 *  - exit/exit_group never return: they are recorded from
 *    sched_process_exit, with the status from the saved registers;
 *  - a task that leaves another way (killed by a signal, or taken along by
 *    another thread's exit_group or fatal signal) is recorded there too,
 *    with its exit code (EV_F_EXIT_CODE).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "syscalls.h"

char LICENSE[] SEC("license") = "GPL";

/* Filters, set before load. */
const volatile __u32 self_tgid = 0;
const volatile __u32 filter_uid_on = 0;
const volatile __u32 filter_uid = 0;
const volatile __u32 filter_pid_on = 0; /* only tgids in the pids map */
const volatile __u32 follow = 0;        /* add children of pids to the map */
const volatile __u32 filter_comm_on = 0;
const volatile char filter_comm[16] = {};
const volatile __u64 wakeup_bytes = 1 << 20; /* wake the reader above this backlog */
#define wakeup_every 64 /* records per CPU between backlog checks (power of 2) */

#define AT_FDCWD -100
#define PROT_EXEC 4
#define TS_COMPAT 0x0002

/* scratch: a record with segments is built here, then copied to the ring
 * buffer (one without is built in place in its reservation). */
#define EV_AREA 49152
#define EV_MASK 32767  /* offsets are kept below this; the largest write fits above */
#define TMP_SIZE 4096
struct scratch {
	__u8 ev[EV_AREA];
	__u8 tmp[TMP_SIZE + 256];
	__u32 busy;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24); /* resized by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EBPF_MAX_NR);
	__type(key, __u32);
	__type(value, struct ebpf_sysconf);
} sysconf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized to the number of possible CPUs */
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ebpf_counters);
} counters SEC(".maps");

/* Filename of a successful execve by tid, from sched_process_exec to
 * sys_exit. LRU: an entry whose exit never comes (task killed) ages out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, char[EBPF_PATH_MAX]);
} exec_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

static __always_inline __u64 argi(const __u64 *a, __u32 i)
{
	if (i >= 6)
		return 0;
	return a[i];
}

static __always_inline struct ebpf_counters *ctrs(void)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&counters, &k);
}

static __always_inline int comm_matches(void)
{
	char c[16];
	bpf_get_current_comm(c, sizeof c);
	for (int i = 0; i < 16; i++) {
		if (c[i] != filter_comm[i])
			return 0;
		if (c[i] == 0)
			break;
	}
	return 1;
}

/* Filters of the recorded syscalls (t is the current task). */
static __always_inline int wanted(struct task_struct *t, __u32 tgid)
{
	if (tgid == self_tgid)
		return 0;
	if (filter_uid_on && t->cred->uid.val != filter_uid)
		return 0;
	if (filter_pid_on && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	if (filter_comm_on && !comm_matches())
		return 0;
	return 1;
}

struct walk_ctx {
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *m;
	__u32 cpu;
	__u32 pos;
	__u16 flags;
};

/* One step up the dentry tree (bpf_loop callback): prepends "/name". */
static long walk_step(__u64 i, void *arg)
{
	struct walk_ctx *w = arg;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &w->cpu);
	if (!s)
		return 1;
	struct dentry *d = w->d;
	struct vfsmount *vm = w->vm;
	struct mount *m = w->m;
	struct dentry *root = BPF_CORE_READ(vm, mnt_root);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	if (d == root || d == parent) {
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);
		if (d != root || mp == m)
			return 1;
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = mp;
		w->vm = (void *)mp + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	__u32 len = BPF_CORE_READ(d, d_name.len);
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	__u32 pos = w->pos;
	if (len > 255 || len + 1 > pos) {
		w->flags |= EV_F_PATH_TRUNCATED;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(&s->tmp[pos & (TMP_SIZE - 1)], len & 255, name);
	pos -= 1;
	s->tmp[pos & (TMP_SIZE - 1)] = '/';
	w->pos = pos;
	w->d = parent;
	if (i == EBPF_WALK_DEPTH - 1)
		w->flags |= EV_F_PATH_TRUNCATED;
	return 0;
}

/* Writes the path of (dentry, vfsmount) at s->ev[off]; returns its length. */
static __always_inline int walk_path(struct scratch *s, struct dentry *d, struct vfsmount *vm, __u32 off,
                                     __u16 *flags)
{
	struct walk_ctx w = {
		.d = d, .vm = vm, .m = (void *)vm - bpf_core_field_offset(struct mount, mnt),
		.cpu = bpf_get_smp_processor_id(), .pos = TMP_SIZE,
	};
	if (!d || !vm)
		return 0;
	bpf_loop(EBPF_WALK_DEPTH, walk_step, &w, 0);
	*flags |= w.flags;
	__u32 pos = w.pos;
	if (pos >= TMP_SIZE) {
		s->ev[off & EV_MASK] = '/';
		return 1;
	}
	__u32 n = TMP_SIZE - pos;
	bpf_probe_read_kernel(&s->ev[off & EV_MASK], n & (TMP_SIZE - 1), &s->tmp[pos & (TMP_SIZE - 1)]);
	return n & (TMP_SIZE - 1);
}

/* Path of the file behind fd, or of the cwd for AT_FDCWD. */
static __always_inline int walk_fd(struct scratch *s, struct task_struct *t, int fd, __u32 off, __u16 *flags)
{
	if (fd == AT_FDCWD) {
		struct fs_struct *fs = BPF_CORE_READ(t, fs);
		return walk_path(s, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt), off, flags);
	}
	if (fd < 0)
		return 0;
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	if ((unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **fdarr = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof f, &fdarr[fd]);
	if (!f)
		return 0;
	return walk_path(s, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt), off, flags);
}

/* Reads a user string at s->ev[off]; returns the length without the NUL. */
static __always_inline int read_ustr(struct scratch *s, __u32 off, __u64 uptr)
{
	if (!uptr)
		return 0;
	long n = bpf_probe_read_user_str(&s->ev[off & EV_MASK], EBPF_PATH_MAX, (const void *)uptr);
	return n > 0 ? n - 1 : 0;
}

static __always_inline int is_relative(struct scratch *s, __u32 off, int len)
{
	return len > 0 && s->ev[off & EV_MASK] != '/';
}

/* A path argument plus, when relative (or empty with a dirfd), the directory
 * it is relative to. Returns the new offset. */
static __always_inline __u32 put_path(struct scratch *s, struct ebpf_event *e, struct task_struct *t,
                                      __u32 off, __u8 parg, __u8 darg, int seg, int resolve)
{
	if (parg > 5)
		return off;
	int len = read_ustr(s, off, argi(e->args, parg));
	e->seg_len[seg] = len;
	int rel = is_relative(s, off, len);
	off = (off + len) & EV_MASK;
	if (!resolve)
		return off;
	int dfd = darg <= 5 ? (int)argi(e->args, darg) : AT_FDCWD;
	if (rel || (len == 0 && darg <= 5)) {
		int dl = walk_fd(s, t, dfd, off, &e->flags);
		e->seg_len[seg + 1] = dl;
		off = (off + dl) & EV_MASK;
	}
	return off;
}

static __always_inline __u32 put_addr(struct scratch *s, struct ebpf_event *e, __u32 off, __u64 uptr, __u32 len)
{
	if (!uptr || len == 0)
		return off;
	if (len > EBPF_ADDR_MAX)
		len = EBPF_ADDR_MAX;
	if (bpf_probe_read_user(&s->ev[off & EV_MASK], len & (EBPF_ADDR_MAX * 2 - 1), (void *)uptr) < 0)
		return off;
	e->seg_len[SEG_ADDR] = len;
	return (off + len) & EV_MASK;
}

struct user_msghdr_ {
	void *msg_name;
	int msg_namelen;
};

struct argv_ctx {
	__u64 argvp;
	__u32 cpu;
	__u32 start, total;
	__u16 argc, trunc;
};

static long argv_step(__u64 i, void *arg)
{
	struct argv_ctx *a = arg;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &a->cpu);
	__u64 p = 0;
	if (!s || bpf_probe_read_user(&p, sizeof p, (void *)(a->argvp + i * 8)) < 0 || !p)
		return 1;
	if (a->total >= EBPF_ARGV_MAX - 256) {
		a->trunc = 1;
		return 1;
	}
	long n = bpf_probe_read_user_str(&s->ev[(a->start + a->total) & EV_MASK], 256, (void *)p);
	if (n <= 0)
		return 1;
	a->total += n;
	a->argc++;
	if (i == 63)
		a->trunc = 1;
	return 0;
}

/* argv of a failed execve, from the caller's pointers. */
static __always_inline __u32 put_argv_ptrs(struct scratch *s, struct ebpf_event *e, __u32 off, __u64 argvp)
{
	struct argv_ctx a = { .argvp = argvp, .cpu = bpf_get_smp_processor_id(), .start = off };
	bpf_loop(64, argv_step, &a, 0);
	if (a.trunc)
		e->flags |= EV_F_ARGV_TRUNCATED;
	e->argc = a.argc;
	e->seg_len[SEG_ARGV] = a.total;
	return (off + a.total) & EV_MASK;
}

/* argv of the new image after a successful execve, from its stack. */
static __always_inline __u32 put_argv_mm(struct scratch *s, struct ebpf_event *e, struct task_struct *t, __u32 off)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	unsigned long a = BPF_CORE_READ(mm, arg_start), b = BPF_CORE_READ(mm, arg_end);
	__u32 len = b > a ? b - a : 0;
	if (len > EBPF_ARGV_MAX) {
		len = EBPF_ARGV_MAX;
		e->flags |= EV_F_ARGV_TRUNCATED;
	}
	if (len == 0 || bpf_probe_read_user(&s->ev[off & EV_MASK], len & (EBPF_ARGV_MAX * 2 - 1), (void *)a) < 0)
		return off;
	if (e->flags & EV_F_ARGV_TRUNCATED)
		s->ev[(off + len - 1) & EV_MASK] = 0;
	e->seg_len[SEG_ARGV] = len;
	return (off + len) & EV_MASK;
}

/* The fixed part of a record. The caller's identity is read from its task
 * rather than through the bpf_get_current_* helpers, whose calls (and, for
 * the comm, a padded string copy) cost more than the loads: tgid/pid are
 * what bpf_get_current_pid_tgid() returns, the cred's uid and gid the kernel
 * ids, which is what bpf_get_current_uid_gid() maps them to
 * (from_kuid(&init_user_ns) is the identity), and the comm is always
 * NUL-terminated within its 16 bytes, so two words copy it whole. */
static __always_inline void fill_event(struct ebpf_event *e, struct task_struct *t,
                                       const struct ebpf_sysconf *c, const __u64 *args, __u32 nr, long ret,
                                       __u16 flags, __u32 cpu)
{
	e->ts = bpf_ktime_get_boot_ns();
	for (int i = 0; i < 6; i++)
		e->args[i] = args[i];
	e->ret = ret;
	e->aux[0] = e->aux[1] = e->aux[2] = e->aux[3] = 0;
	e->pid = t->tgid;
	e->tid = t->pid;
	e->ppid = t->real_parent->tgid;
	const struct cred *cr = t->cred;
	e->uid = cr->uid.val;
	e->gid = cr->gid.val;
	e->cpu = cpu;
	e->type = c->type;
	e->nr = nr;
	for (int i = 0; i < SEG_N_; i++)
		e->seg_len[i] = 0;
	e->flags = flags;
	e->argc = 0;
	__u64 *comm = (__u64 *)e->comm;
	comm[0] = *(__u64 *)&t->comm[0];
	comm[1] = *(__u64 *)&t->comm[8];
}

/* aux[] of the specials that read a user structure and add no segment. */
static __always_inline void fill_aux(struct ebpf_event *e, const struct ebpf_sysconf *c, long ret)
{
	switch (c->special) {
	case SPECIAL_PIPE:
	case SPECIAL_SOCKPAIR:
		if (ret == 0) {
			int fds[2] = {};
			bpf_probe_read_user(fds, sizeof fds, (void *)e->args[c->special == SPECIAL_PIPE ? 0 : 3]);
			e->aux[0] = (__u32)fds[0];
			e->aux[1] = (__u32)fds[1];
		}
		break;
	case SPECIAL_OPENAT2:
		bpf_probe_read_user(e->aux, 3 * sizeof(__u64), (void *)e->args[2]);
		break;
	case SPECIAL_CLONE3:
		bpf_probe_read_user(e->aux, sizeof(__u64), (void *)e->args[0]);
		break;
	case SPECIAL_CAPSET: {
		__u32 hdr[2] = {}, data[6] = {};
		bpf_probe_read_user(hdr, sizeof hdr, (void *)e->args[0]);
		bpf_probe_read_user(data, sizeof data, (void *)e->args[1]);
		e->aux[0] = hdr[1];
		e->aux[1] = data[0] | ((__u64)data[3] << 32);
		e->aux[2] = data[1] | ((__u64)data[4] << 32);
		e->aux[3] = data[2] | ((__u64)data[5] << 32);
		break;
	}
	}
}

/* Waking the reader per record costs more than the record itself, and a
 * woken reader tends to be pulled onto the traced task's CPU: the reader
 * polls on a timer and is woken only when a backlog builds up (checked
 * every wakeup_every records per CPU). */
static __always_inline __u64 wake_flag(const struct ebpf_counters *cn)
{
	if ((cn->seen & (wakeup_every - 1)) == 0 && bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline int emit(struct task_struct *t, const struct ebpf_sysconf *c, const __u64 *args,
                                __u32 nr, long ret, __u16 flags)
{
	struct ebpf_counters *cn = ctrs();
	__u32 cpu = bpf_get_smp_processor_id();
	if (!cn)
		return 0;
	cn->seen++;
	/* A record without segments has a known size: built in place in the
	 * ring buffer, with no scratch and no copy. */
	if (c->path1 > 5 && c->path2 > 5 && c->fd_path > 5 && c->addr > 5 && c->special != SPECIAL_EXEC &&
	    c->special != SPECIAL_MSG) {
		struct ebpf_event *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (!r) {
			cn->lost++;
			return 0;
		}
		fill_event(r, t, c, args, nr, ret, flags, cpu);
		fill_aux(r, c, ret);
		bpf_ringbuf_submit(r, wake_flag(cn));
		return 0;
	}

	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!s)
		return 0;
	/* A task preempted while building its record would have it clobbered:
	 * take the CPU's scratch exclusively, drop (and count) otherwise. The
	 * programs sharing it run with preemption disabled (the syscall
	 * tracepoints disable it around BPF programs since they became
	 * faultable) and the kernel does not re-enter a program on the CPU it
	 * runs on, so a plain flag of this CPU suffices: no locked instruction. */
	if (*(volatile __u32 *)&s->busy) {
		cn->busy++;
		return 0;
	}
	*(volatile __u32 *)&s->busy = 1;
	struct ebpf_event *e = (void *)s->ev;
	fill_event(e, t, c, args, nr, ret, flags, cpu);

	__u32 off = sizeof(*e);
	if (c->special == SPECIAL_EXEC) {
		/* success: the filename saved by sched_process_exec, argv from the new
		 * stack; failure: both from the caller's memory (the kernel has read
		 * it, so it is paged in) */
		__u32 tid = e->tid;
		char *x = ret == 0 ? bpf_map_lookup_elem(&exec_paths, &tid) : NULL;
		long n;
		if (x) {
			n = bpf_probe_read_kernel_str(&s->ev[off & EV_MASK], EBPF_PATH_MAX, x);
			bpf_map_delete_elem(&exec_paths, &tid);
		} else {
			n = bpf_probe_read_user_str(&s->ev[off & EV_MASK], EBPF_PATH_MAX, (void *)argi(e->args, c->path1));
		}
		int len = n > 0 ? n - 1 : 0;
		e->seg_len[SEG_PATH1] = len;
		int rel = is_relative(s, off, len);
		off = (off + len) & EV_MASK;
		int dfd = c->dirfd1 <= 5 && ret != 0 ? (int)argi(e->args, c->dirfd1) : AT_FDCWD;
		if (rel) {
			int dl = walk_fd(s, t, dfd, off, &e->flags);
			e->seg_len[SEG_DIR1] = dl;
			off = (off + dl) & EV_MASK;
		}
		if (ret == 0)
			off = put_argv_mm(s, e, t, off);
		else
			off = put_argv_ptrs(s, e, off, e->args[1 + (c->dirfd1 <= 5)]);
	} else {
		off = put_path(s, e, t, off, c->path1, c->dirfd1, SEG_PATH1, !c->no_resolve1);
		int pfd = (int)argi(e->args, c->fd_path);
		if (c->fd_path <= 5 && pfd >= 0) {
			int dl = walk_fd(s, t, pfd, off, &e->flags);
			e->seg_len[SEG_DIR1] = dl;
			off = (off + dl) & EV_MASK;
		}
		off = put_path(s, e, t, off, c->path2, c->dirfd2, SEG_PATH2, 1);
	}

	/* given addresses (connect, bind, sendto) are read whatever the result;
	 * returned ones (accept, recvfrom, getpeername) only on success */
	if (c->addr <= 5 && (ret >= 0 || !c->addrlen_ptr)) {
		__u32 alen = 0;
		if (c->addrlen_ptr)
			bpf_probe_read_user(&alen, sizeof alen, (void *)argi(e->args, c->addrlen));
		else if (c->addrlen <= 5)
			alen = (__u32)argi(e->args, c->addrlen);
		off = put_addr(s, e, off, argi(e->args, c->addr), alen);
	}

	if (c->special == SPECIAL_MSG) {
		if (ret >= 0 || !c->addrlen_ptr) {
			struct user_msghdr_ mh = {};
			bpf_probe_read_user(&mh, sizeof mh, (void *)e->args[1]);
			off = put_addr(s, e, off, (__u64)mh.msg_name, (__u32)mh.msg_namelen);
		}
	} else {
		fill_aux(e, c, ret);
	}

	__u32 size = off;
	if (size > EV_MASK)
		size = EV_MASK;
	if (bpf_ringbuf_output(&events, s->ev, size, wake_flag(cn)) < 0)
		cn->lost++;
	*(volatile __u32 *)&s->busy = 0;
	return 0;
}

static __always_inline int is_compat(struct task_struct *t)
{
	if (!bpf_core_field_exists(t->thread_info.status))
		return 0;
	return t->thread_info.status & TS_COMPAT;
}

static __always_inline void regs_args(struct pt_regs *regs, __u64 *a)
{
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
}

/* Config of syscall nr when it is recorded and the caller is wanted. */
static __always_inline struct ebpf_sysconf *recorded(__u32 nr, struct task_struct *t)
{
	if (nr >= EBPF_MAX_NR)
		return NULL;
	struct ebpf_sysconf *c = bpf_map_lookup_elem(&sysconf, &nr);
	if (!c || !c->type || !wanted(t, t->tgid) || is_compat(t))
		return NULL;
	return c;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 nr = (__u32)regs->orig_ax;
	struct ebpf_sysconf *c = recorded(nr, t);
	if (!c || c->special == SPECIAL_EXIT)
		return 0;
	__u64 a[6];
	regs_args(regs, a);
	if (c->need_exec && !(a[2] & PROT_EXEC))
		return 0;
	return emit(t, c, a, nr, ret, 0);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!follow)
		return 0;
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	if (ptgid == ctgid || !bpf_map_lookup_elem(&pids, &ptgid))
		return 0;
	__u8 one = 1;
	bpf_map_update_elem(&pids, &ctgid, &one, BPF_ANY);
	return 0;
}

/* A successful execve/execveat: the new image has neither the caller's
 * registers nor its memory, so the kernel's copy of the filename is saved
 * here for sys_exit. (For execveat with a relative path it reads
 * "/dev/fd/N/path".) */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(proc_exec, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	__u32 nr = (__u32)BPF_CORE_READ(regs, orig_ax);
	if ((nr != EBPF_NR_EXECVE && nr != EBPF_NR_EXECVEAT) || !recorded(nr, t))
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!s)
		return 0;
	if (*(volatile __u32 *)&s->busy)
		return 0;
	*(volatile __u32 *)&s->busy = 1;
	if (bpf_probe_read_kernel_str(s->tmp, EBPF_PATH_MAX, BPF_CORE_READ(bprm, filename)) < 0)
		s->tmp[0] = 0;
	bpf_map_update_elem(&exec_paths, &tid, s->tmp, BPF_ANY);
	*(volatile __u32 *)&s->busy = 0;
	return 0;
}

/* exit, exit_group do not return: a task leaving through one of them has
 * its number in orig_ax and the status in di when it reaches do_exit().
 * A task that leaves another way (killed while in another syscall has that
 * one's number, in user space -1) is recorded with its exit code, which
 * do_exit() has set by now (wait(2)'s encoding: a signal in the low 7 bits,
 * else the status in bits 8-15): as exit_group when a signal ended the last
 * thread of its process, else as exit (one thread of a process that an
 * exit_group call or a signal ends; the call itself is recorded as it is). */
static __always_inline void exit_call(struct task_struct *p)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	__u32 nr = (__u32)BPF_CORE_READ(regs, orig_ax);
	__u64 a[6] = { BPF_CORE_READ(regs, di) };
	__u16 flags = EV_F_AT_ENTRY;
	if (nr != EBPF_NR_EXIT && nr != EBPF_NR_EXIT_GROUP) {
		int code = p->exit_code;
		int last = BPF_CORE_READ(p, signal, live.counter) == 0;
		nr = last && (code & 0x7f) ? EBPF_NR_EXIT_GROUP : EBPF_NR_EXIT;
		a[0] = (__u32)code;
		flags |= EV_F_EXIT_CODE;
	}
	struct ebpf_sysconf *c = recorded(nr, t);
	if (!c)
		return;
	emit(t, c, a, nr, 0, flags);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *p)
{
	exit_call(p);
	if (!filter_pid_on || p->pid != p->tgid)
		return 0;
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	__u32 tgid = p->tgid;
	bpf_map_delete_elem(&pids, &tgid);
	return 0;
}
