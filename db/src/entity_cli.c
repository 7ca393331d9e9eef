/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "sm/api.h"
#include "sm/err.h"
#include "smdb/db.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: entity add NAME --role ROLE --id OID [--cert PEM]... [--callback URL]\n"
               "       entity cert NAME PEM         register another client certificate\n"
               "       entity list [--json]\n"
               "       entity show NAME\n"
               "       entity enable NAME | disable NAME | remove NAME\n"
               "       entity callback NAME URL\n"
               "       entity import FILE           register the entities of a pki.json\n"
               "roles: mno, smdp, eum, smsr, admin\n");
}

static int add_cert(struct smdb *db, const struct sm_entity *e, const char *path)
{
    struct sm_cert_info ci;
    int rc = sm_cert_info_file(path, &ci);

    if (rc) {
        fprintf(stderr, "entity: cannot read a certificate from %s: %s\n", path, sm_strerror(rc));
        return rc;
    }
    rc = smdb_entity_add_cert(db, e->id, &ci, sm_wall_ms());
    if (rc == -EEXIST) {
        struct sm_entity owner;

        if (smdb_entity_by_cert(db, ci.fingerprint, &owner) == 0 && strcmp(owner.id, e->id)) {
            fprintf(stderr, "entity: %s is already registered for %s\n", path, owner.name);
            return -EEXIST;
        }
        return 0; /* already there: idempotent */
    }
    if (rc)
        fprintf(stderr, "entity: cannot register %s: %s\n", path, sm_strerror(rc));
    return rc;
}

/* Add the entity, or accept it if an identical one exists (id, name and role). */
static int ensure_entity(struct smdb *db, const struct sm_entity *e)
{
    struct sm_entity cur;
    int rc = smdb_entity_add(db, e, sm_wall_ms());

    if (rc == -EEXIST) {
        if (smdb_entity_get(db, e->id, &cur) == 0 && !strcmp(cur.name, e->name) &&
            cur.role == e->role)
            return 0;
        fprintf(stderr, "entity: %s or %s is already registered with other details\n", e->name,
                e->id);
        return rc;
    }
    if (rc == -EINVAL)
        fprintf(stderr, "entity: invalid entity (id must be an OID, role one of the roles)\n");
    else if (rc)
        fprintf(stderr, "entity: cannot add %s: %s\n", e->name, sm_strerror(rc));
    return rc;
}

static int cmd_add(struct smdb *db, int argc, char **argv)
{
    static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
                                         {"id", required_argument, NULL, 'i'},
                                         {"cert", required_argument, NULL, 'c'},
                                         {"callback", required_argument, NULL, 'u'},
                                         {NULL, 0, NULL, 0}};
    struct sm_entity e = {.enabled = true};
    const char *certs[8];
    unsigned ncerts = 0;
    int o, rc;

    optind = 0; /* glibc: 0 re-initialises getopt, argument permutation included */
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'r':
            if (sm_role_parse(optarg, &e.role)) {
                fprintf(stderr, "entity: unknown role '%s'\n", optarg);
                return 2;
            }
            break;
        case 'i':
            snprintf(e.id, sizeof(e.id), "%s", optarg);
            break;
        case 'c':
            if (ncerts == 8)
                return 2;
            certs[ncerts++] = optarg;
            break;
        case 'u':
            snprintf(e.callback_url, sizeof(e.callback_url), "%s", optarg);
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1 || !e.role || !e.id[0]) {
        usage(stderr);
        return 2;
    }
    snprintf(e.name, sizeof(e.name), "%s", argv[optind]);
    rc = ensure_entity(db, &e);
    for (unsigned i = 0; i < ncerts && !rc; i++)
        rc = add_cert(db, &e, certs[i]);
    return rc ? 1 : 0;
}

