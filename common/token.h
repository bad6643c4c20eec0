/*
 * Secrets handed to people (API tokens, personal links): 256 random bits
 * from OpenSSL's RAND_bytes, shown once as 64 lowercase hex characters and
 * stored only as the hex SHA-256 of that text.
 */
#ifndef PAL_TOKEN_H
#define PAL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_BYTES	32
#define TOKEN_TEXT_LEN	(TOKEN_BYTES * 2)	/* hex characters */
#define TOKEN_HASH_LEN	64			/* hex SHA-256 */

/* Fills out with a new token and a NUL; false if the RNG failed. */
bool	token_generate(char out[TOKEN_TEXT_LEN + 1]);
/* SHA-256 of s[0..len) as lowercase hex plus a NUL. */
void	token_sha256_hex(const void *s, size_t len,
	    char out[TOKEN_HASH_LEN + 1]);
/* Hash of a token as stored in the database. */
void	token_hash(const char *token, char out[TOKEN_HASH_LEN + 1]);
/* True if token has the shape token_generate makes. */
bool	token_well_formed(const char *token);
/* Constant-time comparison of two NUL-terminated strings. */
bool	token_equal(const char *a, const char *b);

#endif
