/*
 * Test helper: a throwaway P-256 key and self-signed certificate for
 * CN=localhost, written at test time into a fresh temporary directory (no
 * private key is ever committed). Included by the tests that need TLS.
 */
#ifndef WSSPEC_TEST_SELFSIGNED_H
#define WSSPEC_TEST_SELFSIGNED_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

typedef struct {
    char dir[64];
    char cert[128];
    char key[128];
} test_cert;

/* Returns false on any failure. */
static bool test_cert_make(test_cert *tc)
{
    memset(tc, 0, sizeof *tc);
    strcpy(tc->dir, "/tmp/wsspec-test-XXXXXX");
    if (!mkdtemp(tc->dir)) return false;
    snprintf(tc->cert, sizeof tc->cert, "%s/cert.pem", tc->dir);
    snprintf(tc->key, sizeof tc->key, "%s/key.pem", tc->dir);

    bool ok = false;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    FILE *kf = NULL, *cf = NULL;
    if (!key || !x) goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    if (X509_sign(x, key, EVP_sha256()) <= 0) goto out;
    kf = fopen(tc->key, "w");
    cf = fopen(tc->cert, "w");
    if (!kf || !cf) goto out;
    ok =
        PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL) == 1 && PEM_write_X509(cf, x) == 1;
out:
    if (kf) fclose(kf);
    if (cf) fclose(cf);
    X509_free(x);
    EVP_PKEY_free(key);
    return ok;
}

static int test_cert_rm_(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void test_cert_remove(test_cert *tc)
{
    if (tc->dir[0]) nftw(tc->dir, test_cert_rm_, 8, FTW_DEPTH | FTW_PHYS);
    tc->dir[0] = '\0';
}

#endif
