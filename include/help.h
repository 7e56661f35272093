/* help.h - what acmectl says about its command line: the whole --help
 * text, the help of one command, the nearest known word to a mistyped one,
 * and pointers for certbot's spellings. Pure. */
#ifndef ACMECTL_HELP_H
#define ACMECTL_HELP_H

#include <stddef.h>

/* The --help text: every command, every option, the exit codes. Static
 * string. */
const char *help_usage(void);

/* The help of the command named topic ("issue", "account register"): its
 * synopsis, what it does, its options, examples, and the global options by
 * name; for a group ("account"), the synopsis and purpose of each of its
 * commands and their examples. Returns a new string (caller frees), or NULL
 * with ERR_USAGE when topic names no command. */
char *help_command(const char *topic);

/* The optimal string alignment distance (Damerau-Levenshtein with each
 * substring edited at most once) between a and b: the insertions,
 * deletions, substitutions and swaps of adjacent characters that turn one
 * into the other. Strings longer than 64 bytes count as far from all. */
size_t help_distance(const char *a, const char *b);

/* Of the n candidates, the one nearest to word when it is near enough to
 * be a slip of the fingers (distance 1 for words of up to 4 characters, 2
 * beyond, not counting leading dashes); NULL otherwise or on a tie.
 * Returns one of candidates (borrowed). */
const char *help_nearest(const char *word, const char *const *candidates, size_t n);

/* How to say in acmectl what certbot users type out of habit: advice for
 * word (an option such as "--force-renewal" or a command such as
 * "certonly"), or NULL when word is no certbot spelling. Static string. */
const char *help_certbot_habit(const char *word);

#endif
