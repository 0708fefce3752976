/*
 * The reader pool. Jobs queue in submission order; each thread takes the
 * oldest, runs it on its own connection, and puts it on the finished list;
 * a byte in the pipe wakes the event loop, which runs the done callbacks.
 * Gates (one per member or operator) bound how many of a party's jobs run
 * at once, so one party cannot take every thread.
 */
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "reader.h"

/* Readers yield the CPU to the event loop and the committer. */
#define READER_NICE	10

struct reader_thread {
	struct reader		*reader;
	pthread_t		 thread;
	int			 started;
	struct store_reader	*store;
};

struct reader {
	struct event		*wakeup;
	int			 pipe[2];
	struct reader_thread	*threads;
	unsigned		 nthreads;
	size_t			 pending;	/* loop only */

	pthread_mutex_t		 lock;
	pthread_cond_t		 more;
	struct reader_job_queue	 todo;		/* under lock */
	struct reader_job_queue	 finished;	/* under lock */
	int			 stopping;	/* under lock */
};

void
reader_gate_init(struct reader_gate *gate, unsigned limit)
{
	gate->limit = limit;
	gate->running = 0;
	TAILQ_INIT(&gate->waiting);
}

/* Tell the loop that finished jobs wait; a full pipe already tells it. */
static void
reader_notify(struct reader *rd)
{
	char	byte = 1;

	while (write(rd->pipe[1], &byte, 1) == -1) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			log_warn("reader: notify");
		break;
	}
}

/* A reader thread: take the oldest job, run it, hand it back. */
static void *
reader_main(void *arg)
{
	struct reader_thread	*t = arg;
	struct reader		*rd = t->reader;
	struct reader_job	*job;

#ifdef SYS_gettid
	/* Best effort: a busy reader must not slow the loop down. */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
	    READER_NICE) == -1) {
		/* Running at the loop's priority is still correct. */
	}
#endif
	for (;;) {
		pthread_mutex_lock(&rd->lock);
		while (TAILQ_EMPTY(&rd->todo) && !rd->stopping)
			pthread_cond_wait(&rd->more, &rd->lock);
		if (rd->stopping) {
			pthread_mutex_unlock(&rd->lock);
			break;
		}
		job = TAILQ_FIRST(&rd->todo);
		TAILQ_REMOVE(&rd->todo, job, entry);
		pthread_mutex_unlock(&rd->lock);

		job->run(job, t->store);

		pthread_mutex_lock(&rd->lock);
		TAILQ_INSERT_TAIL(&rd->finished, job, entry);
		pthread_mutex_unlock(&rd->lock);
		reader_notify(rd);
	}
	return (NULL);
}

/* Queue a job for the threads. */
static void
reader_enqueue(struct reader *rd, struct reader_job *job)
{
	pthread_mutex_lock(&rd->lock);
	TAILQ_INSERT_TAIL(&rd->todo, job, entry);
	pthread_cond_signal(&rd->more);
	pthread_mutex_unlock(&rd->lock);
}

/*
 * A job of gate is done: let its next waiting job run. Jobs abandoned
 * while they waited are done without running.
 */
static void
reader_gate_release(struct reader *rd, struct reader_gate *gate)
{
	struct reader_job	*job;

	gate->running--;
	while (gate->running < gate->limit &&
	    (job = TAILQ_FIRST(&gate->waiting)) != NULL) {
		TAILQ_REMOVE(&gate->waiting, job, entry);
		if (job->abandoned) {
			job->cancelled = 1;
			rd->pending--;
			job->done(job);
			continue;
		}
		gate->running++;
		reader_enqueue(rd, job);
	}
}

/* Run the done callbacks of every finished job. */
static void
reader_deliver(struct reader *rd)
{
	struct reader_job_queue	 finished;
	struct reader_job	*job;
	struct reader_gate	*gate;

	TAILQ_INIT(&finished);
	pthread_mutex_lock(&rd->lock);
	TAILQ_CONCAT(&finished, &rd->finished, entry);
	pthread_mutex_unlock(&rd->lock);
	while ((job = TAILQ_FIRST(&finished)) != NULL) {
		TAILQ_REMOVE(&finished, job, entry);
		gate = job->gate;
		rd->pending--;
		/* The callback may free the job and submit another. */
		job->done(job);
		if (gate != NULL)
			reader_gate_release(rd, gate);
	}
}

/* The pipe is readable: empty it, then deliver. */
static void
reader_wakeup(evutil_socket_t fd, short events, void *arg)
{
	struct reader	*rd = arg;
	char		 buf[256];

	(void)events;
	while (read(fd, buf, sizeof buf) > 0)
		;
	reader_deliver(rd);
}

