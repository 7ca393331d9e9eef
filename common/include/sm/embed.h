/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_EMBED_H
#define SM_EMBED_H

#include <stddef.h>

/* A text file compiled into the program (cmake/EmbedFiles.cmake). Tables end with name NULL. */
struct sm_embedded_file {
    const char *name;
    const char *text;
    size_t len;
};

#endif
