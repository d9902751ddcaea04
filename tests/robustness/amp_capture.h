/* amp_capture.h - a small capture that names origin 65535 (issue 11 finding
 * 3): a section snapshot of AMP_NPROC processes, which describes every origin
 * without a snapshot of its own, an origin snapshot for origin 65535, and a
 * few events on origins 0, 1 and 2. A tracker that copied the section's
 * snapshot into each origin number held 65535 copies of it. Built by the
 * robustness test and the reader's fuzz seeds. */
#ifndef KCAP_TESTS_AMP_CAPTURE_H
#define KCAP_TESTS_AMP_CAPTURE_H
#include <stddef.h>
#include <stdint.h>

enum { AMP_NPROC = 16, AMP_LAST_ORIGIN = 65535 };

/* Event seqs, in file order:
 *  1  origin 0 pid 100 openat
 *  2  origin 1 pid 101 execve path=/bin/new   (origin 1's 101 runs /bin/new)
 *  3  origin 2 pid 101 openat                 (origin 2's 101 keeps the snapshot's exe)
 *  4  origin 1 pid 101 openat
 *  5  origin 2 pid 102 exit_group             (origin 2 forgets 102 after it)
 *  6  origin 2 pid 103 openat
 * The snapshot: pid 1 init (/sbin/init), pids 100.. /usr/bin/pN (N = pid - 100,
 * cwd /srv, parent 1); origin 65535's own: pid 100 /opt/last. */
int amp_capture_build(uint8_t **buf, size_t *len);

#endif
