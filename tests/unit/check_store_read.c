/*
 * Unit tests of the query engine over posting lists (store_read.c with
 * store.c): every answer compared with the same question answered by brute
 * force over the same reports, kept in memory by the test.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "counts.h"
#include "log.h"
#include "posting.h"
#include "recipients.h"
#include "request.h"
#include "store.h"
#include "store_read.h"

#define SEC	INT64_C(1000000)
#define MIN	(60 * SEC)
#define HOUR	(3600 * SEC)
#define DAY	(86400 * SEC)
/* 2025-11-21T00:00:00Z. */
#define D0	(INT64_C(1763683200) * SEC)

/* Who sends and receives. "S", "SG" and "SGX" share prefixes. */
static const char *const members[] = { "SG", "S", "SGX", "MY", "ID", "TH",
    "PH", "RARE", "NOBODY" };
#define NMEMBERS	9
#define NSENDERS	7	/* the first seven send */
#define M_RARE		7	/* a recipient of 1 report in 500 */
#define M_NOBODY	8	/* of none, and sends none */

#define LONG_CODE	"vulnerable/a-code-name-well-beyond-sixty-four-bytes-" \
	"long-for-the-builder-s-key-buffer"
static const char *const codes[] = { "intrusions/system-compromise",
    "intrusions/application-compromise", "intrusions-x/lookalike",
    "intrusionsx/lookalike", "availability/ddos", "availability/outage",
    "fraud/phishing", LONG_CODE };
#define NCODES	8

/* One report as the test knows it. */
struct mrep {
	int		 sender;
	char		 id[40];
	int		 code;
	enum severity	 severity;
	enum tlp	 tlp;
	int64_t		 received_at;
	int		 tier[NMEMBERS];	/* -1: not a recipient */
	size_t		 nrecipients;
	char		 body[160];
};

/* Reports by seq, 1 to n. */
struct dataset {
	struct mrep	*r;
	int64_t		 n;
};

/* The shared database: built once, read by every test of the engine. */
#define SHARED_REPORTS	5200	/* blocks 0-4 complete, 5120-5200 the tail */
static char		shared_dir[PATH_MAX];
static char		shared_db[PATH_MAX + 32];
static struct dataset	shared;
static uint64_t		shared_duplicates;

/* A directory of one test's own. */
static char		tmpdir[PATH_MAX];
static char		dbpath[PATH_MAX + 32];

static uint64_t	rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * UINT64_C(2685821657736338717));
}

/* Make a fresh directory in $TMPDIR. */
static void
make_dir(char *dir, size_t size, char *db, size_t dbsize)
{
	const char	*base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(dir, size, "%s/check_store_read.XXXXXX", base);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(db, dbsize, "%s/kentongan.db", dir);
}

/* Remove a directory made by make_dir and what is in it. */
static void
remove_dir(char *dir)
{
	struct dirent	*de;
	char		 path[PATH_MAX * 2];
	DIR		*d;

	if (dir[0] == '\0')
		return;
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	dir[0] = '\0';
}

static int
member_index(const char *id)
{
	int	i;

	for (i = 0; i < NMEMBERS; i++) {
		if (strcmp(members[i], id) == 0)
			return (i);
	}
	ck_abort_msg("unknown member %s", id);
	return (-1);
}

/*
 * Make up report seq of d (i counts from 0), received at *t or a little
 * later: times never go backwards, some are equal, some fall on an hour's
 * or a day's first microsecond.
 */
static void
gen_report(struct dataset *d, int64_t seq, int64_t i, int64_t *t)
{
	struct mrep	*r = &d->r[seq];
	int		 m;

	memset(r, 0, sizeof *r);
	if (i % 997 == 500)
		*t = (*t / HOUR + 1) * HOUR;
	else if (i % 2203 == 1100)
		*t = (*t / DAY + 1) * DAY;
	else if (rng() % 10 != 0)
		*t += (int64_t)(rng() % (180 * (uint64_t)SEC));
	r->received_at = *t;
	r->sender = (int)(rng() % NSENDERS);
	snprintf(r->id, sizeof r->id, "%08llx-0000-4000-8000-%012llx",
	    (unsigned long long)(rng() & 0xffffffff), (unsigned long long)seq);
	/* Codes unevenly: the long one and the lookalikes are rarer. */
	r->code = (int)(rng() % 20);
	if (r->code >= NCODES)
		r->code = r->code % 3 == 0 ? 0 : r->code % 3 == 1 ? 4 : 6;
	r->severity = (enum severity)(rng() % 5);
	r->tlp = (enum tlp)(rng() % 5);
	for (m = 0; m < NMEMBERS; m++) {
		r->tier[m] = -1;
		if (m == r->sender || m == M_NOBODY)
			continue;
		if (m == M_RARE) {
			if (i % 500 == 250 || i == SHARED_REPORTS - 50)
				r->tier[m] = TIER_GLOBAL;
			continue;
		}
		if (rng() % 2 == 0)
			r->tier[m] = (int)(rng() % 3);
	}
	for (m = 0; m < NMEMBERS; m++)
		r->nrecipients += r->tier[m] != -1;
	snprintf(r->body, sizeof r->body, "{\"id\":\"%s\",\"code\":\"%s\","
	    "\"n\":%lld}", r->id, codes[r->code], (long long)i);
}

/* The stored recipient list of r, malloc'd. */
static char *
mrep_list(const struct mrep *r)
{
	struct policy_recipient	 list[NMEMBERS];
	struct policy_set	 set = { list, 0 };
	char			*text;
	int			 m;

	for (m = 0; m < NMEMBERS; m++) {
		if (r->tier[m] == -1)
			continue;
		memset(&list[set.n], 0, sizeof list[set.n]);
		strcpy(list[set.n].member, members[m]);
		list[set.n].tier = (enum tier)r->tier[m];
		set.n++;
	}
	text = recipients_encode(&set);
	ck_assert_ptr_nonnull(text);
	return (text);
}

/* A store_report of r for store_commit. */
static struct store_report *
mrep_report(const struct mrep *r)
{
	struct store_report	*s;
	int			 m;

	s = calloc(1, sizeof *s);
	ck_assert_ptr_nonnull(s);
	strcpy(s->sender, members[r->sender]);
	s->id = strdup(r->id);
	s->body = strdup(r->body);
	s->code = strdup(codes[r->code]);
	ck_assert(s->id != NULL && s->body != NULL && s->code != NULL);
	memcpy(s->digest, r->id, sizeof s->digest);
	s->severity = r->severity;
	s->tlp = r->tlp;
	s->received_at = r->received_at;
	s->recipients.list = calloc(NMEMBERS, sizeof *s->recipients.list);
	ck_assert_ptr_nonnull(s->recipients.list);
	for (m = 0; m < NMEMBERS; m++) {
		if (r->tier[m] == -1)
			continue;
		strcpy(s->recipients.list[s->recipients.n].member, members[m]);
		s->recipients.list[s->recipients.n].tier = (enum tier)r->tier[m];
		s->recipients.n++;
	}
	return (s);
}

/*
 * Commit n made-up reports to the store at path in batches of uneven
 * size (one of them completes two blocks at once), with reports sent
 * again among them.
 */
