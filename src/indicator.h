/* Indicator of compromise values: one checker per indicator type. */
#ifndef KENTONGAN_INDICATOR_H
#define KENTONGAN_INDICATOR_H

/* 1 if type is one of the indicator types of the protocol. */
int	indicator_type_known(const char *type);
/*
 * Check value for its type. Returns 0 if valid; else -1 and *why points to a
 * static English phrase saying what is wrong ("not an IPv4 address").
 */
int	indicator_check(const char *type, const char *value, const char **why);
/* The types, space-separated, for messages. */
extern const char indicator_type_list[];

#endif
