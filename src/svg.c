/* Inline SVG bar charts for the console. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "html.h"
#include "svg.h"

/* Geometry, in SVG user units; the plot scales to its container. */
#define SVG_WIDTH	720
#define SVG_HEIGHT	300
#define SVG_LEFT	64	/* room for the scale and the y label */
#define SVG_RIGHT	16
#define SVG_TOP		36	/* the title */
#define SVG_BOTTOM	56	/* bin labels and the x label */
#define SVG_LEGEND_ROW	18
#define SVG_STEPS	5
#define SVG_HBAR	20	/* a horizontal bar and its gap */
#define SVG_HBAR_LEFT	200	/* room for the labels */
#define SVG_BAR_MAX	48	/* a vertical bar's width, at most */

int64_t
svg_scale_top(int64_t max)
{
	int64_t	power = 1, step;

	/* The smallest round step that fits max in SVG_STEPS of them. */
	for (;;) {
		if ((step = power) * SVG_STEPS >= max ||
		    (step = 2 * power) * SVG_STEPS >= max ||
		    (step = 5 * power) * SVG_STEPS >= max)
			return (step * SVG_STEPS);
		if (power > INT64_MAX / 100)
			return (max);
		power *= 10;
	}
}

/* <svg ...><title>TITLE</title> and the title drawn at the top. */
static int
svg_open(struct evbuffer *out, const char *title, int width, int height)
{
	if (evbuffer_add_printf(out, "<svg class=\"plot\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>",
	    width, height) == -1 || html_str(out, title) == -1 ||
	    evbuffer_add_printf(out, "</title><text class=\"plot-title\" "
	    "x=\"%d\" y=\"20\">", SVG_LEFT) == -1 ||
	    html_str(out, title) == -1 ||
	    evbuffer_add_printf(out, "</text>") == -1)
		return (-1);
	return (0);
}

/* A text element at (x, y) with the class and anchor given. */
static int
svg_label(struct evbuffer *out, double x, double y, const char *cls,
    const char *anchor, const char *text)
{
	if (evbuffer_add_printf(out, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"%s\">", cls, x, y, anchor) == -1 ||
	    html_str(out, text) == -1 ||
	    evbuffer_add_printf(out, "</text>") == -1)
		return (-1);
	return (0);
}

int
svg_stacked_bars(struct evbuffer *out, const struct svg_bars *b)
{
	double		 plot_w, plot_h, bin_w, bar_w, x, y, h;
	int64_t		 top, max = 0, total, v;
	size_t		 i, s, every, legend_rows;
	int		 height, axis_y, rc = 0;
	char		 number[32];

	if (b->nbins == 0)
		return (-1);
	for (i = 0; i < b->nbins; i++) {
		for (total = 0, s = 0; s < b->nseries; s++)
			total += b->series[s].values[i];
		if (total > max)
			max = total;
	}
	top = svg_scale_top(max);
	legend_rows = (b->nseries + 3) / 4;
	height = SVG_HEIGHT + (int)legend_rows * SVG_LEGEND_ROW;
	axis_y = SVG_HEIGHT - SVG_BOTTOM;
	plot_w = SVG_WIDTH - SVG_LEFT - SVG_RIGHT;
	plot_h = axis_y - SVG_TOP;
	bin_w = plot_w / (double)b->nbins;
	/* A few bins would make slabs: bars keep a bar's width. */
	bar_w = bin_w * 0.8 < SVG_BAR_MAX ? bin_w * 0.8 : SVG_BAR_MAX;
	every = b->label_every == 0 ? 1 : b->label_every;
	if (svg_open(out, b->title, SVG_WIDTH, height) == -1)
		return (-1);
	/* The scale: gridlines and their numbers. */
	for (i = 0; i <= SVG_STEPS; i++) {
		y = axis_y - plot_h * (double)i / SVG_STEPS;
		snprintf(number, sizeof number, "%lld",
		    (long long)(top * (int64_t)i / SVG_STEPS));
		if (evbuffer_add_printf(out, "<line class=\"grid\" x1=\"%d\" "
		    "y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", SVG_LEFT, y,
		    SVG_WIDTH - SVG_RIGHT, y) == -1 ||
		    svg_label(out, SVG_LEFT - 6, y + 4, "tick", "end",
		    number) == -1)
			rc = -1;
	}
	/* The bars, each bin's series stacked bottom up. */
	for (i = 0; i < b->nbins; i++) {
		y = axis_y;
		x = SVG_LEFT + bin_w * (double)i;
		for (s = 0; s < b->nseries; s++) {
			if ((v = b->series[s].values[i]) <= 0)
				continue;
			h = plot_h * (double)v / (double)top;
			y -= h;
			if (evbuffer_add_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
			    x + (bin_w - bar_w) / 2, y, bar_w, h,
			    b->series[s].colour) == -1 ||
			    html_str(out, b->bin_labels[i]) == -1 ||
			    evbuffer_add_printf(out, " ") == -1 ||
			    html_str(out, b->series[s].name) == -1 ||
			    evbuffer_add_printf(out, ": %lld</title></rect>",
			    (long long)v) == -1)
				rc = -1;
		}
		if (i % every == 0 && svg_label(out, x + bin_w / 2,
		    axis_y + 16, "tick", "middle", b->bin_labels[i]) == -1)
			rc = -1;
	}
	/* The axes and their labels. */
	if (evbuffer_add_printf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" "
	    "x2=\"%d\" y2=\"%d\"/><line class=\"axis\" x1=\"%d\" y1=\"%d\" "
	    "x2=\"%d\" y2=\"%d\"/>", SVG_LEFT, axis_y, SVG_WIDTH - SVG_RIGHT,
	    axis_y, SVG_LEFT, SVG_TOP, SVG_LEFT, axis_y) == -1 ||
	    svg_label(out, SVG_LEFT + plot_w / 2, axis_y + 38, "axis-label",
	    "middle", b->x_label) == -1 ||
	    evbuffer_add_printf(out, "<text class=\"axis-label\" "
	    "text-anchor=\"middle\" transform=\"translate(16 %.1f) "
	    "rotate(-90)\">", SVG_TOP + plot_h / 2) == -1 ||
	    html_str(out, b->y_label) == -1 ||
	    evbuffer_add_printf(out, "</text>") == -1)
		rc = -1;
	/* The legend, four to a row. */
	for (s = 0; s < b->nseries; s++) {
		x = SVG_LEFT + (double)(s % 4) * (plot_w / 4);
		y = SVG_HEIGHT - 4 + (double)(s / 4) * SVG_LEGEND_ROW;
		if (evbuffer_add_printf(out, "<rect class=\"key\" x=\"%.1f\" "
		    "y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>", x,
		    y - 10, b->series[s].colour) == -1 ||
		    svg_label(out, x + 16, y, "legend", "start",
		    b->series[s].name) == -1)
			rc = -1;
	}
	if (evbuffer_add_printf(out, "</svg>\n") == -1)
		rc = -1;
	return (rc);
}