static void
build(const char *path, struct dataset *d, int64_t n, uint64_t seed,
    uint64_t *duplicates)
{
	struct store_report	**batch;
	struct store		*store;
	int64_t			 t = D0 + 30 * MIN, seq = 0, first, k;
	size_t			 nb, want, i, cap = 2000;
	char			*cause = NULL;

	rng_state = seed;
	d->n = n;
	d->r = calloc((size_t)n + 1, sizeof *d->r);
	ck_assert_ptr_nonnull(d->r);
	batch = calloc(cap, sizeof *batch);
	ck_assert_ptr_nonnull(batch);
	store = store_open(path, &cause);
	ck_assert_msg(store != NULL, "store_open: %s", cause);
	*duplicates = 0;
	while (seq < n) {
		want = seq > 1500 && seq < 2000 ? 1500 : 1 + rng() % 300;
		first = seq + 1;
		for (nb = 0; nb < want && seq < n; ) {
			/* Now and then an earlier report, sent again. */
			if (seq > 0 && rng() % 40 == 0) {
				k = 1 + (int64_t)(rng() % (uint64_t)seq);
				batch[nb] = mrep_report(&d->r[k]);
				/* The seq it must be found under. */
				batch[nb]->owner = (void *)(intptr_t)k;
				nb++;
				continue;
			}
			seq++;
			gen_report(d, seq, seq - 1, &t);
			batch[nb] = mrep_report(&d->r[seq]);
			nb++;
		}
		ck_assert_int_eq(store_commit(store, batch, nb, NULL, 0), 0);
		for (i = 0, k = first; i < nb; i++) {
			struct store_report *r = batch[i];

			ck_assert_int_eq(r->error, PROTO_OK);
			if (r->owner != NULL) {
				ck_assert_int_eq(r->duplicate, 1);
				ck_assert_int_eq(r->seq, (intptr_t)r->owner);
				(*duplicates)++;
			} else {
				ck_assert_int_eq(r->duplicate, 0);
				ck_assert_int_eq(r->seq, k++);
			}
			store_report_free(r);
		}
		ck_assert_int_eq(k, seq + 1);
	}
	ck_assert_int_eq(store_last_seq(store), n);
	store_close(store);
	free(batch);
}

/* Build the shared database once; every test of the engine reads it. */
static void
shared_setup(void)
{
	if (shared.r != NULL)
		return;
	make_dir(shared_dir, sizeof shared_dir, shared_db, sizeof shared_db);
	build(shared_db, &shared, SHARED_REPORTS, 0x5eed, &shared_duplicates);
}

static void
shared_cleanup(void)
{
	remove_dir(shared_dir);
	free(shared.r);
	memset(&shared, 0, sizeof shared);
}

static void
own_setup(void)
{
	make_dir(tmpdir, sizeof tmpdir, dbpath, sizeof dbpath);
}

static void
own_teardown(void)
{
	remove_dir(tmpdir);
}

static struct store_reader *
reader_open(const char *path)
{
	struct store_reader	*r;
	char			*cause = NULL;

	r = store_reader_open(path, &cause);
	ck_assert_msg(r != NULL, "store_reader_open: %s", cause);
	return (r);
}

/* The rows a read passed on, each checked against the dataset. */
struct got {
	const struct dataset	*d;
	const char		*member;	/* whose tier rows carry */
	int64_t			*seqs;
	size_t			 n, cap;
	int			 stop_at;	/* refuse row number stop_at */
};

static void
got_init(struct got *g, const struct dataset *d, const char *member)
{
	memset(g, 0, sizeof *g);
	g->d = d;
	g->member = member;
}

static int
got_row(const struct store_row *row, void *arg)
{
	struct got		*g = arg;
	const struct mrep	*r;
	int			 tier;

	if (g->stop_at != 0 && g->n + 1 == (size_t)g->stop_at)
		return (1);
	if (row->seq < 1 || row->seq > g->d->n)
		ck_abort_msg("row seq %lld", (long long)row->seq);
	r = &g->d->r[row->seq];
	tier = g->member != NULL ? r->tier[member_index(g->member)] : -1;
	if (strcmp(row->sender, members[r->sender]) != 0 ||
	    strcmp(row->code, codes[r->code]) != 0 ||
	    row->severity != r->severity || row->tlp != r->tlp ||
	    row->received_at != r->received_at ||
	    row->nrecipients != (int64_t)r->nrecipients ||
	    row->body_len != strlen(r->body) ||
	    memcmp(row->body, r->body, row->body_len) != 0 ||
	    row->tier != tier)
		ck_abort_msg("row %lld differs: %s %s %d %d %lld %lld tier %d "
		    "(want %d) %.*s", (long long)row->seq, row->sender,
		    row->code, row->severity, row->tlp,
		    (long long)row->received_at, (long long)row->nrecipients,
		    row->tier, tier, (int)row->body_len, row->body);
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 256 : g->cap * 2;
		g->seqs = reallocarray(g->seqs, g->cap, sizeof *g->seqs);
		ck_assert_ptr_nonnull(g->seqs);
	}
	g->seqs[g->n++] = row->seq;
	return (0);
}

/* Seqs a brute-force read found. */
struct want {
	int64_t	*seqs;
	size_t	 n;
};

static void
want_init(struct want *w, const struct dataset *d)
{
	w->seqs = calloc((size_t)d->n + 1, sizeof *w->seqs);
	ck_assert_ptr_nonnull(w->seqs);
	w->n = 0;
}

/* What a query for member (NULL: the operator) must find, limit aside. */
static void
expect_query(const struct dataset *d, const char *member,
    const struct query_request *q, int64_t upto, struct want *w)
{
	int64_t	seq;
	int	mi = member != NULL ? member_index(member) : -1;

	w->n = 0;
	for (seq = q->after + 1; seq <= upto && seq <= d->n; seq++) {
		const struct mrep *r = &d->r[seq];

		if (q->has_since && r->received_at < q->since)
			continue;
		if (q->has_until && r->received_at >= q->until)
			continue;
		if (mi != -1 && r->tier[mi] == -1 && r->sender != mi)
			continue;
		if (q->code != NULL && !filter_code_match(q->code,
		    codes[r->code]))
			continue;
		if (q->sender[0] != '\0' && strcmp(q->sender,
		    members[r->sender]) != 0)
			continue;
		if (q->has_min_severity && r->severity < q->min_severity)
			continue;
		if (q->has_tlp && r->tlp != q->tlp)
			continue;
		w->seqs[w->n++] = seq;
	}
}

/* A readable account of a query, for failure messages. */
static const char *
query_text(const char *member, const struct query_request *q, int64_t upto,
    char *buf, size_t size)
{
	snprintf(buf, size, "member %s code %s sender %s sev %d:%d tlp %d:%d "
	    "since %d:%lld until %d:%lld after %lld limit %u upto %lld",
	    member != NULL ? member : "(operator)",
	    q->code != NULL ? q->code : "-", q->sender, q->has_min_severity,
	    q->min_severity, q->has_tlp, q->tlp, q->has_since,
	    (long long)q->since, q->has_until, (long long)q->until,
	    (long long)q->after, q->limit, (long long)upto);
	return (buf);
}

/* The reports of d past its last complete block: no posting lists. */
static uint64_t
tail_rows(const struct dataset *d)
{
	return ((uint64_t)(d->n + 1 -
	    posting_block_start(posting_block(d->n + 1))));
}

/*
 * Run one page of a query and compare it with brute force. Whatever the
 * query, the rows read are the rows of the page, the one after it, and
 * at most the tail besides.
 */
static int64_t
check_page(struct store_reader *rd, const struct dataset *d,
    const char *member, const struct query_request *q, int64_t upto,
    struct want *w, size_t *returned)
{
	struct store_read_cost	 before, after;
	struct got		 g;
	int64_t			 next = -7, want_next;
	size_t			 i, n;
	char			 text[512];
	int			 rc;

	expect_query(d, member, q, upto, w);
	got_init(&g, d, member);
	store_reader_cost(rd, &before);
	rc = store_reader_query(rd, member, q, upto, got_row, &g, &next);
	store_reader_cost(rd, &after);
	n = w->n < q->limit ? w->n : q->limit;
	want_next = w->n > q->limit ? w->seqs[q->limit - 1] : 0;
	query_text(member, q, upto, text, sizeof text);
	ck_assert_msg(rc == (int)n && g.n == n, "%s: %d rows (%zu), want %zu",
	    text, rc, g.n, n);
	for (i = 0; i < n; i++) {
		if (g.seqs[i] != w->seqs[i])
			ck_abort_msg("%s: row %zu is %lld, want %lld", text, i,
			    (long long)g.seqs[i], (long long)w->seqs[i]);
	}
	ck_assert_msg(next == want_next, "%s: next %lld, want %lld", text,
	    (long long)next, (long long)want_next);
	ck_assert_msg(after.rows - before.rows <= n + 1 + tail_rows(d),
	    "%s: %llu rows read for %zu", text,
	    (unsigned long long)(after.rows - before.rows), n);
	free(g.seqs);
	if (returned != NULL)
		*returned = n;
	return (next);
}

