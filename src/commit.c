/*
 * Group commit. The event loop queues reports; one thread takes everything
 * queued so far, commits it in one fsync'd transaction and hands the batch
 * back through a pipe. While a commit waits on the disk, the next batch
 * gathers, so one fsync serves many reports under load and the event loop
 * never blocks on the disk.
 *
 * With the ledger on, a committed batch goes through a second thread that
 * signs its receipts: a signature costs about as much CPU as committing
 * the report, and beside the commit thread, rather than in it, it takes
 * another core instead of half the commit thread's throughput.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commit.h"
#include "ledger.h"
#include "log.h"
#include "sign.h"
#include "timefmt.h"

struct committer {
	struct store		*store;
	struct event		*wakeup;
	committer_done_cb	 done;
	committer_batch_cb	 batch_done;
	void			*arg;
	int			 pipe[2];
	pthread_t		 thread;
	int			 thread_started;
	struct store_checkpointer *checkpointer;
	pthread_t		 checkpoint_thread;
	int			 checkpoint_started;
	pthread_cond_t		 checkpoint_wake;
	pthread_t		 sign_thread;
	int			 sign_started;
	pthread_cond_t		 sign_more;

	pthread_mutex_t		 lock;
	pthread_cond_t		 more;
	struct store_report_queue todo;		/* under lock */
	struct store_report_queue to_sign;	/* under lock: committed */
	struct store_report_queue finished;	/* under lock */
	int			 commit_stopped;	/* under lock */
	struct store_mark	*marks;		/* under lock */
	size_t			 nmarks;		/* under lock */
	size_t			 marks_cap;	/* under lock */
	int			 marks_failed;	/* under lock: wait to retry */
	struct timespec		 retry_at;	/* under lock */
	int			 stopping;	/* under lock */
	struct metrics_histogram histogram;	/* under lock */
	size_t			 pending;	/* event loop only */
	EVP_PKEY		*key;		/* under lock: signs receipts */
};

/*
 * Sign the receipt of a report that has a ledger entry: the hub's word,
 * checkable with its certificate alone, that the report is stored under
 * this seq and chain.
 */
static void
committer_sign(struct signer *signer, struct store_report *r)
{
	char	*canonical;

	if (r->error != PROTO_OK || !r->has_chain)
		return;
	if ((canonical = ledger_receipt_canonical(r->seq, r->stored_digest,
	    r->stored_received_at, r->chain)) == NULL)
		return;
	free(r->receipt_sig);
	r->receipt_sig = signer_b64(signer, canonical, strlen(canonical));
	free(canonical);
}

/* Tell the event loop that finished reports wait; a full pipe already tells it. */
static void
committer_notify(struct committer *c)
{
	char	byte = 1;

	while (write(c->pipe[1], &byte, 1) == -1) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			log_warn("commit: notify");
		break;
	}
}

/*
 * Swap the position arrays under the lock: the thread takes the filled one
 * and hands back its emptied one for the event loop to fill.
 */
static size_t
committer_take_marks(struct committer *c, struct store_mark **marks,
    size_t *cap)
{
	struct store_mark	*taken = c->marks;
	size_t			 taken_cap = c->marks_cap, n = c->nmarks;

	c->marks = *marks;
	c->marks_cap = *cap;
	c->nmarks = 0;
	*marks = taken;
	*cap = taken_cap;
	return (n);
}

