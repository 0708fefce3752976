/* The console's style sheet and script. */
#ifndef KENTONGAN_CONSOLE_ASSETS_H
#define KENTONGAN_CONSOLE_ASSETS_H

extern const char console_css[];
extern const char console_js[];
extern const char console_icon[];

#endif