/* The received_at of seq in the shared data. */
#define T(seq)	(shared.r[(seq)].received_at)

/* Time windows of queries: none, days, hours, minutes, ties, nothing. */
static void
query_window(struct query_request *q, int which)
{
	q->has_since = q->has_until = 0;
	q->since = q->until = 0;
	switch (which) {
	case 0:
		break;
	case 1:
		q->has_since = 1;
		q->since = D0 + DAY;
		break;
	case 2:
		q->has_until = 1;
		q->until = D0 + 3 * DAY;
		break;
	case 3:
		q->has_since = q->has_until = 1;
		q->since = D0 + DAY;
		q->until = D0 + 2 * DAY;
		break;
	case 4:
		q->has_since = q->has_until = 1;
		q->since = D0 + DAY + 5 * HOUR;
		q->until = D0 + DAY + 7 * HOUR;
		break;
	case 5:
		/* On reports' own times (some shared by several reports). */
		q->has_since = q->has_until = 1;
		q->since = T(2500);
		q->until = T(2600);
		break;
	case 6:
		q->has_since = q->has_until = 1;
		q->since = D0 + 2 * DAY + 10 * MIN;
		q->until = D0 + 2 * DAY + 40 * MIN;
		break;
	case 7:
		/* From within the unindexed tail. */
		q->has_since = 1;
		q->since = T(5150);
		break;
	case 8:
		/* Reversed: nothing. */
		q->has_since = q->has_until = 1;
		q->since = D0 + 2 * DAY;
		q->until = D0 + DAY;
		break;
	default:
		/* After every report: nothing. */
		q->has_since = 1;
		q->since = D0 + 30 * DAY;
		break;
	}
}
#define NWINDOWS	10

static const int64_t	uptos[] = { SHARED_REPORTS, 5150, 5120, 5119, 4096,
    3071, 1023, 1 };
#define NUPTOS	(sizeof uptos / sizeof uptos[0])
static const int64_t	afters[] = { 0, 1023, 2000, 4095, 5130 };
#define NAFTERS	(sizeof afters / sizeof afters[0])
static const unsigned	limits[] = { 1, 7, 100, 1000 };
#define NLIMITS	(sizeof limits / sizeof limits[0])

/*
 * Every combination of code, sender, severity and label filters, each
 * with a time window, after, limit and upto taken in turn, for one asker.
 */
static void
query_combinations(const char *member, size_t min_total, size_t max_total)
{
	static const char *const qcodes[] = { NULL, "intrusions/",
	    "intrusions/system-compromise", "availability/", "nothing/x",
	    LONG_CODE };
	static const char *const qsenders[] = { "", "SG", "S", "NOBODY" };
	static const int	 sevs[] = { -1, SEVERITY_INFO, SEVERITY_MEDIUM,
	    SEVERITY_CRITICAL };
	struct store_reader	*rd;
	struct query_request	 q;
	struct want		 w;
	size_t			 c, s, v, l, returned, total = 0;
	unsigned		 turn = 0;

	rd = reader_open(shared_db);
	want_init(&w, &shared);
	for (c = 0; c < 6; c++)
	for (s = 0; s < 4; s++)
	for (v = 0; v < 4; v++)
	for (l = 0; l < 2; l++) {
		memset(&q, 0, sizeof q);
		q.code = (char *)(uintptr_t)qcodes[c];
		snprintf(q.sender, sizeof q.sender, "%s", qsenders[s]);
		if (sevs[v] != -1) {
			q.has_min_severity = 1;
			q.min_severity = (enum severity)sevs[v];
		}
		if (l) {
			q.has_tlp = 1;
			q.tlp = TLP_AMBER;
		}
		/* Three turns per combination, the others in rotation. */
		for (int k = 0; k < 3; k++, turn++) {
			query_window(&q, (int)(turn % NWINDOWS));
			q.after = afters[(turn / 3) % NAFTERS];
			q.limit = limits[(turn / 7) % NLIMITS];
			check_page(rd, &shared, member, &q,
			    uptos[(turn / 2) % NUPTOS], &w, &returned);
			total += returned;
		}
	}
	/* Not vacuous: the rows found, in all, are about what was meant. */
	ck_assert_msg(total >= min_total && total <= max_total, "%s: %zu rows",
	    member != NULL ? member : "(operator)", total);
	free(w.seqs);
	store_reader_close(rd);
}

START_TEST(test_query_operator)
{
	query_combinations(NULL, 1000, SIZE_MAX);
}
END_TEST

START_TEST(test_query_member)
{
	query_combinations("SG", 500, SIZE_MAX);
}
END_TEST

START_TEST(test_query_prefix_member)
{
	/* "S" must get neither what "SG" nor what "SGX" is entitled to. */
	query_combinations("S", 500, SIZE_MAX);
	query_combinations("SGX", 500, SIZE_MAX);
}
END_TEST

START_TEST(test_query_sparse_members)
{
	query_combinations("RARE", 1, 200);
	query_combinations("NOBODY", 0, 0);
}
END_TEST

START_TEST(test_query_windows)
{
	static const char *const askers[] = { NULL, "SG", "MY", "RARE" };
	struct store_reader	*rd;
	struct query_request	 q;
	struct want		 w;
	size_t			 a, win, af, lim, up;

	/* Every window with every after, limit and upto, no other filter. */
	rd = reader_open(shared_db);
	want_init(&w, &shared);
	for (a = 0; a < 4; a++)
	for (win = 0; win < NWINDOWS; win++)
	for (af = 0; af < NAFTERS; af++)
	for (lim = 0; lim < NLIMITS; lim++)
	for (up = 0; up < NUPTOS; up += 3) {
		memset(&q, 0, sizeof q);
		query_window(&q, (int)win);
		q.after = afters[af];
		q.limit = limits[lim];
		check_page(rd, &shared, askers[a], &q, uptos[up], &w, NULL);
	}
	free(w.seqs);
	store_reader_close(rd);
}
END_TEST

/* Read every page of q with limit, following next; compare the whole. */
static void
check_paging(struct store_reader *rd, const char *member,
    struct query_request *q, unsigned limit, int64_t upto)
{
	struct query_request	 whole = *q;
	struct want		 all, page;
	int64_t			 next;
	size_t			 got = 0, returned, pages = 0;

	want_init(&all, &shared);
	want_init(&page, &shared);
	expect_query(&shared, member, &whole, upto, &all);
	q->limit = limit;
	for (;;) {
		next = check_page(rd, &shared, member, q, upto, &page,
		    &returned);
		/* Each page goes on where the last one stopped. */
		ck_assert_uint_le(got + returned, all.n);
		ck_assert(returned == 0 || page.seqs[0] == all.seqs[got]);
		got += returned;
		pages++;
		if (next == 0)
			break;
		ck_assert_int_eq(returned, limit);
		ck_assert_int_eq(next, all.seqs[got - 1]);
		q->after = next;
	}
	ck_assert_uint_eq(got, all.n);
	ck_assert_uint_eq(pages, all.n == 0 ? 1 : (all.n + limit - 1) / limit);
	free(all.seqs);
	free(page.seqs);
}

START_TEST(test_query_paging)
{
	struct store_reader	*rd;
	struct query_request	 q;

	rd = reader_open(shared_db);
	memset(&q, 0, sizeof q);
	check_paging(rd, NULL, &q, 1000, SHARED_REPORTS);
	memset(&q, 0, sizeof q);
	check_paging(rd, "SG", &q, 97, SHARED_REPORTS);
	memset(&q, 0, sizeof q);
	check_paging(rd, "RARE", &q, 2, SHARED_REPORTS);
	memset(&q, 0, sizeof q);
	check_paging(rd, "NOBODY", &q, 5, SHARED_REPORTS);
	memset(&q, 0, sizeof q);
	q.code = "intrusions/";
	q.has_min_severity = 1;
	q.min_severity = SEVERITY_HIGH;
	check_paging(rd, "S", &q, 13, 5150);
	memset(&q, 0, sizeof q);
	snprintf(q.sender, sizeof q.sender, "MY");
	query_window(&q, 3);
	check_paging(rd, NULL, &q, 10, SHARED_REPORTS);
	memset(&q, 0, sizeof q);
	q.code = LONG_CODE;
	check_paging(rd, "ID", &q, 3, SHARED_REPORTS);
	store_reader_close(rd);
}
END_TEST

