/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMPP_INTERNAL_H
#define SMPP_INTERNAL_H

/* Deepest nesting of constructed TLVs accepted in a profile element (DER check). */
#define SM_PP_MAX_DEPTH 32

#include <stdarg.h>

#include "smpp/pp.h"

#endif
