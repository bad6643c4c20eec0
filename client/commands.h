/*
 * pal's commands: one static table of (noun, verb, usage, summary,
 * argument counts and kinds, options, needs a token, handler), from which
 * the dispatcher, the option parser, the local checks of values and every
 * --help text are driven. Adding a command is one table entry in
 * commands.c and one small handler in the cmd_<group>.c of its noun
 * (declared in cmd.h).
 */
#ifndef PAL_COMMANDS_H
#define PAL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "settings.h"

#define COMMANDS_MAX_OPTIONS	12
#define COMMANDS_MAX_ARGS	8

/*
 * What a value must look like before any request is made. The server
 * checks everything again; these catch typos with a local exit 1.
 */
enum commands_kind {
	COMMANDS_TEXT = 0,	/* anything (options: not empty) */
	COMMANDS_NUMBER,	/* a positive integer: an id, a limit */
	COMMANDS_NUMBERS,	/* "3,4,5": positive integers, no repeats */
	COMMANDS_DATE,		/* AAAA-MM-DD, month 01-12, day 01-31 */
	COMMANDS_TIME,		/* HH:MM, 00:00 to 23:59 */
	COMMANDS_CHOICE,	/* one of choices */
};

struct commands_option {
	const char	*name;		/* "nombre" for --nombre */
	char		 short_name;	/* 'o' for -o, '\0' for none */
	bool		 has_value;	/* false: a flag such as --vencidas */
	bool		 required;
	enum commands_kind kind;
	const char *const *choices;	/* NULL-ended, for COMMANDS_CHOICE */
};

/* A positional argument: its name in the usage line and its kind. */
struct commands_positional {
	const char	*name;		/* "MESA"; NULL: any text */
	enum commands_kind kind;	/* COMMANDS_CHOICE is not allowed */
};

struct commands_args;

/* Runs a parsed command; returns pal's exit code (PAL_EXIT_* in api.h). */
typedef int commands_fn(const struct settings *s,
    const struct commands_args *a);

struct commands_entry {
	const char		*noun;
	const char		*verb;		/* NULL: the noun alone */
	const char		*usage;		/* after "pal noun verb" */
	const char		*summary;	/* one Spanish sentence */
	const char		*notes;		/* more for --help, or NULL */
	size_t			 min_args;	/* positional arguments */
	size_t			 max_args;
	bool			 needs_token;
	bool			 own_settings;	/* url and token are args */
	commands_fn		*handler;
	struct commands_option	 options[COMMANDS_MAX_OPTIONS];
	struct commands_positional positional[COMMANDS_MAX_ARGS];
};

struct commands_args {
	const struct commands_entry *entry;	/* borrowed, static */
	const char	*args[COMMANDS_MAX_ARGS];	/* borrowed from argv */
	size_t		 nargs;
	/* By option index: the value, "" for a flag given, NULL if absent. */
	const char	*values[COMMANDS_MAX_OPTIONS];
};

/* The table, ended by an entry whose noun is NULL. */
extern const struct commands_entry commands_table[];

/* The entry for noun and verb (NULL verb for noun-only commands), or NULL. */
const struct commands_entry *commands_find(const char *noun,
	    const char *verb);

/*
 * Parses the arguments after "pal noun verb" against e: "--name value",
 * "--name=value", "-o value" for options with a short name, "--" ends the
 * options, anything else is positional. Unknown or repeated options, a
 * missing or empty value, a value given to a flag, a missing required
 * option, too few or too many positional arguments, text that is not
 * UTF-8 and a value or argument that does not match its kind give false
 * with a Spanish message in err (code "uso"). a keeps pointers into argv.
 */
bool	 commands_parse(const struct commands_entry *e, int argc,
	    char **argv, struct commands_args *a, struct error *err);

/* The value of option name ("" for a flag), or NULL when not given. */
const char *commands_opt(const struct commands_args *a, const char *name);

/*
 * For a handler's own checks of its command line: prints "error: " and
 * fmt formatted, then the usage line of e, on stderr. Returns
 * PAL_EXIT_USAGE.
 */
int	 commands_usage_error(const struct commands_entry *e,
	    const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The whole program after libcurl's global init: global options, --help
 * and --version, settings, dispatch. Returns the exit code.
 */
int	 commands_main(int argc, char **argv);

#endif
