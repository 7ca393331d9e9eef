/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SMPP_INTERNAL_H
#define SMPP_INTERNAL_H

#include <stdarg.h>

#include "smpp/pp.h"

#endif
