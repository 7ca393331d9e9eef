/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An independent decoder for profile packages: the published TCA module (PE_Definitions, from
 * ../shared/reference/asn1/, compiled by asn1c at build time) and nothing of the project's code.
 * For each element of a DER file: decode as the published ProfileElement, refuse alternatives it
 * does not know, check its constraints, re-encode and compare the bytes, then print the element
 * as canonical XER (one line each) for check_refmodule.py to read the values from.
 * Exit status: 0 all elements valid, 1 a problem (on stderr), 2 usage or I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ProfileElement.h>

struct out {
    unsigned char *p;
    size_t len, cap;
};

static int out_add(const void *data, size_t size, void *key)
{
    struct out *o = key;

    if (o->len + size > o->cap) {
        size_t cap = o->cap ? o->cap : 1024;
        unsigned char *p;

        while (cap < o->len + size)
            cap *= 2;
        p = realloc(o->p, cap);
        if (!p)
            return -1;
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, data, size);
    o->len += size;
    return 0;
}

static int print_line(const void *data, size_t size, void *key)
{
    return fwrite(data, 1, size, key) == size ? 0 : -1;
}

int main(int argc, char **argv)
{
    unsigned char *der;
    size_t len, off = 0;
    long n;
    int bad = 0, count = 0;
    FILE *f;

    if (argc != 2) {
        fprintf(stderr, "usage: pp_refcheck PACKAGE.der\n");
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        perror(argv[1]);
        return 2;
    }
    len = (size_t)n;
    der = malloc(len ? len : 1);
    if (!der || fread(der, 1, len, f) != len) {
        perror(argv[1]);
        return 2;
    }
    fclose(f);
    while (off < len) {
        ProfileElement_t *pe = NULL;
        asn_dec_rval_t rv =
            ber_decode(NULL, &asn_DEF_ProfileElement, (void **)&pe, der + off, len - off);
        char msg[256];
        size_t msglen = sizeof(msg);
        struct out o = {0};

        if (rv.code != RC_OK || !rv.consumed) {
            fprintf(stderr, "element %d (offset %zu): does not decode\n", count, off);
            ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
            bad = 1;
            break;
        }
        if (pe->present == ProfileElement_PR_NOTHING) {
            fprintf(stderr, "element %d (offset %zu): an alternative the module does not know\n",
                    count, off);
            bad = 1;
        } else if (asn_check_constraints(&asn_DEF_ProfileElement, pe, msg, &msglen)) {
            fprintf(stderr, "element %d (offset %zu): constraint: %s\n", count, off, msg);
            bad = 1;
        } else if (der_encode(&asn_DEF_ProfileElement, pe, out_add, &o).encoded < 0 ||
                   o.len != rv.consumed || memcmp(o.p, der + off, o.len)) {
            fprintf(stderr, "element %d (offset %zu): re-encodes differently\n", count, off);
            bad = 1;
        } else if (xer_encode(&asn_DEF_ProfileElement, pe, XER_F_CANONICAL, print_line, stdout)
                       .encoded < 0) {
            fprintf(stderr, "element %d: no XER\n", count);
            bad = 1;
        } else {
            putchar('\n');
        }
        free(o.p);
        ASN_STRUCT_FREE(asn_DEF_ProfileElement, pe);
        off += rv.consumed;
        count++;
    }
    free(der);
    fprintf(stderr, "%s: %d elements, %s\n", argv[1], count, bad ? "PROBLEMS" : "all valid");
    return bad;
}
