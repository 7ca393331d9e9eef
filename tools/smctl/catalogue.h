/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMCTL_CATALOGUE_H
#define SMCTL_CATALOGUE_H

/*
 * The functions smctl can call and their members, read from the project's JSON Schemas
 * (schema/, compiled into smctl): a function is an <iface>.<function>.request.schema.json, its
 * members the schema's properties besides "header", each with its JSON type and description.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum smctl_type { SMCTL_STRING, SMCTL_BOOL, SMCTL_INT, SMCTL_OBJECT, SMCTL_STRINGS, SMCTL_ARRAY };

struct smctl_member {
    char name[64];   /* profileType */
    char option[72]; /* profile-type */
    enum smctl_type type;
    bool required;
    const char *description; /* borrowed from the schema */
};

struct smctl_function {
    char iface[8];     /* es2 */
    char name[64];     /* downloadProfile */
    const char *title; /* the schema's description */
    struct smctl_member member[24];
    size_t nmembers;
};

/* The function iface.name, or -ENOENT. */
int smctl_function(const char *iface, const char *name, struct smctl_function *out);
/* Every function of iface, in name order, printed with its title (for --help). */
void smctl_list_functions(const char *iface, FILE *f);
/* One function's usage: its members as options. */
void smctl_function_usage(const struct smctl_function *fn, FILE *f);

/* A JSON option's value: the text itself, or the contents of @FILE; NULL with why. */
json_t *smctl_json_arg(const char *v, char *why, size_t n);
/* Set member m of members from text v (NULL: a flag without a value), typed as the schema says;
 * a repeatable member is appended. 0, or -1 with why. */
int smctl_member_set(json_t *members, const struct smctl_member *m, const char *v, char *why,
                     size_t n);

#endif