START_TEST(test_query_page_cut)
{
	struct store_reader	*rd;
	struct query_request	 q;
	struct want		 w;
	struct got		 g;
	int64_t			 next;
	int			 rc;

	/* The callback ends the page: the row it refused comes next time. */
	rd = reader_open(shared_db);
	want_init(&w, &shared);
	memset(&q, 0, sizeof q);
	q.limit = 100;
	expect_query(&shared, "SG", &q, SHARED_REPORTS, &w);
	got_init(&g, &shared, "SG");
	g.stop_at = 6;
	rc = store_reader_query(rd, "SG", &q, SHARED_REPORTS, got_row, &g,
	    &next);
	ck_assert_int_eq(rc, 5);
	ck_assert_uint_eq(g.n, 5);
	ck_assert_int_eq(g.seqs[4], w.seqs[4]);
	ck_assert_int_eq(next, w.seqs[4]);
	free(g.seqs);
	store_reader_close(rd);
	free(w.seqs);
}
END_TEST

/* What a replay must pass on: recipient rows only, through the filter. */
static void
expect_replay(const struct dataset *d, const char *member,
    const struct filter *f, int64_t after, int64_t upto, struct want *w)
{
	int64_t	seq;
	int	mi = member_index(member);

	w->n = 0;
	for (seq = after + 1; seq <= upto && seq <= d->n; seq++) {
		const struct mrep *r = &d->r[seq];

		if (r->tier[mi] == -1)
			continue;
		if (f != NULL && !filter_match(f, codes[r->code], r->severity))
			continue;
		w->seqs[w->n++] = seq;
	}
}

static void
check_replay(struct store_reader *rd, const char *member,
    const struct filter *f, int64_t after, int64_t upto, unsigned limit)
{
	struct want	w;
	struct got	g;
	int64_t		scanned = -7, want_scanned;
	size_t		i, n;
	int		rc;

	want_init(&w, &shared);
	expect_replay(&shared, member, f, after, upto, &w);
	got_init(&g, &shared, member);
	rc = store_reader_replay(rd, member, f, after, upto, limit, got_row,
	    &g, &scanned);
	n = limit != 0 && w.n > limit ? limit : w.n;
	ck_assert_msg(rc == (int)n && g.n == n, "replay %s (%lld, %lld] "
	    "limit %u: %d rows, want %zu", member, (long long)after,
	    (long long)upto, limit, rc, n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(g.seqs[i], w.seqs[i]);
	/* Up to the last row when the limit stopped it, else everything. */
	want_scanned = after >= upto ? upto : limit != 0 && w.n >= limit ?
	    w.seqs[limit - 1] : upto;
	ck_assert_msg(scanned == want_scanned, "replay %s (%lld, %lld] limit "
	    "%u: scanned %lld, want %lld", member, (long long)after,
	    (long long)upto, limit, (long long)scanned,
	    (long long)want_scanned);
	free(g.seqs);
	free(w.seqs);
}

START_TEST(test_replay)
{
	static char		 c_class[] = "intrusions/";
	static char		 c_exact[] = "fraud/phishing";
	static char		 c_avail[] = "availability/";
	static char		 c_none[] = "nothing/";
	static char		 c_long[] = LONG_CODE;
	static char		*set1[] = { c_class };
	static char		*set2[] = { c_exact, c_avail };
	static char		*set3[] = { c_none };
	static char		*set4[] = { c_long, c_class };
	static const unsigned	 rlimits[] = { 0, 1, 10, 512 };
	struct filter		 filters[8];
	struct store_reader	*rd;
	size_t			 m, f, a, u, l;
	unsigned		 turn = 0;

	memset(filters, 0, sizeof filters);
	filters[1].codes = set1;
	filters[1].ncodes = 1;
	filters[2].codes = set2;
	filters[2].ncodes = 2;
	filters[3].codes = set3;
	filters[3].ncodes = 1;
	filters[4].codes = set4;
	filters[4].ncodes = 2;
	filters[5].has_min_severity = 1;
	filters[5].min_severity = SEVERITY_MEDIUM;
	filters[6].has_min_severity = 1;
	filters[6].min_severity = SEVERITY_INFO;
	filters[7] = filters[2];
	filters[7].has_min_severity = 1;
	filters[7].min_severity = SEVERITY_CRITICAL;
	rd = reader_open(shared_db);
	for (m = 0; m < NMEMBERS; m++)
	for (f = 0; f < 9; f++)
	for (a = 0; a < NAFTERS; a++)
	for (u = 0; u < NUPTOS; u += 2, turn++) {
		l = turn % 4;
		check_replay(rd, members[m], f == 8 ? NULL : &filters[f],
		    afters[a], uptos[u], rlimits[l]);
	}
	store_reader_close(rd);
}
END_TEST

START_TEST(test_replay_stopped)
{
	struct store_reader	*rd;
	struct want		 w;
	struct got		 g;
	int64_t			 scanned;
	int			 rc;

	rd = reader_open(shared_db);
	want_init(&w, &shared);
	expect_replay(&shared, "MY", NULL, 100, SHARED_REPORTS, &w);
	ck_assert_uint_gt(w.n, 10);
	/* Refused at its third row: two passed on, scanned to the second. */
	got_init(&g, &shared, "MY");
	g.stop_at = 3;
	rc = store_reader_replay(rd, "MY", NULL, 100, SHARED_REPORTS, 0,
	    got_row, &g, &scanned);
	ck_assert_int_eq(rc, 2);
	ck_assert_int_eq(g.seqs[1], w.seqs[1]);
	ck_assert_int_eq(scanned, w.seqs[1]);
	free(g.seqs);
	/* Refused at its first: nothing passed on, nothing scanned. */
	got_init(&g, &shared, "MY");
	g.stop_at = 1;
	rc = store_reader_replay(rd, "MY", NULL, 100, SHARED_REPORTS, 0,
	    got_row, &g, &scanned);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(scanned, 100);
	free(g.seqs);
	/* In the tail, the same. */
	expect_replay(&shared, "MY", NULL, 5125, SHARED_REPORTS, &w);
	got_init(&g, &shared, "MY");
	g.stop_at = 2;
	rc = store_reader_replay(rd, "MY", NULL, 5125, SHARED_REPORTS, 0,
	    got_row, &g, &scanned);
	ck_assert_int_eq(rc, 1);
	ck_assert_int_eq(scanned, w.seqs[0]);
	free(g.seqs);
	free(w.seqs);
	store_reader_close(rd);
}
END_TEST

START_TEST(test_backlog)
{
	static const int64_t	 edges[] = { 0, 1, 500, 1023, 1024, 1025,
	    2047, 2048, 3000, 4095, 4096, 5119, 5120, 5150, SHARED_REPORTS };
	struct store_reader	*rd;
	size_t			 m, a, u;
	int64_t			 want, seq, n;

	rd = reader_open(shared_db);
	for (m = 0; m < NMEMBERS; m++)
	for (a = 0; a < sizeof edges / sizeof edges[0]; a++)
	for (u = 0; u < sizeof edges / sizeof edges[0]; u++) {
		for (seq = edges[a] + 1, want = 0; seq <= edges[u]; seq++)
			want += shared.r[seq].tier[m] != -1;
		n = store_reader_backlog(rd, members[m], edges[a], edges[u]);
		ck_assert_msg(n == want, "backlog %s (%lld, %lld]: %lld, want "
		    "%lld", members[m], (long long)edges[a],
		    (long long)edges[u], (long long)n, (long long)want);
	}
	store_reader_close(rd);
}
END_TEST

/* One line of statistics. */
struct stat_line {
	char	dimension[16];
	char	key[128];
	int64_t	count;
};

struct stats {
	struct stat_line	*l;
	size_t			 n, cap;
};

static void
stats_add(struct stats *s, const char *dimension, const char *key,
    int64_t n)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->l[i].dimension, dimension) == 0 &&
		    strcmp(s->l[i].key, key) == 0) {
			s->l[i].count += n;
			return;
		}
	}
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->l = reallocarray(s->l, s->cap, sizeof *s->l);
		ck_assert_ptr_nonnull(s->l);
	}
	snprintf(s->l[s->n].dimension, sizeof s->l[s->n].dimension, "%s",
	    dimension);
	snprintf(s->l[s->n].key, sizeof s->l[s->n].key, "%s", key);
	s->l[s->n].count = n;
	s->n++;
}

