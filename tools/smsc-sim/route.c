/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Address matching. An account's routes are plain prefixes ("*": every address). A bind's
 * address_range (SMPP 3.4 section 5.2.7) is "a regular expression": taken as a plain prefix
 * when it has no regular-expression syntax, else as a POSIX extended regular expression.
 * Specificity: 1 + the length of the literal prefix (after a leading '^'); "*" scores 0. The
 * caller prefers the highest score, and an address_range over a route of the same score.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smsc.h"

void smsc_routes_free(struct smsc_route *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].prefix);
    free(r);
}

int smsc_routes_parse(const char *text, struct smsc_route **out, size_t *n, char *why,
                      size_t whylen)
{
    struct smsc_route *r = NULL;
    size_t nr = 0;
    const char *p = text;

    *out = NULL;
    *n = 0;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        struct smsc_route *nr2;

        while (b < e && isspace((unsigned char)*b))
            b++;
        while (e > b && isspace((unsigned char)e[-1]))
            e--;
        p += len + (p[len] == ',');
        if (b == e) {
            snprintf(why, whylen, "empty route");
            goto fail;
        }
        if ((size_t)(e - b) >= SM_SMPP_ADDR_SIZE) {
            snprintf(why, whylen, "route '%.*s' is longer than an address", (int)(e - b), b);
            goto fail;
        }
        for (const char *q = b; q < e; q++) {
            if (!isgraph((unsigned char)*q) || (*q == '*' && e - b != 1)) {
                snprintf(why, whylen, "route '%.*s': only '*' alone or a prefix without spaces",
                         (int)(e - b), b);
                goto fail;
            }
        }
        nr2 = realloc(r, (nr + 1) * sizeof(*r));
        if (!nr2) {
            snprintf(why, whylen, "out of memory");
            goto fail;
        }
        r = nr2;
        r[nr].any = e - b == 1 && *b == '*';
        r[nr].prefix = r[nr].any ? strdup("") : strndup(b, (size_t)(e - b));
        r[nr].len = r[nr].any ? 0 : (size_t)(e - b);
        if (!r[nr].prefix) {
            snprintf(why, whylen, "out of memory");
            goto fail;
        }
        nr++;
    }
    *out = r;
    *n = nr;
    return 0;
fail:
    smsc_routes_free(r, nr);
    return -EINVAL;
}

int smsc_routes_score(const struct smsc_route *r, size_t n, const char *addr)
{
    int best = -1;

    for (size_t i = 0; i < n; i++) {
        int score;

        if (r[i].any)
            score = 0;
        else if (!strncmp(addr, r[i].prefix, r[i].len))
            score = 1 + (int)r[i].len;
        else
            continue;
        if (score > best)
            best = score;
    }
    return best;
}

static bool has_regex_syntax(const char *s)
{
    for (size_t i = 0; s[i]; i++)
        if (strchr(".[]()*?{}|^$\\", s[i]) || (s[i] == '+' && i > 0))
            return true;
    return false;
}

/* Literal characters at the start of an extended regular expression, after '^'. */
static int literal_prefix(const char *re)
{
    int n = 0;
    const char *p = re + (*re == '^');

    for (; *p; p++) {
        if (*p == '\\' && p[1] && !isalnum((unsigned char)p[1])) {
            p++; /* an escaped metacharacter is a literal ("\+") */
        } else if (strchr(".[]()*?{}|^$\\+", *p)) {
            break;
        }
        /* a quantifier after this character makes it optional: not part of the prefix */
        if (p[1] && strchr("*?{", p[1]))
            break;
        n++;
    }
    return n;
}

int smsc_range_compile(struct smsc_conn *c, const char *range)
{
    snprintf(c->address_range, sizeof(c->address_range), "%s", range);
    c->range_regex = false;
    if (!range[0] || !has_regex_syntax(range))
        return 0;
    if (regcomp(&c->range_re, range, REG_EXTENDED | REG_NOSUB))
        return -EINVAL;
    c->range_regex = true;
    return 0;
}

void smsc_range_free(struct smsc_conn *c)
{
    if (c->range_regex)
        regfree(&c->range_re);
    c->range_regex = false;
    c->address_range[0] = 0;
}

int smsc_range_score(const struct smsc_conn *c, const char *addr)
{
    if (!c->address_range[0])
        return -1;
    if (!c->range_regex) {
        size_t l = strlen(c->address_range);

        return strncmp(addr, c->address_range, l) ? -1 : 1 + (int)l;
    }
    if (regexec(&c->range_re, addr, 0, NULL, 0))
        return -1;
    return 1 + literal_prefix(c->address_range);
}
