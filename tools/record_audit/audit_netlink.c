/* audit_netlink.c - NETLINK_AUDIT requests (see audit_netlink.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "audit_netlink.h"

/* How long a request may wait for the kernel's answer. */
#define REPLY_TIMEOUT_MS 5000

static uint32_t next_seq = 1;

int anl_open(int *fd, int rcvbuf)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&me, sizeof me) < 0) {
		int e = errno;
		close(s);
		return -e;
	}
	if (rcvbuf > 0 && setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	*fd = s;
	return 0;
}

static int send_req(int fd, uint16_t type, uint16_t flags, const void *data, size_t len, uint32_t *seq)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t total = NLMSG_SPACE(len);
	struct nlmsghdr *h = calloc(1, total);
	int rc = 0;
	if (!h)
		return -ENOMEM;
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = *seq = next_seq++;
	if (len)
		memcpy(NLMSG_DATA(h), data, len);
	ssize_t n;
	do
		n = sendto(fd, h, total, 0, (struct sockaddr *)&kernel, sizeof kernel);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -errno;
	free(h);
	return rc;
}

long anl_recv(int fd, void *buf, size_t cap)
{
	struct sockaddr_nl from;
	socklen_t fl = sizeof from;
	ssize_t n;
	do
		n = recvfrom(fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	/* only the kernel speaks on this socket */
	if (from.nl_pid != 0)
		return 0;
	return (long)n;
}

int anl_recv_batch(int fd, char *buf, size_t each, unsigned n, size_t *lens)
{
	struct mmsghdr mm[ANL_BATCH_MAX];
	struct iovec iov[ANL_BATCH_MAX];
	struct sockaddr_nl from[ANL_BATCH_MAX];
	if (n > ANL_BATCH_MAX)
		n = ANL_BATCH_MAX;
	memset(mm, 0, n * sizeof *mm);
	for (unsigned i = 0; i < n; i++) {
		iov[i].iov_base = buf + i * each;
		iov[i].iov_len = each;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &from[i];
		mm[i].msg_hdr.msg_namelen = sizeof from[i];
	}
	int got;
	do
		got = recvmmsg(fd, mm, n, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	for (int i = 0; i < got; i++)
		/* only the kernel speaks on this socket; a truncated message is cut */
		lens[i] = from[i].nl_pid == 0 ? mm[i].msg_len : 0;
	return got;
}

int anl_record(const void *msg, size_t n, uint16_t *type, const char **text, size_t *len)
{
	const struct nlmsghdr *h = msg;
	if (n < NLMSG_HDRLEN || h->nlmsg_type < AUDIT_FIRST_USER_MSG || h->nlmsg_type > AUDIT_LAST_USER_MSG2)
		return 0;
	const char *p = (const char *)msg + NLMSG_HDRLEN;
	size_t l = n - NLMSG_HDRLEN;
	const char *nul = memchr(p, 0, l);
	if (nul)
		l = (size_t)(nul - p);
	while (l && (p[l - 1] == '\n' || p[l - 1] == ' '))
		l--;
	*type = h->nlmsg_type;
	*text = p;
	*len = l;
	return 1;
}

/* An audit record (as opposed to a reply): the kernel sends each record as
 * one datagram whose header length is not to be trusted. */
static int is_record(uint16_t type)
{
	return type >= AUDIT_FIRST_USER_MSG && type <= AUDIT_LAST_USER_MSG2;
}

typedef struct waiter {
	uint32_t seq;
	uint16_t want;        /* reply type wanted, 0 = the ack only */
	void *out;            /* reply payload copied here */
	size_t outlen;
	int got;
	anl_rule_fn rule_fn;  /* multi-part AUDIT_LIST_RULES */
	void *rule_ud;
	anl_other_fn other;
	void *other_ud;
} waiter;

/* Waits until the request seq is answered: its ack or error, its reply of
 * type want, or NLMSG_DONE for a listing. */
static int wait_reply(int fd, waiter *w)
{
	char *buf = malloc(ANL_BUF);
	int rc = -ETIMEDOUT;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, REPLY_TIMEOUT_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			goto cleanup;
		long n = anl_recv(fd, buf, ANL_BUF);
		if (n == -ENOBUFS) /* records overflowed the socket; the reply may follow */
			continue;
		if (n < 0) {
			rc = (int)n;
			goto cleanup;
		}
		if ((size_t)n < sizeof(struct nlmsghdr))
			continue;
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		if (is_record(h->nlmsg_type)) {
			if (w->other)
				w->other(w->other_ud, buf, (size_t)n);
			continue;
		}
		size_t left = (size_t)n;
		/* replies may be several messages per datagram (NLMSG_OK without
		 * its signed/unsigned comparison) */
		for (; left >= sizeof *h && h->nlmsg_len >= sizeof *h && h->nlmsg_len <= left;
		     left -= NLMSG_ALIGN(h->nlmsg_len) < left ? NLMSG_ALIGN(h->nlmsg_len) : left,
		     h = (struct nlmsghdr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len))) {
			if (h->nlmsg_seq != w->seq)
				continue;
			size_t plen = h->nlmsg_len - NLMSG_HDRLEN;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (plen < sizeof e->error) {
					rc = -EPROTO;
					goto cleanup;
				}
				/* error 0 is the ack; a reply, when one was wanted, came first.
				 * Listings are sent by a kernel thread and may come after
				 * an ack, so they end on NLMSG_DONE only. */
				rc = e->error;
				if (rc == 0 && w->rule_fn)
					continue;
				if (rc == 0 && w->want && !w->got)
					rc = -EPROTO;
				goto cleanup;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				rc = 0;
				goto cleanup;
			}
			if (w->rule_fn && h->nlmsg_type == AUDIT_LIST_RULES) {
				if (plen >= sizeof(struct audit_rule_data))
					w->rule_fn(w->rule_ud, NLMSG_DATA(h), plen);
				continue;
			}
			if (w->want && h->nlmsg_type == w->want) {
				memset(w->out, 0, w->outlen);
				memcpy(w->out, NLMSG_DATA(h), plen < w->outlen ? plen : w->outlen);
				w->got = 1;
				rc = 0;
				goto cleanup;
			}
		}
	}
cleanup:
	free(buf);
	return rc;
}

int anl_get_status(int fd, struct audit_status *st)
{
	waiter w = { .want = AUDIT_GET, .out = st, .outlen = sizeof *st };
	int rc = send_req(fd, AUDIT_GET, 0, NULL, 0, &w.seq);
	return rc < 0 ? rc : wait_reply(fd, &w);
}

int anl_set_status(int fd, const struct audit_status *st, anl_other_fn other, void *ud)
{
	waiter w = { .other = other, .other_ud = ud };
	int rc = send_req(fd, AUDIT_SET, NLM_F_ACK, st, sizeof *st, &w.seq);
	return rc < 0 ? rc : wait_reply(fd, &w);
}

int anl_rule(int fd, int add, const struct audit_rule_data *r, size_t len)
{
	waiter w = { 0 };
	int rc = send_req(fd, add ? AUDIT_ADD_RULE : AUDIT_DEL_RULE, NLM_F_ACK, r, len, &w.seq);
	return rc < 0 ? rc : wait_reply(fd, &w);
}

int anl_list_rules(int fd, anl_rule_fn fn, void *ud)
{
	waiter w = { .rule_fn = fn, .rule_ud = ud };
	int rc = send_req(fd, AUDIT_LIST_RULES, 0, NULL, 0, &w.seq);
	return rc < 0 ? rc : wait_reply(fd, &w);
}