/* Each line comes once: a second one for the same key is an error. */
static void
stats_cb(const struct store_count *c, void *arg)
{
	struct stats	*s = arg;
	size_t		 i;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->l[i].dimension, c->dimension) == 0 &&
		    strcmp(s->l[i].key, c->key) == 0)
			ck_abort_msg("%s %s twice", c->dimension, c->key);
	}
	ck_assert_int_gt(c->count, 0);
	stats_add(s, c->dimension, c->key, c->count);
}

/* "YYYY-MM-DD" of t (usec). */
static void
day_of(int64_t t, char *buf, size_t size)
{
	struct tm	tm;
	time_t		s = (time_t)counts_period(t, COUNTS_DAY);

	gmtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

static void
check_stats(struct store_reader *rd, const struct dataset *d, int64_t since,
    int64_t until, int64_t upto)
{
	struct stats	got = { 0 }, want = { 0 };
	int64_t		seq, end = until;
	size_t		i, j;
	char		day[16];

	if (end == 0)
		end = d->r[upto].received_at + 1;
	for (seq = 1; seq <= upto; seq++) {
		const struct mrep *r = &d->r[seq];

		if (r->received_at < since || r->received_at >= end)
			continue;
		stats_add(&want, COUNTS_CODE, codes[r->code], 1);
		stats_add(&want, COUNTS_SEVERITY, severity_name(r->severity), 1);
		stats_add(&want, COUNTS_SENDER, members[r->sender], 1);
		day_of(r->received_at, day, sizeof day);
		stats_add(&want, COUNTS_BY_DAY, day, 1);
	}
	ck_assert_int_eq(store_reader_stats(rd, since, until, upto, stats_cb,
	    &got), 0);
	for (i = 0; i < want.n; i++) {
		for (j = 0; j < got.n; j++) {
			if (strcmp(got.l[j].dimension, want.l[i].dimension) ==
			    0 && strcmp(got.l[j].key, want.l[i].key) == 0)
				break;
		}
		ck_assert_msg(j < got.n && got.l[j].count == want.l[i].count,
		    "stats [%lld, %lld) upto %lld: %s %s: %lld, want %lld",
		    (long long)since, (long long)until, (long long)upto,
		    want.l[i].dimension, want.l[i].key,
		    j < got.n ? (long long)got.l[j].count : -1LL,
		    (long long)want.l[i].count);
	}
	ck_assert_msg(got.n == want.n, "stats [%lld, %lld): %zu lines, want "
	    "%zu", (long long)since, (long long)until, got.n, want.n);
	free(got.l);
	free(want.l);
}

START_TEST(test_stats)
{
	struct store_reader	*rd;
	static const int64_t	 ties[] = { 2500, 2600, 5120, 5150 };
	size_t			 i, j;

	rd = reader_open(shared_db);
	/* Everything; whole days; a day and 1 us; hours; minutes. */
	check_stats(rd, &shared, 0, 0, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + DAY, D0 + 2 * DAY, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + DAY, D0 + 2 * DAY + 1, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + DAY - 1, D0 + 3 * DAY, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + DAY, D0 + 2 * DAY - 1, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + 12 * HOUR, D0 + 3 * DAY + 12 * HOUR,
	    SHARED_REPORTS);
	check_stats(rd, &shared, D0 + DAY + 5 * HOUR, D0 + DAY + 7 * HOUR,
	    SHARED_REPORTS);
	check_stats(rd, &shared, D0 + DAY + 5 * HOUR + 17 * MIN,
	    D0 + 3 * DAY + 2 * HOUR + 41 * MIN + 3, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + 2 * DAY + 10 * MIN,
	    D0 + 2 * DAY + 40 * MIN, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + 2 * DAY + 30 * MIN, 0, SHARED_REPORTS);
	check_stats(rd, &shared, 0, D0 + 3 * DAY, SHARED_REPORTS);
	/* Empty, reversed, before and after all the reports. */
	check_stats(rd, &shared, D0 + DAY, D0 + DAY, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + 2 * DAY, D0 + DAY, SHARED_REPORTS);
	check_stats(rd, &shared, D0 - 5 * DAY, D0, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + 30 * DAY, D0 + 31 * DAY, SHARED_REPORTS);
	check_stats(rd, &shared, D0 + 30 * DAY, 0, SHARED_REPORTS);
	/* On the reports' own times, some shared by several. */
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			check_stats(rd, &shared, T(ties[i]), T(ties[j]),
			    SHARED_REPORTS);
	/* Up to an earlier report: what came after it is not counted. */
	check_stats(rd, &shared, 0, 0, 5150);
	check_stats(rd, &shared, D0 + DAY, 0, 3000);
	store_reader_close(rd);
}
END_TEST

START_TEST(test_stats_random)
{
	struct store_reader	*rd;
	int			 i;

	rd = reader_open(shared_db);
	rng_state = 77;
	for (i = 0; i < 150; i++) {
		int64_t	since = D0 + (int64_t)(rng() % (6 * (uint64_t)DAY));
		int64_t	until = since + (int64_t)(rng() % (3 *
		    (uint64_t)DAY));

		if (i % 3 == 0)
			since -= since % HOUR;
		if (i % 5 == 0)
			until -= until % DAY;
		check_stats(rd, &shared, since, i % 7 == 0 ? 0 : until,
		    SHARED_REPORTS);
	}
	store_reader_close(rd);
}
END_TEST

/* The rows of the shared data in the unindexed tail. */
#define TAIL_ROWS	(SHARED_REPORTS - 5 * POSTING_BLOCK_SEQS + 1)
/* What a read may read beyond the rows it needed. */
#define SLACK	8

START_TEST(test_cost_sparse_member)
{
	struct store_reader	*rd;
	struct store_read_cost	 before, after;
	struct query_request	 q;
	struct want		 w;
	struct got		 g;
	int64_t			 next, scanned, seq, entitled = 0;
	uint64_t		 rows;
	int			 rc;

	ck_assert_int_eq(TAIL_ROWS, 81);
	for (seq = 1; seq <= SHARED_REPORTS; seq++)
		entitled += shared.r[seq].tier[M_RARE] != -1;
	/* About 1 in 500, spread over every block and the tail. */
	ck_assert_int_ge(entitled, 10);
	ck_assert_int_le(entitled, 12);

	rd = reader_open(shared_db);
	want_init(&w, &shared);
	memset(&q, 0, sizeof q);
	q.limit = 5;
	expect_query(&shared, "RARE", &q, SHARED_REPORTS, &w);
	store_reader_cost(rd, &before);
	got_init(&g, &shared, "RARE");
	rc = store_reader_query(rd, "RARE", &q, SHARED_REPORTS, got_row, &g,
	    &next);
	store_reader_cost(rd, &after);
	/* A full page, and more to come. */
	ck_assert_int_eq(rc, 5);
	ck_assert_int_eq(next, w.seqs[4]);
	rows = after.rows - before.rows;
	ck_assert_msg(rows <= 5 + 1 + TAIL_ROWS + SLACK, "read %llu rows for "
	    "a page of 5", (unsigned long long)rows);
	/* These five are in the indexed blocks: the tail was not read. */
	ck_assert_int_lt(w.seqs[5], 5 * POSTING_BLOCK_SEQS);
	ck_assert_uint_le(rows, 5 + 1 + SLACK);
	ck_assert_uint_gt(after.postings, before.postings);
	free(g.seqs);

	/* The whole of it: every entitled row, and the tail, no more. */
	q.limit = 1000;
	store_reader_cost(rd, &before);
	got_init(&g, &shared, "RARE");
	rc = store_reader_query(rd, "RARE", &q, SHARED_REPORTS, got_row, &g,
	    &next);
	store_reader_cost(rd, &after);
	ck_assert_int_eq(rc, entitled);
	ck_assert_int_eq(next, 0);
	rows = after.rows - before.rows;
	ck_assert_msg(rows <= (uint64_t)entitled + TAIL_ROWS + SLACK,
	    "read %llu rows for %lld", (unsigned long long)rows,
	    (long long)entitled);
	ck_assert_uint_lt(rows * 20, SHARED_REPORTS);
	free(g.seqs);

	/* A replay and a backlog of it cost as little. */
	store_reader_cost(rd, &before);
	got_init(&g, &shared, "RARE");
	rc = store_reader_replay(rd, "RARE", NULL, 0, SHARED_REPORTS, 0,
	    got_row, &g, &scanned);
	store_reader_cost(rd, &after);
	ck_assert_int_eq(rc, entitled);
	ck_assert_uint_le(after.rows - before.rows,
	    (uint64_t)entitled + TAIL_ROWS + SLACK);
	free(g.seqs);
	store_reader_cost(rd, &before);
	ck_assert_int_eq(store_reader_backlog(rd, "RARE", 0, SHARED_REPORTS),
	    entitled);
	store_reader_cost(rd, &after);
	ck_assert_uint_le(after.rows - before.rows, TAIL_ROWS);

	/* For comparison, the operator's full read reads every row. */
	store_reader_cost(rd, &before);
	got_init(&g, &shared, NULL);
	rc = store_reader_query(rd, NULL, &q, SHARED_REPORTS, got_row, &g,
	    &next);
	store_reader_cost(rd, &after);
	ck_assert_int_eq(rc, 1000);
	ck_assert_uint_ge(after.rows - before.rows, 1000);
	free(g.seqs);
	free(w.seqs);
	store_reader_close(rd);
}
END_TEST

START_TEST(test_cost_no_match)
{
	struct store_reader	*rd;
	struct store_read_cost	 before, after;
	struct query_request	 q;
	struct got		 g;
	struct filter		 f;
	static char		 c_none[] = "nothing/";
	static char		*set[] = { c_none };
	int64_t			 next, scanned;
	int			 rc, k;

	rd = reader_open(shared_db);
	for (k = 0; k < 6; k++) {
		const char *member = k < 3 ? NULL : "SG";

		memset(&q, 0, sizeof q);
		q.limit = 1000;
		if (k % 3 == 0)
			q.code = "nothing/x";
		else if (k % 3 == 1)
			snprintf(q.sender, sizeof q.sender, "NOBODY");
		else
			q.code = "intrusions-y/";
		store_reader_cost(rd, &before);
		got_init(&g, &shared, member);
		rc = store_reader_query(rd, member, &q, SHARED_REPORTS,
		    got_row, &g, &next);
		store_reader_cost(rd, &after);
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(next, 0);
		ck_assert_msg(after.rows - before.rows <= TAIL_ROWS,
		    "query %d read %llu rows", k,
		    (unsigned long long)(after.rows - before.rows));
		free(g.seqs);
	}
	/* A member entitled to nothing, asking for everything. */
	memset(&q, 0, sizeof q);
	q.limit = 1000;
	store_reader_cost(rd, &before);
	got_init(&g, &shared, "NOBODY");
	rc = store_reader_query(rd, "NOBODY", &q, SHARED_REPORTS, got_row, &g,
	    &next);
	store_reader_cost(rd, &after);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_le(after.rows - before.rows, TAIL_ROWS);
	free(g.seqs);
	/* A replay whose filter matches nothing. */
	memset(&f, 0, sizeof f);
	f.codes = set;
	f.ncodes = 1;
	store_reader_cost(rd, &before);
	got_init(&g, &shared, "SG");
	rc = store_reader_replay(rd, "SG", &f, 0, SHARED_REPORTS, 0, got_row,
	    &g, &scanned);
	store_reader_cost(rd, &after);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(scanned, SHARED_REPORTS);
	ck_assert_uint_le(after.rows - before.rows, TAIL_ROWS);
	free(g.seqs);
	store_reader_close(rd);
}
END_TEST

START_TEST(test_report_and_last_seq)
{
	struct store_reader	*rd;
	struct got		 g;

	rd = reader_open(shared_db);
	ck_assert_int_eq(store_reader_last_seq(rd), SHARED_REPORTS);
	got_init(&g, &shared, NULL);
	ck_assert_int_eq(store_reader_report(rd, 4321, got_row, &g), 1);
	ck_assert_int_eq(store_reader_report(rd, 5200, got_row, &g), 1);
	ck_assert_int_eq(store_reader_report(rd, 5201, got_row, &g), 0);
	ck_assert_int_eq(store_reader_report(rd, 0, got_row, &g), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_int_eq(g.seqs[0], 4321);
	ck_assert_int_eq(g.seqs[1], 5200);
	free(g.seqs);
	/* Duplicates were sent along the way, and took no seq. */
	ck_assert_uint_gt(shared_duplicates, 20);
	store_reader_close(rd);
}
END_TEST

/* The first column of sql on path, as text (caller frees). */
static char *
db_text(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	const char	*t;
	char		*out;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) ==
	    SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	t = (const char *)sqlite3_column_text(stmt, 0);
	out = strdup(t != NULL ? t : "NULL");
	ck_assert_ptr_nonnull(out);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return (out);
}

static int64_t
db_int(const char *path, const char *sql)
{
	char	*t = db_text(path, sql);
	int64_t	 v = strtoll(t, NULL, 10);

	free(t);
	return (v);
}

/* Special ids of the version 5 database, by seq. */
#define TWIN_UPPER	"AAAAAAAA-0000-4000-8000-000000000001"
#define TWIN_LOWER	"aaaaaaaa-0000-4000-8000-000000000001"
#define MIXED		"BbBbBbBb-0000-4000-8000-00000000000F"
#define PAIR_A		"CCCCCCCC-0000-4000-8000-000000000002"
#define PAIR_B		"Cccccccc-0000-4000-8000-000000000002"
#define V5_REPORTS	3000	/* blocks 0 and 1 complete */

/* A version 5 database of n reports, as the previous release left it. */
static void
make_v5(const char *path, struct dataset *d, int64_t n)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	int64_t		 seq, t = D0 + 30 * MIN;
	char		*list;

	rng_state = 0xfeed;
	d->n = n;
	d->r = calloc((size_t)n + 1, sizeof *d->r);
	ck_assert_ptr_nonnull(d->r);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
	    "CREATE TABLE reports (seq INTEGER PRIMARY KEY, sender TEXT NOT "
	    "NULL, id TEXT NOT NULL, received_at INTEGER NOT NULL, code TEXT "
	    "NOT NULL, severity INTEGER NOT NULL, tlp INTEGER NOT NULL, "
	    "observed_at INTEGER, nrecipients INTEGER NOT NULL, digest BLOB "
	    "NOT NULL, body TEXT NOT NULL, recipient_list TEXT NOT NULL "
	    "DEFAULT '', UNIQUE (sender, id));"
	    "CREATE TABLE cursors (member TEXT PRIMARY KEY, acked_seq INTEGER "
	    "NOT NULL, acked_at INTEGER NOT NULL) WITHOUT ROWID;"
	    "CREATE TABLE acks (member TEXT NOT NULL, upto INTEGER NOT NULL, "
	    "at INTEGER NOT NULL, PRIMARY KEY (member, upto)) WITHOUT ROWID;"
	    "CREATE TABLE deliveries (member TEXT NOT NULL, upto INTEGER NOT "
	    "NULL, at INTEGER NOT NULL, PRIMARY KEY (member, upto)) WITHOUT "
	    "ROWID;"
	    "CREATE INDEX reports_by_sender ON reports (sender, seq);"
	    "CREATE INDEX reports_by_code ON reports (code, seq);"
	    "INSERT INTO cursors VALUES ('SG', 17, 1000);"
	    "INSERT INTO acks VALUES ('SG', 17, 1000);"
	    "INSERT INTO deliveries VALUES ('SG', 20, 990);"
	    "PRAGMA user_version = 5;"
	    "BEGIN;", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO reports VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, x'00', ?9, ?10)", -1,
	    &stmt, NULL), SQLITE_OK);
	for (seq = 1; seq <= n; seq++) {
		gen_report(d, seq, seq - 1, &t);
		/* Twins in two cases; a mixed-case id; a pair of them. */
		if (seq == 10 || seq == 11) {
			d->r[seq].sender = 0;
			strcpy(d->r[seq].id, seq == 10 ? TWIN_UPPER :
			    TWIN_LOWER);
		} else if (seq == 12)
			strcpy(d->r[seq].id, MIXED);
		else if (seq == 13 || seq == 14) {
			d->r[seq].sender = 3;
			strcpy(d->r[seq].id, seq == 13 ? PAIR_A : PAIR_B);
		} else if (seq == 15) {
			/* The same id as seq 12, from another sender. */
			d->r[seq].sender = d->r[12].sender == 1 ? 2 : 1;
			strcpy(d->r[seq].id, "bbbbbbbb-0000-4000-8000-"
			    "00000000000F");
		}
		snprintf(d->r[seq].body, sizeof d->r[seq].body, "{\"id\":"
		    "\"%s\",\"code\":\"%s\"}", d->r[seq].id,
		    codes[d->r[seq].code]);
		d->r[seq].tier[d->r[seq].sender] = -1;
		list = mrep_list(&d->r[seq]);
		sqlite3_bind_int64(stmt, 1, seq);
		sqlite3_bind_text(stmt, 2, members[d->r[seq].sender], -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, d->r[seq].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, d->r[seq].received_at);
		sqlite3_bind_text(stmt, 5, codes[d->r[seq].code], -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(stmt, 6, (int)d->r[seq].severity);
		sqlite3_bind_int(stmt, 7, (int)d->r[seq].tlp);
		d->r[seq].nrecipients = recipients_count(list);
		sqlite3_bind_int64(stmt, 8, (int64_t)d->r[seq].nrecipients);
		sqlite3_bind_text(stmt, 9, d->r[seq].body, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 10, list, -1, free);
		ck_assert_int_eq(sqlite3_step(stmt), SQLITE_DONE);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/* The posting lists of block as the test builds them from d. */
static struct posting_builder *
expect_block(const struct dataset *d, int64_t block)
{
	struct posting_builder	*b;
	int64_t			 seq;
	char			*list;

	b = posting_builder_new(block);
	ck_assert_ptr_nonnull(b);
	for (seq = posting_block_start(block);
	    seq < posting_block_start(block + 1); seq++) {
		if (seq < 1 || seq > d->n)
			continue;
		list = mrep_list(&d->r[seq]);
		ck_assert_int_eq(posting_builder_add(b, seq,
		    members[d->r[seq].sender], codes[d->r[seq].code],
		    d->r[seq].severity, d->r[seq].tlp, list), 0);
		free(list);
	}
	return (b);
}

/* The stored posting lists of path are exactly those of d's complete blocks. */
static void
check_postings(const char *path, const struct dataset *d)
{
	struct posting_builder		*b;
	const struct posting_bits	*want;
	struct posting_bits		 got;
	sqlite3				*db;
	sqlite3_stmt			*stmt;
	const char			*key;
	int64_t				 block, blocks = posting_block(d->n + 1);
	size_t				 i, stored = 0, expected = 0;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT bits FROM postings "
	    "WHERE key = ?1 AND block = ?2", -1, &stmt, NULL), SQLITE_OK);
	for (block = 0; block < blocks; block++) {
		b = expect_block(d, block);
		for (i = 0; i < posting_builder_count(b); i++) {
			posting_builder_entry(b, i, &key, &want);
			sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_int64(stmt, 2, block);
			ck_assert_msg(sqlite3_step(stmt) == SQLITE_ROW,
			    "no posting list %s of block %lld", key,
			    (long long)block);
			ck_assert_int_eq(sqlite3_column_bytes(stmt, 0),
			    POSTING_BYTES);
			posting_bits_decode(&got, sqlite3_column_blob(stmt, 0),
			    POSTING_BYTES);
			ck_assert_msg(memcmp(&got, want, sizeof got) == 0,
			    "posting list %s of block %lld differs", key,
			    (long long)block);
			sqlite3_reset(stmt);
		}
		expected += posting_builder_count(b);
		posting_builder_free(b);
	}
	sqlite3_finalize(stmt);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*), "
	    "COALESCE(max(block), -1) FROM postings", -1, &stmt, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	stored = (size_t)sqlite3_column_int64(stmt, 0);
	/* Nothing else: no lists for the block still being filled. */
	ck_assert_uint_eq(stored, expected);
	ck_assert_int_eq(sqlite3_column_int64(stmt, 1), blocks - 1);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* The stored counts of path are exactly those of d. */