static int print_entity(void *arg, const struct sm_entity *e, unsigned ncerts)
{
    bool json = *(bool *)arg;

    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "id", e->id, "name", e->name,
                              "role", sm_role_name(e->role), "callbackUrl", e->callback_url,
                              "enabled", e->enabled, "certificates", (int)ncerts);
        char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;

        if (t)
            printf("%s\n", t);
        free(t);
        json_decref(o);
    } else {
        printf("%-12s %-6s %-28s %-8s %u cert(s) %s\n", e->name, sm_role_name(e->role), e->id,
               e->enabled ? "enabled" : "DISABLED", ncerts, e->callback_url);
    }
    return 0;
}

static int cmd_import(struct smdb *db, const char *self_id, const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *list, *item;
    char *copy = strdup(path), *dir = copy ? dirname(copy) : ".";
    size_t i;
    int rc = 0, added = 0;

    if (!root) {
        fprintf(stderr, "entity: %s: %s (line %d)\n", path, jerr.text, jerr.line);
        free(copy);
        return 1;
    }
    list = json_object_get(root, "entities");
    if (!json_is_array(list)) {
        fprintf(stderr, "entity: %s has no \"entities\" array\n", path);
        rc = -EINVAL;
    }
    json_array_foreach(list, i, item) {
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *role = json_string_value(json_object_get(item, "role"));
        const char *id = json_string_value(json_object_get(item, "id"));
        const char *cert = json_string_value(json_object_get(item, "cert"));
        struct sm_entity e = {.enabled = true};
        char cpath[1024];

        if (!name || !role || !id || !cert || sm_role_parse(role, &e.role)) {
            fprintf(stderr, "entity: %s: entry %zu lacks name, role, id or cert\n", path, i);
            rc = -EINVAL;
            break;
        }
        if (self_id && !strcmp(id, self_id))
            continue; /* the daemon itself */
        snprintf(e.id, sizeof(e.id), "%s", id);
        snprintf(e.name, sizeof(e.name), "%s", name);
        snprintf(cpath, sizeof(cpath), "%s%s%s", cert[0] == '/' ? "" : dir,
                 cert[0] == '/' ? "" : "/", cert);
        rc = ensure_entity(db, &e);
        if (!rc)
            rc = add_cert(db, &e, cpath);
        if (rc)
            break;
        added++;
    }
    json_decref(root);
    free(copy);
    if (!rc)
        printf("%d entities registered or already present\n", added);
    return rc ? 1 : 0;
}

int smdb_entity_cli(struct smdb *db, const char *self_id, int argc, char **argv, FILE *out)
{
    struct sm_entity e;
    const char *cmd = argc > 1 ? argv[1] : "";
    int rc;

    if (!strcmp(cmd, "add"))
        return cmd_add(db, argc - 1, argv + 1);
    if (!strcmp(cmd, "list")) {
        bool json = argc > 2 && !strcmp(argv[2], "--json");
        return smdb_entity_foreach(db, print_entity, &json) ? 1 : 0;
    }
    if (!strcmp(cmd, "import") && argc == 3)
        return cmd_import(db, self_id, argv[2]);
    if (argc < 3) {
        usage(strcmp(cmd, "help") && strcmp(cmd, "--help") ? stderr : out);
        return strcmp(cmd, "help") && strcmp(cmd, "--help") ? 2 : 0;
    }
    rc = smdb_entity_get(db, argv[2], &e);
    if (rc) {
        fprintf(stderr, "entity: %s: %s\n", argv[2],
                rc == -ENOENT ? "no such entity" : sm_strerror(rc));
        return 1;
    }
    if (!strcmp(cmd, "show") && argc == 3) {
        bool json = true;
        return print_entity(&json, &e, 0);
    }
    if (!strcmp(cmd, "cert") && argc == 4)
        return add_cert(db, &e, argv[3]) ? 1 : 0;
    if ((!strcmp(cmd, "enable") || !strcmp(cmd, "disable")) && argc == 3)
        return smdb_entity_set_enabled(db, e.id, !strcmp(cmd, "enable")) ? 1 : 0;
    if (!strcmp(cmd, "callback") && argc == 4)
        return smdb_entity_set_callback(db, e.id, argv[3]) ? 1 : 0;
    if (!strcmp(cmd, "remove") && argc == 3)
        return smdb_entity_remove(db, e.id) ? 1 : 0;
    usage(stderr);
    return 2;
}
