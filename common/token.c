/*
 * Secret tokens for API clients and personal links: made from OpenSSL's
 * CSPRNG, shown once, stored as a SHA-256 hex digest, compared in constant
 * time. A 256-bit random token needs no salt or slow hash: guessing it is
 * as hard as inverting SHA-256.
 *
 * It deliberately does not store, expire or revoke anything; that is the
 * job of the store that keeps the hashes.
 */
#include "token.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"

static void
token_hex(const unsigned char *raw, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[raw[i] >> 4];
		out[2 * i + 1] = digits[raw[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

bool
token_generate(char out[TOKEN_TEXT_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];
	bool ok = false;

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		log_error("could not generate token: RAND_bytes failed");
		out[0] = '\0';
		goto out;
	}
	token_hex(raw, sizeof(raw), out);
	ok = true;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return ok;
}

void
token_sha256_hex(const void *s, size_t len, char out[TOKEN_HASH_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (s == NULL)
		s = "";
	/*
	 * There is no error path: a caller that compared against a hash
	 * that was never computed could let anyone in. SHA-256 only fails
	 * when OpenSSL cannot allocate, so treat it like xmalloc does.
	 */
	if (EVP_Digest(s, len, md, &md_len, EVP_sha256(), NULL) != 1 ||
	    md_len * 2 != TOKEN_HASH_LEN) {
		log_error("could not compute SHA-256: EVP_Digest failed");
		abort();
	}
	token_hex(md, md_len, out);
}

void
token_hash(const char *token, char out[TOKEN_HASH_LEN + 1])
{
	token_sha256_hex(token, token != NULL ? strlen(token) : 0, out);
}

bool
token_well_formed(const char *token)
{
	size_t i;

	if (token == NULL)
		return false;
	/* Stops at the first non-hex byte, the NUL included: no overread. */
	for (i = 0; i < TOKEN_TEXT_LEN; i++) {
		char c = token[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return token[i] == '\0';
}

bool
token_equal(const char *a, const char *b)
{
	size_t la, lb, n;
	int diff;

	if (a == NULL || b == NULL)
		return false;
	/*
	 * The lengths are not secret (every token and hash has a fixed
	 * one), the bytes are: compare the common prefix with
	 * CRYPTO_memcmp, which reads all of it whatever it finds, and only
	 * then fold in the length check.
	 */
	la = strlen(a);
	lb = strlen(b);
	n = la < lb ? la : lb;
	diff = CRYPTO_memcmp(a, b, n);
	return (diff == 0) & (la == lb);
}