/* Note a position under the lock, keeping the highest per member and kind. */
static int
committer_note_mark(struct committer *c, enum store_mark_kind kind,
    const char *member, int64_t seq, int64_t at, int peer, const char *sig)
{
	struct store_mark	*grown;
	size_t			 i, cap, last = c->nmarks;

	for (i = 0; i < c->nmarks; i++) {
		if (c->marks[i].kind == kind &&
		    strcmp(c->marks[i].member, member) == 0)
			last = i;
	}
	i = last;
	/*
	 * A signature is a member's proof of what it received: a later
	 * unsigned acknowledgement (from another of its connections) goes
	 * beside a signed one rather than over it. A later one subsumes an
	 * unsigned one, or a signed one when it is signed too.
	 */
	if (i < c->nmarks && seq > c->marks[i].seq &&
	    c->marks[i].sig[0] != '\0' && (sig == NULL || *sig == '\0'))
		i = c->nmarks;
	if (i == c->nmarks) {
		if (c->nmarks == c->marks_cap) {
			cap = c->marks_cap == 0 ? 16 : c->marks_cap * 2;
			grown = reallocarray(c->marks, cap, sizeof *grown);
			if (grown == NULL)
				return (-1);
			c->marks = grown;
			c->marks_cap = cap;
		}
		memset(&c->marks[i], 0, sizeof c->marks[i]);
		c->marks[i].kind = kind;
		snprintf(c->marks[i].member, sizeof c->marks[i].member, "%s",
		    member);
		c->nmarks++;
	}
	if (seq > c->marks[i].seq) {
		c->marks[i].seq = seq;
		c->marks[i].at = at;
		c->marks[i].peer = peer;
		/* The highest position's signature is the one that counts. */
		snprintf(c->marks[i].sig, sizeof c->marks[i].sig, "%s",
		    sig != NULL && strlen(sig) < sizeof c->marks[i].sig ? sig :
		    "");
	}
	return (0);
}

/* The commit thread: take what is queued, commit it, hand it back. */
static void *
committer_main(void *arg)
{
	struct committer	*c = arg;
	struct store_report	*batch[COMMIT_BATCH_MAX], *r;
	struct store_mark	*marks = NULL;
	size_t			 n, i, nmarks, marks_cap = 0;
	int64_t			 started;
	int			 failed, to_sign;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		for (;;) {
			if (!TAILQ_EMPTY(&c->todo) || c->stopping)
				break;
			if (c->nmarks > 0 && !c->marks_failed)
				break;
			if (c->nmarks == 0) {
				pthread_cond_wait(&c->more, &c->lock);
				continue;
			}
			/* Positions that failed wait a moment before again. */
			if (pthread_cond_timedwait(&c->more, &c->lock,
			    &c->retry_at) != 0)
				c->marks_failed = 0;
		}
		if (TAILQ_EMPTY(&c->todo) && c->nmarks == 0 && c->stopping) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		n = 0;
		while (n < COMMIT_BATCH_MAX && (r = TAILQ_FIRST(&c->todo))) {
			TAILQ_REMOVE(&c->todo, r, entry);
			batch[n++] = r;
		}
		nmarks = committer_take_marks(c, &marks, &marks_cap);
		pthread_mutex_unlock(&c->lock);

		started = time_now_usec();
		failed = store_commit(c->store, batch, n, marks, nmarks) == -1;
		pthread_mutex_lock(&c->lock);
		metrics_histogram_add(&c->histogram,
		    (double)(time_now_usec() - started) / 1e6);
		/*
		 * Acknowledgements and delivery positions that could not be
		 * written are kept for the next commit: a disk that fills up
		 * and heals loses no acknowledgement.
		 */
		if (failed && nmarks > 0) {
			for (i = 0; i < nmarks; i++)
				committer_note_mark(c, marks[i].kind,
				    marks[i].member, marks[i].seq, marks[i].at,
				    marks[i].peer, marks[i].sig);
			c->marks_failed = !c->stopping;
			clock_gettime(CLOCK_REALTIME, &c->retry_at);
			c->retry_at.tv_nsec += COMMIT_RETRY_MS * 1000000L;
			if (c->retry_at.tv_nsec >= 1000000000L) {
				c->retry_at.tv_sec++;
				c->retry_at.tv_nsec -= 1000000000L;
			}
		}
		pthread_mutex_unlock(&c->lock);
		if (n == 0) {
			/* Nothing to hand back; acknowledgements have no answer. */
			continue;
		}

		/*
		 * To be signed while there is a key; and after batches still
		 * being signed, so that answers keep the order of commits.
		 */
		pthread_mutex_lock(&c->lock);
		to_sign = c->key != NULL || !TAILQ_EMPTY(&c->to_sign);
		for (i = 0; i < n; i++)
			TAILQ_INSERT_TAIL(to_sign ? &c->to_sign : &c->finished,
			    batch[i], entry);
		if (to_sign)
			pthread_cond_signal(&c->sign_more);
		pthread_mutex_unlock(&c->lock);
		if (!to_sign)
			committer_notify(c);
	}
	free(marks);
	return (NULL);
}

