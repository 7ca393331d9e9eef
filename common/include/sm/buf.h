/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SM_BUF_H
#define SM_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Owned, growable byte buffer.
 *
 * The struct owns data; sm_buf_free() or sm_buf_clear_free() releases it, sm_buf_take() hands it
 * to the caller. The contents are always followed by one NUL byte (not counted in len) so text
 * can be used as a C string. A buffer marked secure never leaves an unwiped copy behind: growth
 * copies into a new block and wipes the old one, and freeing wipes.
 */
struct sm_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit; /* 0: no limit; otherwise appends past it fail with -EMSGSIZE */
    bool secure;
};

#define SM_BUF_INIT                                                                                \
    {                                                                                              \
        0                                                                                          \
    }

/* Make room for extra more bytes. Returns 0, -ENOMEM, or -EMSGSIZE when over the limit. */
int sm_buf_reserve(struct sm_buf *b, size_t extra);
/* Append n bytes. Returns 0, -ENOMEM or -EMSGSIZE; on error the buffer is unchanged. */
int sm_buf_append(struct sm_buf *b, const void *p, size_t n);
int sm_buf_append_byte(struct sm_buf *b, uint8_t v);
int sm_buf_append_str(struct sm_buf *b, const char *s);
/* Append formatted text. Returns 0, -ENOMEM or -EMSGSIZE. */
int sm_buf_printf(struct sm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sm_buf_vprintf(struct sm_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Append bytes as lowercase hex. */
int sm_buf_append_hex(struct sm_buf *b, const uint8_t *p, size_t n);
/* Text view of the contents: never NULL ("" when empty). Valid until the next change. */
const char *sm_buf_cstr(const struct sm_buf *b);
/* Forget the contents but keep the allocation (wiped first when secure). */
void sm_buf_reset(struct sm_buf *b);
/* Give the allocation to the caller (free with free(), or sm_wipe_free() when secure); the buffer
 * is left empty. *len receives the length if len is not NULL. Returns NULL when empty. */
uint8_t *sm_buf_take(struct sm_buf *b, size_t *len);
/* Release the allocation; wipes it first when the buffer is secure. */
void sm_buf_free(struct sm_buf *b);
/* Wipe the whole allocation, then release it, whatever the secure flag says. */
void sm_buf_clear_free(struct sm_buf *b);

/* Wipe n bytes in a way the compiler cannot optimise away. */
void sm_wipe(void *p, size_t n);
/* Wipe n bytes then free(p). NULL is allowed. */
void sm_wipe_free(void *p, size_t n);

#endif
