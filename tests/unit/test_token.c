/*
 * Unit tests for common/token.c: shape and uniqueness of new tokens,
 * SHA-256 against published vectors, the well-formedness check and the
 * comparison.
 */
#include "token.h"

#include <string.h>

#include <criterion/criterion.h>

/* FIPS 180-2 appendix B vectors. */
#define SHA256_ABC \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_448 \
	"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

Test(token, generate_shape)
{
	char t[TOKEN_TEXT_LEN + 1];

	memset(t, 'X', sizeof(t));
	cr_assert(token_generate(t));
	cr_assert_eq(strlen(t), 64);
	for (size_t i = 0; i < 64; i++)
		cr_assert(strchr("0123456789abcdef", t[i]) != NULL,
		    "bad character %c", t[i]);
	cr_assert(token_well_formed(t));
}

Test(token, generate_differs)
{
	char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1];
	char seen[50][TOKEN_TEXT_LEN + 1];

	cr_assert(token_generate(a));
	cr_assert(token_generate(b));
	cr_assert_str_neq(a, b);
	for (size_t i = 0; i < 50; i++) {
		cr_assert(token_generate(seen[i]));
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(seen[i], seen[j]);
	}
}

Test(token, sha256_known_vectors)
{
	char h[TOKEN_HASH_LEN + 1];
	const char *m448 =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	token_sha256_hex("abc", 3, h);
	cr_assert_str_eq(h, SHA256_ABC);
	token_sha256_hex("", 0, h);
	cr_assert_str_eq(h, SHA256_EMPTY);
	token_sha256_hex(NULL, 0, h);
	cr_assert_str_eq(h, SHA256_EMPTY);
	token_sha256_hex(m448, strlen(m448), h);
	cr_assert_str_eq(h, SHA256_448);
	/* Only len bytes count, NULs included. */
	token_sha256_hex("abcdef", 3, h);
	cr_assert_str_eq(h, SHA256_ABC);
	token_sha256_hex("abc\0", 4, h);
	cr_assert_str_neq(h, SHA256_ABC);
}

Test(token, hash_is_sha256_of_text)
{
	char h[TOKEN_HASH_LEN + 1], t[TOKEN_TEXT_LEN + 1];
	char h2[TOKEN_HASH_LEN + 1];

	token_hash("abc", h);
	cr_assert_str_eq(h, SHA256_ABC);
	cr_assert(token_generate(t));
	token_hash(t, h);
	token_sha256_hex(t, strlen(t), h2);
	cr_assert_str_eq(h, h2);
	cr_assert_eq(strlen(h), TOKEN_HASH_LEN);
	/* A hash has the shape of a token too: lowercase hex, 64. */
	cr_assert(token_well_formed(h));
}

Test(token, well_formed)
{
	char t[TOKEN_TEXT_LEN + 2];

	memset(t, 'a', 64);
	t[64] = '\0';
	cr_assert(token_well_formed(t));
	memcpy(t, "0123456789abcdef", 16);
	cr_assert(token_well_formed(t));

	t[63] = '\0';					/* 63 characters */
	cr_assert_not(token_well_formed(t));
	t[63] = 'a';
	t[64] = 'a';					/* 65 characters */
	t[65] = '\0';
	cr_assert_not(token_well_formed(t));
	t[64] = '\0';

	t[10] = 'A';					/* uppercase */
	cr_assert_not(token_well_formed(t));
	t[10] = 'g';					/* not hex */
	cr_assert_not(token_well_formed(t));
	t[10] = ' ';
	cr_assert_not(token_well_formed(t));
	t[10] = '\n';
	cr_assert_not(token_well_formed(t));
	t[10] = 'a';
	cr_assert(token_well_formed(t));

	cr_assert_not(token_well_formed(""));
	cr_assert_not(token_well_formed(NULL));
	cr_assert_not(token_well_formed(SHA256_ABC "\n"));
}

Test(token, equal)
{
	char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1];

	cr_assert(token_generate(a));
	memcpy(b, a, sizeof(a));
	cr_assert(token_equal(a, b));
	b[63] ^= 1;					/* last byte */
	cr_assert_not(token_equal(a, b));
	b[63] ^= 1;
	b[0] ^= 1;					/* first byte */
	cr_assert_not(token_equal(a, b));
	b[0] ^= 1;
	cr_assert(token_equal(a, b));

	/* A prefix is not equal, whichever side is shorter. */
	b[40] = '\0';
	cr_assert_not(token_equal(a, b));
	cr_assert_not(token_equal(b, a));
	cr_assert_not(token_equal(a, ""));
	cr_assert_not(token_equal("", a));
	cr_assert(token_equal("", ""));
	cr_assert_not(token_equal("abc", "abd"));
	cr_assert_not(token_equal("abc", "abcd"));
	cr_assert_not(token_equal(NULL, a));
	cr_assert_not(token_equal(a, NULL));
	cr_assert_not(token_equal(NULL, NULL));
}