static void
check_counts(const char *path, const struct dataset *d)
{
	struct counts_tally	*t;
	sqlite3			*db;
	sqlite3_stmt		*stmt;
	const char		*dimension, *key;
	int64_t			 span, start, n, seq;
	size_t			 i;

	t = counts_tally_new();
	ck_assert_ptr_nonnull(t);
	for (seq = 1; seq <= d->n; seq++)
		ck_assert_int_eq(counts_tally_report(t, d->r[seq].received_at,
		    codes[d->r[seq].code], (int)d->r[seq].severity,
		    members[d->r[seq].sender]), 0);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT n FROM counts WHERE "
	    "span = ?1 AND start = ?2 AND dimension = ?3 AND key = ?4", -1,
	    &stmt, NULL), SQLITE_OK);
	for (i = 0; i < counts_tally_size(t); i++) {
		counts_tally_entry(t, i, &span, &start, &dimension, &key, &n);
		sqlite3_bind_int64(stmt, 1, span);
		sqlite3_bind_int64(stmt, 2, start);
		sqlite3_bind_text(stmt, 3, dimension, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, key, -1, SQLITE_STATIC);
		ck_assert_msg(sqlite3_step(stmt) == SQLITE_ROW, "no count %lld "
		    "%lld %s %s", (long long)span, (long long)start, dimension,
		    key);
		ck_assert_msg(sqlite3_column_int64(stmt, 0) == n, "count %lld "
		    "%lld %s %s: %lld, want %lld", (long long)span,
		    (long long)start, dimension, key,
		    (long long)sqlite3_column_int64(stmt, 0), (long long)n);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	ck_assert_int_eq(db_int(path, "SELECT count(*) FROM counts"),
	    (int64_t)counts_tally_size(t));
	counts_tally_free(t);
}

