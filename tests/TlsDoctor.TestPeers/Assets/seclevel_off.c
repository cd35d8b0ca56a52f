/* LD_PRELOAD shim for test peers only. OpenSSL 3.0 rejects temporary DH keys below 80 security
 * bits even at @SECLEVEL=0, so stock `openssl s_server`/`s_client` cannot serve or accept the
 * 512/768-bit DH groups old printers use. Every SSL_CTX gets a security callback that allows all. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/ssl.h>

static int allow_all(const SSL *s, const SSL_CTX *ctx, int op, int bits, int nid, void *other, void *ex)
{
    (void)s; (void)ctx; (void)op; (void)bits; (void)nid; (void)other; (void)ex;
    return 1;
}

SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth)
{
    static SSL_CTX *(*real)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *);
    if (!real)
        real = (SSL_CTX *(*)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *))dlsym(RTLD_NEXT, "SSL_CTX_new_ex");
    SSL_CTX *ctx = real(libctx, propq, meth);
    if (ctx) {
        SSL_CTX_set_security_level(ctx, 0);
        SSL_CTX_set_security_callback(ctx, allow_all);
    }
    return ctx;
}

/* SSL_CTX_new calls SSL_CTX_new_ex inside libssl, which an interposed symbol does not catch. */
SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
{
    return SSL_CTX_new_ex(NULL, NULL, meth);
}
