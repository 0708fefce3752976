/*
 * Reads off the event loop. A pool of threads, each with a read-only
 * connection of its own, runs read jobs and hands them back to the event
 * loop through a pipe, the way the committer hands back commits. No
 * history query, replay or count ever makes the loop wait.
 */
#ifndef KENTONGAN_READER_H
#define KENTONGAN_READER_H

#include <stddef.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "store_read.h"

#define READER_THREADS		2

struct reader;
struct reader_job;
struct reader_gate;

/* Runs on a reader thread: read, and build the answer in the job. */
typedef void (*reader_run_cb)(struct reader_job *, struct store_reader *);
/* Runs on the event loop's thread, once per job, after run (or instead). */
typedef void (*reader_done_cb)(struct reader_job *);

/*
 * A job, embedded in its owner's struct. cancelled is set when the job
 * was never run: the hub is stopping, or the owner abandoned it while it
 * waited at its gate.
 */
struct reader_job {
	reader_run_cb		 run;
	reader_done_cb		 done;
	struct reader_gate	*gate;		/* or NULL */
	int			 cancelled;
	int			 abandoned;	/* set by the owner, loop only */
	TAILQ_ENTRY(reader_job)	 entry;
};
TAILQ_HEAD(reader_job_queue, reader_job);

/*
 * How many jobs of one party run at once; the rest wait their turn, so
 * that a party sending reads in a loop takes at most that many threads.
 */
struct reader_gate {
	unsigned		 limit;
	unsigned		 running;
	struct reader_job_queue	 waiting;
};

/* Start nthreads readers on the database at path. NULL with *cause. */
struct reader	*reader_new(const char *path, struct event_base *,
		    unsigned nthreads, char **cause);
/* Queue a job; its done callback comes later, on the loop. */
void		 reader_submit(struct reader *, struct reader_job *);
/* Queue a job behind gate: it runs once fewer than gate->limit do. */
void		 reader_submit_gated(struct reader *, struct reader_gate *,
		    struct reader_job *);
void		 reader_gate_init(struct reader_gate *, unsigned limit);
/* Cancel every job waiting at gate (done callbacks with cancelled set). */
void		 reader_gate_cancel(struct reader *, struct reader_gate *);
/* Jobs submitted and not done yet, waiting at gates included. */
size_t		 reader_pending(const struct reader *);
/*
 * Stop the threads after the job each is running; every job not run gets
 * its done callback with cancelled set. Then free.
 */
void		 reader_free(struct reader *);

#endif