int
svg_hbars(struct evbuffer *out, const char *title, const char *x_label,
    size_t n, const char *const *labels, const int64_t *values,
    const char *colour)
{
	double	 plot_w, w, y;
	int64_t	 top, max = 0;
	size_t	 i;
	int	 height, axis_y, rc = 0;
	char	 number[32];

	for (i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	top = svg_scale_top(max);
	axis_y = SVG_TOP + (int)(n == 0 ? 1 : n) * SVG_HBAR;
	height = axis_y + 44;
	plot_w = SVG_WIDTH - SVG_HBAR_LEFT - SVG_RIGHT;
	if (svg_open(out, title, SVG_WIDTH, height) == -1)
		return (-1);
	if (n == 0 && svg_label(out, SVG_HBAR_LEFT, SVG_TOP + 14, "legend",
	    "start", "no reports in this period") == -1)
		rc = -1;
	for (i = 0; i <= SVG_STEPS; i++) {
		w = SVG_HBAR_LEFT + plot_w * (double)i / SVG_STEPS;
		snprintf(number, sizeof number, "%lld",
		    (long long)(top * (int64_t)i / SVG_STEPS));
		if (evbuffer_add_printf(out, "<line class=\"grid\" x1=\"%.1f\" "
		    "y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", w, SVG_TOP, w,
		    axis_y) == -1 ||
		    svg_label(out, w, axis_y + 16, "tick", "middle",
		    number) == -1)
			rc = -1;
	}
	for (i = 0; i < n; i++) {
		y = SVG_TOP + (double)i * SVG_HBAR;
		w = plot_w * (double)values[i] / (double)top;
		snprintf(number, sizeof number, "%lld", (long long)values[i]);
		if (svg_label(out, SVG_HBAR_LEFT - 6, y + 14, "tick", "end",
		    labels[i]) == -1 ||
		    evbuffer_add_printf(out, "<rect x=\"%d\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>",
		    SVG_HBAR_LEFT, y + 3, w, SVG_HBAR - 6, colour) == -1 ||
		    html_str(out, labels[i]) == -1 ||
		    evbuffer_add_printf(out, ": %s</title></rect>",
		    number) == -1 ||
		    svg_label(out, SVG_HBAR_LEFT + w + 4, y + 14, "value",
		    "start", number) == -1)
			rc = -1;
	}
	if (evbuffer_add_printf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" "
	    "x2=\"%d\" y2=\"%d\"/>", SVG_HBAR_LEFT, SVG_TOP, SVG_HBAR_LEFT,
	    axis_y) == -1 ||
	    svg_label(out, SVG_HBAR_LEFT + plot_w / 2, axis_y + 36,
	    "axis-label", "middle", x_label) == -1 ||
	    evbuffer_add_printf(out, "</svg>\n") == -1)
		rc = -1;
	return (rc);
}