struct reader *
reader_new(const char *path, struct event_base *base, unsigned nthreads,
    char **cause)
{
	struct reader	*rd;
	unsigned	 i;

	*cause = NULL;
	if ((rd = calloc(1, sizeof *rd)) == NULL ||
	    (rd->threads = calloc(nthreads, sizeof *rd->threads)) == NULL) {
		free(rd);
		if (asprintf(cause, "reader: out of memory") == -1)
			*cause = NULL;
		return (NULL);
	}
	rd->nthreads = nthreads;
	rd->pipe[0] = rd->pipe[1] = -1;
	TAILQ_INIT(&rd->todo);
	TAILQ_INIT(&rd->finished);
	pthread_mutex_init(&rd->lock, NULL);
	pthread_cond_init(&rd->more, NULL);
	if (pipe2(rd->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		if (asprintf(cause, "reader: pipe: %s", strerror(errno)) == -1)
			*cause = NULL;
		goto fail;
	}
	rd->wakeup = event_new(base, rd->pipe[0], EV_READ | EV_PERSIST,
	    reader_wakeup, rd);
	if (rd->wakeup == NULL || event_add(rd->wakeup, NULL) == -1) {
		if (asprintf(cause, "reader: cannot watch its pipe") == -1)
			*cause = NULL;
		goto fail;
	}
	for (i = 0; i < nthreads; i++) {
		rd->threads[i].reader = rd;
		if ((rd->threads[i].store = store_reader_open(path,
		    cause)) == NULL)
			goto fail;
	}
	for (i = 0; i < nthreads; i++) {
		if ((errno = pthread_create(&rd->threads[i].thread, NULL,
		    reader_main, &rd->threads[i])) != 0) {
			if (asprintf(cause, "reader: thread: %s",
			    strerror(errno)) == -1)
				*cause = NULL;
			goto fail;
		}
		rd->threads[i].started = 1;
	}
	return (rd);
fail:
	reader_free(rd);
	return (NULL);
}

void
reader_submit(struct reader *rd, struct reader_job *job)
{
	job->gate = NULL;
	job->cancelled = 0;
	job->abandoned = 0;
	rd->pending++;
	reader_enqueue(rd, job);
}

void
reader_submit_gated(struct reader *rd, struct reader_gate *gate,
    struct reader_job *job)
{
	job->gate = gate;
	job->cancelled = 0;
	job->abandoned = 0;
	rd->pending++;
	if (gate->running < gate->limit) {
		gate->running++;
		reader_enqueue(rd, job);
	} else
		TAILQ_INSERT_TAIL(&gate->waiting, job, entry);
}

void
reader_gate_cancel(struct reader *rd, struct reader_gate *gate)
{
	struct reader_job	*job;

	while ((job = TAILQ_FIRST(&gate->waiting)) != NULL) {
		TAILQ_REMOVE(&gate->waiting, job, entry);
		job->cancelled = 1;
		rd->pending--;
		job->done(job);
	}
}

size_t
reader_pending(const struct reader *rd)
{
	return (rd->pending);
}

void
reader_free(struct reader *rd)
{
	struct reader_job_queue	 left;
	struct reader_job	*job;
	struct reader_gate	*gate;
	unsigned		 i;

	if (rd == NULL)
		return;
	pthread_mutex_lock(&rd->lock);
	rd->stopping = 1;
	pthread_cond_broadcast(&rd->more);
	pthread_mutex_unlock(&rd->lock);
	for (i = 0; i < rd->nthreads; i++) {
		if (rd->threads[i].started)
			pthread_join(rd->threads[i].thread, NULL);
	}
	/*
	 * What finished is delivered; what never ran is cancelled. A done
	 * callback may still submit, and each job leaving its gate lets the
	 * next one waiting there into the queue: go on until nothing is
	 * left.
	 */
	for (;;) {
		TAILQ_INIT(&left);
		TAILQ_CONCAT(&left, &rd->finished, entry);
		while ((job = TAILQ_FIRST(&left)) != NULL) {
			TAILQ_REMOVE(&left, job, entry);
			gate = job->gate;
			rd->pending--;
			job->done(job);
			if (gate != NULL)
				reader_gate_release(rd, gate);
		}
		if (TAILQ_EMPTY(&rd->todo) && TAILQ_EMPTY(&rd->finished))
			break;
		TAILQ_CONCAT(&left, &rd->todo, entry);
		while ((job = TAILQ_FIRST(&left)) != NULL) {
			TAILQ_REMOVE(&left, job, entry);
			gate = job->gate;
			job->cancelled = 1;
			rd->pending--;
			job->done(job);
			if (gate != NULL)
				reader_gate_release(rd, gate);
		}
	}
	for (i = 0; i < rd->nthreads; i++)
		store_reader_close(rd->threads[i].store);
	if (rd->wakeup != NULL)
		event_free(rd->wakeup);
	if (rd->pipe[0] != -1)
		close(rd->pipe[0]);
	if (rd->pipe[1] != -1)
		close(rd->pipe[1]);
	pthread_mutex_destroy(&rd->lock);
	pthread_cond_destroy(&rd->more);
	free(rd->threads);
	free(rd);
}
