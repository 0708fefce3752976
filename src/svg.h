/*
 * Plots for the operator console as inline SVG, without I/O: stacked
 * vertical bars (a timeline, counts by day) and horizontal bars (counts by
 * code, by sender), each with its axes labelled, a scale of round numbers
 * and a legend. Every label goes through html_text.
 */
#ifndef KENTONGAN_SVG_H
#define KENTONGAN_SVG_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* One stacked series: its name in the legend, its fill, one value a bin. */
struct svg_series {
	const char	*name;
	const char	*colour;	/* "#rrggbb" */
	const int64_t	*values;	/* nbins of them */
};

/* A bar chart of nbins bins, its series stacked bottom up in order. */
struct svg_bars {
	const char		*title;		/* the plot's, also its <title> */
	const char		*x_label;	/* under the axis: "hour (UTC)" */
	const char		*y_label;	/* along it: "reports" */
	size_t			 nbins;
	const char *const	*bin_labels;	/* nbins, shown one in label_every */
	size_t			 label_every;	/* 0 or 1: every one */
	size_t			 nseries;
	const struct svg_series	*series;
};

/*
 * Where a scale of five equal steps ends: five times the smallest step of
 * the form 1, 2 or 5 times a power of ten that reaches max (5 for max <=
 * 5), so that every tick is a round whole number.
 */
int64_t	svg_scale_top(int64_t max);
/* Append the stacked bar chart; -1 on no memory or nbins 0. */
int	svg_stacked_bars(struct evbuffer *, const struct svg_bars *);
/*
 * Append a horizontal bar chart of n labelled values in the order given,
 * one colour; -1 on no memory. An empty chart (n 0) says there is nothing
 * to show.
 */
int	svg_hbars(struct evbuffer *, const char *title, const char *x_label,
	    size_t n, const char *const *labels, const int64_t *values,
	    const char *colour);

#endif
