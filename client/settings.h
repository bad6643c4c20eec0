/*
 * Where pal finds the server and its token. Each setting comes from the
 * first place that has it: the --url/--token flags, then the PAL_URL and
 * PAL_TOKEN environment variables, then ~/.config/pal/config ("url = ..."
 * and "token = ..." lines, written by "pal login"), and for the url the
 * default http://127.0.0.1:8080.
 */
#ifndef PAL_SETTINGS_H
#define PAL_SETTINGS_H

#include <stdbool.h>

#include "error.h"

#define SETTINGS_DEFAULT_URL	"http://127.0.0.1:8080"

struct settings {
	char	*url;	/* owned; never NULL once loaded, no trailing '/' */
	char	*token;	/* owned; NULL when no source gives one */
	bool	 json;	/* --json: print the server's JSON as it came */
};

void	 settings_init(struct settings *s);
void	 settings_cleanup(struct settings *s);

/*
 * Fills s (initialised) by the precedence above. flag_url and flag_token
 * are borrowed and may be NULL; empty environment variables count as unset.
 * A malformed config file or a url that is not http:// or https:// gives
 * false with a Spanish message in err (status 0, code "uso").
 */
bool	 settings_load(struct settings *s, const char *flag_url,
	    const char *flag_token, struct error *err);

/*
 * The url with trailing slashes removed, owned, or NULL with err when it
 * does not start with http:// or https:// or holds spaces or controls.
 */
char	*settings_normalize_url(const char *url, struct error *err);

/*
 * A token must be printable ASCII without spaces: it goes into an HTTP
 * header, where a CR or LF would start a header of its own.
 */
bool	 settings_check_token(const char *token, struct error *err);

/* "$HOME/.config/pal/config", owned, or NULL if HOME is unset or empty. */
char	*settings_config_path(void);

/*
 * Reads url and token from the config file at path. Each out pointer gets
 * owned memory or NULL when the file lacks the key; a missing file is not
 * an error. Unknown keys and malformed lines are "path:line:" errors.
 */
bool	 settings_read_file(const char *path, char **url, char **token,
	    struct error *err);

/*
 * Writes url and token to settings_config_path(): creates the directories
 * with mode 0700 when missing, writes a temporary file with mode 0600 in
 * the same directory, fsyncs it and renames it over the old one, so a
 * crash leaves either the old file or the new one.
 */
bool	 settings_write_file(const char *url, const char *token,
	    struct error *err);

#endif