START_TEST(test_shared_postings_and_counts)
{
	/* What the commits wrote, block by block and period by period. */
	check_postings(shared_db, &shared);
	check_counts(shared_db, &shared);
}
END_TEST

START_TEST(test_migrate_from_v5)
{
	struct dataset		 d;
	struct store		*store;
	struct store_reader	*rd;
	struct query_request	 q;
	struct want		 w;
	char			*cause = NULL, *ids;
	int64_t			 seq, entitled = 0;

	make_v5(dbpath, &d, V5_REPORTS);
	store = store_open(dbpath, &cause);
	ck_assert_msg(store != NULL, "store_open: %s", cause);
	ck_assert_int_eq(store_last_seq(store), V5_REPORTS);
	store_close(store);

	ck_assert_int_eq(db_int(dbpath, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	/* The indexes by code and sender went; posting lists replace them. */
	ck_assert_int_eq(db_int(dbpath, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('reports_by_code', 'reports_by_sender')"), 0);
	ck_assert_int_eq(db_int(dbpath, "SELECT count(*) FROM postings WHERE "
	    "key = '*'"), 2);
	check_postings(dbpath, &d);
	check_counts(dbpath, &d);
	/* Positions are kept. */
	ck_assert_int_eq(db_int(dbpath, "SELECT acked_seq FROM cursors WHERE "
	    "member = 'SG'"), 17);
	ck_assert_int_eq(db_int(dbpath, "SELECT count(*) FROM deliveries"), 1);

	/* Ids in lower case, unless a twin in lower case was there. */
	ids = db_text(dbpath, "SELECT group_concat(seq || '=' || id, ' ') "
	    "FROM (SELECT seq, id FROM reports WHERE seq BETWEEN 10 AND 15 "
	    "ORDER BY seq)");
	ck_assert_str_eq(ids,
	    "10=" TWIN_UPPER " 11=" TWIN_LOWER " "
	    "12=bbbbbbbb-0000-4000-8000-00000000000f "
	    "13=cccccccc-0000-4000-8000-000000000002 14=" PAIR_B " "
	    "15=bbbbbbbb-0000-4000-8000-00000000000f");
	free(ids);
	/* Every other id was in lower case already, and still is. */
	ck_assert_int_eq(db_int(dbpath, "SELECT count(*) FROM reports WHERE "
	    "id <> lower(id)"), 2);
	/* Bodies keep the text as sent. */
	ck_assert_int_eq(db_int(dbpath, "SELECT instr(body, '" MIXED "') > 0 "
	    "FROM reports WHERE seq = 12"), 1);

	/* The migrated history reads like any other. */
	rd = reader_open(dbpath);
	want_init(&w, &d);
	memset(&q, 0, sizeof q);
	q.limit = 1000;
	q.code = "intrusions/";
	check_page(rd, &d, "SG", &q, V5_REPORTS, &w, NULL);
	q.after = 2040;
	check_page(rd, &d, NULL, &q, V5_REPORTS, &w, NULL);
	for (seq = 1; seq <= d.n; seq++)
		entitled += d.r[seq].tier[member_index("MY")] != -1;
	ck_assert_int_gt(entitled, 0);
	ck_assert_int_eq(store_reader_backlog(rd, "MY", 0, V5_REPORTS),
	    entitled);
	free(w.seqs);
	store_reader_close(rd);

	/* Opening it again changes nothing. */
	store = store_open(dbpath, &cause);
	ck_assert_msg(store != NULL, "store_open: %s", cause);
	store_close(store);
	check_postings(dbpath, &d);
	free(d.r);
}
END_TEST

START_TEST(test_commits_after_migration)
{
	struct store_report	*r;
	struct dataset		 d;
	struct store		*store;
	char			*cause = NULL;
	int64_t			 seq, t;

	/* The first commits after the migration complete block 2. */
	make_v5(dbpath, &d, V5_REPORTS);
	d.r = reallocarray(d.r, 3200 + 1, sizeof *d.r);
	ck_assert_ptr_nonnull(d.r);
	store = store_open(dbpath, &cause);
	ck_assert_msg(store != NULL, "store_open: %s", cause);
	t = d.r[V5_REPORTS].received_at;
	for (seq = V5_REPORTS + 1; seq <= 3200; seq++) {
		gen_report(&d, seq, seq - 1, &t);
		r = mrep_report(&d.r[seq]);
		ck_assert_int_eq(store_commit(store, &r, 1, NULL, 0), 0);
		ck_assert_int_eq(r->seq, seq);
		store_report_free(r);
	}
	d.n = 3200;
	store_close(store);
	ck_assert_int_eq(db_int(dbpath, "SELECT count(*) FROM postings WHERE "
	    "key = '*'"), 3);
	check_postings(dbpath, &d);
	check_counts(dbpath, &d);
	free(d.r);
}
END_TEST

START_TEST(test_id_case)
{
	struct store_report	*r, *again;
	struct dataset		 d;
	struct store		*store;
	char			*cause = NULL;

	/*
	 * Ids are compared without regard to case: one sent again in
	 * another case, or as it was sent before the migration lowered its
	 * key, is the same report.
	 */
	make_v5(dbpath, &d, 100);
	store = store_open(dbpath, &cause);
	ck_assert_msg(store != NULL, "store_open: %s", cause);
	again = mrep_report(&d.r[12]);
	ck_assert_str_eq(again->id, MIXED);
	ck_assert_int_eq(store_commit(store, &again, 1, NULL, 0), 0);
	ck_assert_int_eq(again->error, PROTO_OK);
	ck_assert_msg(again->duplicate, "resent as it was: stored again as "
	    "%lld", (long long)again->seq);
	ck_assert_int_eq(again->seq, 12);
	store_report_free(again);
	/* The twins of earlier builds: each still found as it is. */
	again = mrep_report(&d.r[10]);
	ck_assert_int_eq(store_commit(store, &again, 1, NULL, 0), 0);
	ck_assert(again->duplicate);
	ck_assert_int_eq(again->seq, 10);
	store_report_free(again);
	again = mrep_report(&d.r[11]);
	ck_assert_int_eq(store_commit(store, &again, 1, NULL, 0), 0);
	ck_assert(again->duplicate);
	ck_assert_int_eq(again->seq, 11);
	store_report_free(again);
	again = mrep_report(&d.r[14]);
	ck_assert_int_eq(store_commit(store, &again, 1, NULL, 0), 0);
	ck_assert(again->duplicate);
	ck_assert_int_eq(again->seq, 14);
	store_report_free(again);

	/* A new report in upper case, then in lower case: one report. */
	d.r[50].received_at = d.r[100].received_at;
	snprintf(d.r[50].id, sizeof d.r[50].id,
	    "DDDDDDDD-0000-4000-8000-00000000ABCD");
	r = mrep_report(&d.r[50]);
	ck_assert_int_eq(store_commit(store, &r, 1, NULL, 0), 0);
	ck_assert_int_eq(r->seq, 101);
	ck_assert_int_eq(r->duplicate, 0);
	snprintf(d.r[50].id, sizeof d.r[50].id,
	    "dddddddd-0000-4000-8000-00000000abcd");
	again = mrep_report(&d.r[50]);
	/* Same body and digest as the first. */
	memcpy(again->digest, r->digest, sizeof again->digest);
	ck_assert_int_eq(store_commit(store, &again, 1, NULL, 0), 0);
	ck_assert_msg(again->duplicate, "stored again as %lld",
	    (long long)again->seq);
	ck_assert_int_eq(again->seq, 101);
	store_report_free(r);
	store_report_free(again);
	ck_assert_int_eq(store_last_seq(store), 101);
	store_close(store);
	ck_assert_int_eq(db_int(dbpath, "SELECT count(*) FROM reports"), 101);
	free(d.r);
}
END_TEST

/* The suite of the store's reads. */
static Suite *
store_read_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("store_read");
#define ADD_SHARED(name, fn) do {					\
	tc = tcase_create(name);					\
	tcase_add_unchecked_fixture(tc, shared_setup, NULL);		\
	tcase_set_timeout(tc, 300);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
#define ADD_OWN(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_unchecked_fixture(tc, own_setup, own_teardown);	\
	tcase_set_timeout(tc, 300);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD_SHARED("shared_postings_and_counts",
	    test_shared_postings_and_counts);
	ADD_SHARED("query_operator", test_query_operator);
	ADD_SHARED("query_member", test_query_member);
	ADD_SHARED("query_prefix_member", test_query_prefix_member);
	ADD_SHARED("query_sparse_members", test_query_sparse_members);
	ADD_SHARED("query_windows", test_query_windows);
	ADD_SHARED("query_paging", test_query_paging);
	ADD_SHARED("query_page_cut", test_query_page_cut);
	ADD_SHARED("replay", test_replay);
	ADD_SHARED("replay_stopped", test_replay_stopped);
	ADD_SHARED("backlog", test_backlog);
	ADD_SHARED("stats", test_stats);
	ADD_SHARED("stats_random", test_stats_random);
	ADD_SHARED("cost_sparse_member", test_cost_sparse_member);
	ADD_SHARED("cost_no_match", test_cost_no_match);
	ADD_SHARED("report_and_last_seq", test_report_and_last_seq);
	ADD_OWN("migrate_from_v5", test_migrate_from_v5);
	ADD_OWN("commits_after_migration", test_commits_after_migration);
	ADD_OWN("id_case", test_id_case);
#undef ADD_SHARED
#undef ADD_OWN
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LEVEL_ERR);
	sr = srunner_create(store_read_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	shared_cleanup();
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
