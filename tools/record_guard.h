/*
 * record_guard.h - "save state, restore it when the recorder dies": a
 * guardian process for recorder frontends that change state which outlives
 * their process (the kernel's audit rules and settings; an ETW kernel
 * session on Windows would be another).
 *
 * A frontend calls rec_guard_start() once it knows what to restore and
 * before it changes anything. The guardian is a fork of the recorder: it
 * holds a copy of the caller's data as it was at that moment, and waits on
 * a pipe that only the recorder holds open. When the pipe closes without
 * rec_guard_release() - the recorder was killed (SIGKILL, the OOM killer) or
 * crashed - the guardian calls restore(ud) at once and exits. A frontend
 * that restores the state itself calls rec_guard_release() afterwards; the
 * guardian then exits without acting.
 *
 * The guardian ignores SIGINT, SIGTERM, SIGHUP and SIGPIPE (a Ctrl-C reaches
 * the whole process group: the recorder stops and restores, the guardian
 * must outlive it), closes every descriptor but stderr and its pipe (it
 * must not keep an output pipe or a netlink socket open), and is named
 * "kcap-guard". It must be started while the recorder has one thread.
 */
#ifndef KCAP_TOOLS_RECORD_GUARD_H
#define KCAP_TOOLS_RECORD_GUARD_H

#include <sys/types.h>

typedef struct rec_guard rec_guard;

/* Starts the guardian. restore runs in it, with its copy of ud. Returns 0,
 * or -errno (nothing started) when the pipe or the fork fail. */
int rec_guard_start(rec_guard **g, void (*restore)(void *ud), void *ud);

/* The state is restored: the guardian exits without acting, and is waited
 * for. NULL is a no-op. */
void rec_guard_release(rec_guard *g);

/* The guardian's pid (tests), or -1. */
pid_t rec_guard_pid(const rec_guard *g);

#endif
