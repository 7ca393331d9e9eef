/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File-structure templates of the TCA (SIMalliance) "eUICC Profile Package: Interoperable
 * Format" (SAIP): for every template OID, the files the template defines, as the eUICC simulator
 * needs them to turn a template profile element (mf, usim, opt-usim, df-5gs, ...) into MF/DF/EF
 * files. Where the facts come from and what each field means: see the top of fs_templates.c.
 */
#ifndef EUICC_SIM_FS_TEMPLATES_H
#define EUICC_SIM_FS_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fs_kind {
    FS_MF,
    FS_DF,
    FS_ADF,
    FS_EF_TRANSPARENT,
    FS_EF_LINEAR_FIXED,
    FS_EF_CYCLIC,
    FS_EF_BER_TLV
};

/* What the template leaves to the profile element: the PE's fileDescriptor (Fcp) must carry it. */
enum fs_param {
    FS_P_SIZE = 1 << 0,  /* efFileSize (transparent, BER-TLV) or the record length (records) */
    FS_P_NBREC = 1 << 1, /* number of records: efFileSize / record length */
    FS_P_FID = 1 << 2,   /* fileID: ADF temporary FID, DF.EAP, or one FID out of fid..fid_last */
    FS_P_AID = 1 << 3,   /* dfName: the ADF's AID */
    FS_P_SFI = 1 << 4,   /* shortEFID (phonebook files) */
    FS_P_PIN = 1 << 5    /* pinStatusTemplateDO: every MF/DF/ADF */
};

struct fs_tmpl_file {
    const char *name;  /* ASN.1 member name in the PE, e.g. "ef-imsi" */
    uint16_t fid;      /* e.g. 0x6F07; 0 for an ADF (temporary FID from the PE) and DF.EAP */
    uint16_t fid_last; /* != 0: the template allows any FID in fid..fid_last (phonebook, icons) */
    enum fs_kind kind;
    uint32_t size;    /* transparent: bytes; records: nb_rec * rec_len; BER-TLV: max; DF: 0 */
    uint16_t rec_len; /* linear fixed / cyclic record length, else 0 */
    uint16_t nb_rec;  /* number of records when the template fixes it, else 0 */
    uint8_t sfi;      /* short file identifier, 0 = none */
    const char *arr;  /* securityAttributesReferenced, hex "2f06" / "6f06" + record; NULL: none */
    const char *content; /* default content (hex) written at offset 0 of the file, or of each
                            record of a record EF, over the fill; NULL: fill only */
    const char *fill;    /* fill pattern (hex), repeated over the whole file / each record */
    bool by_default;     /* created even when the PE does not mention the file */
    int parent;          /* index in files[] of the parent DF/ADF; -1: in the template's base */
    bool pe_only;        /* the template lacks a structural fact (size, records, FID, AID): the PE
                            must give the file's fileDescriptor for it to be created */
    uint8_t params;      /* enum fs_param bits: what the PE has to (or may only) supply */
    bool uncertain;      /* some fact of this entry is not backed by a source; see the comment */
};

struct fs_tmpl {
    const char *oid; /* "2.23.143.1.2.4"; versioned variants ("2.23.143.1.2.4.2") separately */
    const char *pe;  /* ProfileElement alternative, e.g. "usim" */
    const char *base_path; /* "" = the MF; "adf:usim" = the ADF that the usim template creates
                              (ADF entries with parent -1 are that ADF, other parent -1 entries
                              are created inside it); see fs_templates.c */
    const struct fs_tmpl_file *files;
    size_t nfiles;
    const char *source; /* where the entries were taken from */
};

extern const struct fs_tmpl fs_templates[];
extern const size_t fs_ntemplates;

/* Template with exactly this OID (dotted form), NULL if none. */
const struct fs_tmpl *fs_template_find(const char *oid);

/* Index of the member NAME in t->files, -1 if the template has no such file. */
int fs_template_file_index(const struct fs_tmpl *t, const char *name);

/* Short name of a kind: "MF", "DF", "ADF", "TR", "LF", "CY", "BT". */
const char *fs_kind_name(enum fs_kind k);

#endif
