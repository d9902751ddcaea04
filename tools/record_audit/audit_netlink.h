/*
 * audit_netlink.h - a minimal client of the kernel's NETLINK_AUDIT socket:
 * status get/set, syscall rules add/delete/list, and reading the records
 * the kernel sends to the registered audit daemon. No libaudit (see
 * docs/AUDIT.md, "Live recorder").
 *
 * All functions return 0 on success or a negative errno value. Interrupted
 * calls (EINTR) are retried.
 */
#ifndef KCAP_TOOLS_AUDIT_NETLINK_H
#define KCAP_TOOLS_AUDIT_NETLINK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/audit.h>

/* Largest record the kernel sends (MAX_AUDIT_MESSAGE_LENGTH is 8970) plus
 * room to detect anything longer. */
#define ANL_BUF 16384

/* Opens a NETLINK_AUDIT socket (close-on-exec). rcvbuf > 0 asks for that
 * receive buffer size (forced when privileged). */
int anl_open(int *fd, int rcvbuf);

/* Called for messages that arrive while waiting for a reply and are not
 * that reply (audit records on the daemon socket). len is the received
 * size of the whole message, header included. */
typedef void (*anl_other_fn)(void *ud, const void *msg, size_t len);

/* AUDIT_GET: the current status. */
int anl_get_status(int fd, struct audit_status *st);
/* AUDIT_SET with st->mask saying which fields apply; waits for the ack.
 * Setting the pid must be sent from the socket that is to receive the
 * records; other messages seen meanwhile go to other (may be NULL). */
int anl_set_status(int fd, const struct audit_status *st, anl_other_fn other, void *ud);

/* AUDIT_ADD_RULE / AUDIT_DEL_RULE with rule data of len bytes. */
int anl_rule(int fd, int add, const struct audit_rule_data *r, size_t len);

/* AUDIT_LIST_RULES: calls fn once per rule with its data and length. */
typedef void (*anl_rule_fn)(void *ud, const struct audit_rule_data *r, size_t len);
int anl_list_rules(int fd, anl_rule_fn fn, void *ud);

/* Reads one message without blocking into buf (ANL_BUF bytes). Returns its
 * received length (> 0), 0 when nothing is ready, or -errno (-ENOBUFS when
 * the socket overflowed: messages were dropped). */
long anl_recv(int fd, void *buf, size_t cap);

/* The record in one received message of n bytes: its type and its text
 * (not NUL-terminated). Each message is one record; its length is the
 * received size, never the header's nlmsg_len, and the text ends at the
 * first NUL, without trailing newlines or spaces. Returns 1 for an audit
 * record (types 1100-2999), 0 for anything else (replies, acks, errors, a
 * message shorter than its header). */
int anl_record(const void *msg, size_t n, uint16_t *type, const char **text, size_t *len);

/* Reads up to n (at most ANL_BATCH_MAX) messages without blocking into
 * buf, each in its own slot of each bytes; lens[i] is the received length
 * of message i (0 for one to ignore). Returns the count, 0 when nothing is
 * ready, or -errno. */
#define ANL_BATCH_MAX 64
int anl_recv_batch(int fd, char *buf, size_t each, unsigned n, size_t *lens);

#endif