/* The signing thread: sign what was committed, hand it back in order. */
static void *
committer_sign_main(void *arg)
{
	struct committer		*c = arg;
	struct store_report_queue	 work;
	struct store_report		*r;
	struct signer			*signer = NULL;
	EVP_PKEY			*key, *signer_key = NULL;
	size_t				 n;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		while (TAILQ_EMPTY(&c->to_sign) && !c->commit_stopped)
			pthread_cond_wait(&c->sign_more, &c->lock);
		if (TAILQ_EMPTY(&c->to_sign)) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		/* A few at a time: the first answers need not wait for all. */
		TAILQ_INIT(&work);
		for (n = 0; n < COMMIT_SIGN_CHUNK &&
		    (r = TAILQ_FIRST(&c->to_sign)) != NULL; n++) {
			TAILQ_REMOVE(&c->to_sign, r, entry);
			TAILQ_INSERT_TAIL(&work, r, entry);
		}
		if ((key = c->key) != NULL)
			EVP_PKEY_up_ref(key);
		pthread_mutex_unlock(&c->lock);

		/* The signer holds its key: a new key is a new pointer. */
		if (key != signer_key) {
			signer_free(signer);
			signer = key != NULL ? signer_new(key) : NULL;
			signer_key = signer != NULL ? key : NULL;
			if (key != NULL && signer == NULL)
				log_warnx("commit: out of memory to sign "
				    "receipts");
		}
		EVP_PKEY_free(key);
		if (signer != NULL)
			TAILQ_FOREACH(r, &work, entry)
				committer_sign(signer, r);

		pthread_mutex_lock(&c->lock);
		TAILQ_CONCAT(&c->finished, &work, entry);
		pthread_mutex_unlock(&c->lock);
		committer_notify(c);
	}
	signer_free(signer);
	return (NULL);
}

/*
 * The checkpoint thread: every COMMIT_CHECKPOINT_MS, copy the WAL into the
 * database file beside the writer, so that no commit (and no "accepted")
 * ever waits for a checkpoint.
 */
static void *
committer_checkpoint_main(void *arg)
{
	struct committer	*c = arg;
	struct timespec		 deadline;

	pthread_mutex_lock(&c->lock);
	while (!c->stopping) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += COMMIT_CHECKPOINT_MS * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->checkpoint_wake, &c->lock, &deadline);
		if (c->stopping)
			break;
		pthread_mutex_unlock(&c->lock);
		store_checkpoint(c->checkpointer);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return (NULL);
}

/* Run the done callbacks of every finished report, in commit order. */
static void
committer_deliver(struct committer *c)
{
	struct store_report_queue	 finished;
	struct store_report		*r;

	TAILQ_INIT(&finished);
	pthread_mutex_lock(&c->lock);
	TAILQ_CONCAT(&finished, &c->finished, entry);
	pthread_mutex_unlock(&c->lock);
	if (TAILQ_EMPTY(&finished))
		return;
	while ((r = TAILQ_FIRST(&finished)) != NULL) {
		TAILQ_REMOVE(&finished, r, entry);
		c->pending--;
		c->done(r, c->arg);
	}
	if (c->batch_done != NULL)
		c->batch_done(c->arg);
}

/* The pipe is readable: empty it, then deliver. */
static void
committer_wakeup(evutil_socket_t fd, short events, void *arg)
{
	struct committer	*c = arg;
	char			 buf[256];

	(void)events;
	while (read(fd, buf, sizeof buf) > 0)
		;
	committer_deliver(c);
}

struct committer *
committer_new(struct store *store, struct event_base *base,
    committer_done_cb done, committer_batch_cb batch_done, void *arg,
    char **cause)
{
	struct committer	*c;

	*cause = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		goto nomem;
	c->store = store;
	c->done = done;
	c->batch_done = batch_done;
	c->arg = arg;
	c->pipe[0] = c->pipe[1] = -1;
	TAILQ_INIT(&c->todo);
	TAILQ_INIT(&c->to_sign);
	TAILQ_INIT(&c->finished);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->more, NULL);
	pthread_cond_init(&c->checkpoint_wake, NULL);
	pthread_cond_init(&c->sign_more, NULL);
	if (pipe2(c->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		if (asprintf(cause, "commit: pipe: %s", strerror(errno)) == -1)
			*cause = NULL;
		goto fail;
	}
	c->wakeup = event_new(base, c->pipe[0], EV_READ | EV_PERSIST,
	    committer_wakeup, c);
	if (c->wakeup == NULL || event_add(c->wakeup, NULL) == -1)
		goto nomem;
	if ((errno = pthread_create(&c->thread, NULL, committer_main, c))) {
		if (asprintf(cause, "commit: thread: %s", strerror(errno)) == -1)
			*cause = NULL;
		goto fail;
	}
	c->thread_started = 1;
	if ((errno = pthread_create(&c->sign_thread, NULL, committer_sign_main,
	    c))) {
		if (asprintf(cause, "commit: signing thread: %s",
		    strerror(errno)) == -1)
			*cause = NULL;
		goto fail;
	}
	c->sign_started = 1;
	if ((c->checkpointer = store_checkpointer_open(store_path(store),
	    cause)) == NULL)
		goto fail;
	if ((errno = pthread_create(&c->checkpoint_thread, NULL,
	    committer_checkpoint_main, c))) {
		if (asprintf(cause, "commit: checkpoint thread: %s",
		    strerror(errno)) == -1)
			*cause = NULL;
		goto fail;
	}
	c->checkpoint_started = 1;
	return (c);
nomem:
	if (*cause == NULL && asprintf(cause, "commit: out of memory") == -1)
		*cause = NULL;
fail:
	committer_free(c);
	return (NULL);
}

void
committer_submit(struct committer *c, struct store_report *r)
{
	pthread_mutex_lock(&c->lock);
	TAILQ_INSERT_TAIL(&c->todo, r, entry);
	pthread_cond_signal(&c->more);
	pthread_mutex_unlock(&c->lock);
	c->pending++;
}

void
committer_mark(struct committer *c, enum store_mark_kind kind,
    const char *member, int64_t seq, int64_t at)
{
	committer_mark_ack(c, kind, member, seq, at, 0, NULL);
}

void
committer_mark_ack(struct committer *c, enum store_mark_kind kind,
    const char *member, int64_t seq, int64_t at, int peer, const char *sig)
{
	pthread_mutex_lock(&c->lock);
	if (committer_note_mark(c, kind, member, seq, at, peer, sig) == -1)
		log_warnx("commit: out of memory for a position of %s", member);
	pthread_cond_signal(&c->more);
	pthread_mutex_unlock(&c->lock);
}

void
committer_set_key(struct committer *c, EVP_PKEY *key)
{
	EVP_PKEY	*old;

	if (key != NULL)
		EVP_PKEY_up_ref(key);
	pthread_mutex_lock(&c->lock);
	old = c->key;
	c->key = key;
	pthread_mutex_unlock(&c->lock);
	EVP_PKEY_free(old);
}

void
committer_histogram(struct committer *c, struct metrics_histogram *out)
{
	memset(out, 0, sizeof *out);
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	*out = c->histogram;
	pthread_mutex_unlock(&c->lock);
}

size_t
committer_pending(const struct committer *c)
{
	return (c->pending);
}

void
committer_free(struct committer *c)
{
	if (c == NULL)
		return;
	if (c->thread_started) {
		pthread_mutex_lock(&c->lock);
		c->stopping = 1;
		pthread_cond_signal(&c->more);
		pthread_cond_signal(&c->checkpoint_wake);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
		/* The signer ends once the last batch committed is signed. */
		if (c->sign_started) {
			pthread_mutex_lock(&c->lock);
			c->commit_stopped = 1;
			pthread_cond_signal(&c->sign_more);
			pthread_mutex_unlock(&c->lock);
			pthread_join(c->sign_thread, NULL);
		}
		if (c->checkpoint_started)
			pthread_join(c->checkpoint_thread, NULL);
		committer_deliver(c);
		/* Positions noted by those last deliveries. */
		if (c->nmarks > 0)
			store_commit(c->store, NULL, 0, c->marks, c->nmarks);
	}
	if (c->wakeup != NULL)
		event_free(c->wakeup);
	if (c->pipe[0] != -1)
		close(c->pipe[0]);
	if (c->pipe[1] != -1)
		close(c->pipe[1]);
	store_checkpointer_close(c->checkpointer);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->more);
	pthread_cond_destroy(&c->checkpoint_wake);
	pthread_cond_destroy(&c->sign_more);
	EVP_PKEY_free(c->key);
	free(c->marks);
	free(c);
}
