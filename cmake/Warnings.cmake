# Strict warnings for the project's own code; generated code (asn1c) does not use this.
add_library(sm_warnings INTERFACE)
target_compile_options(sm_warnings INTERFACE
  -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wpointer-arith -Wvla -Wno-unused-parameter -fno-common)
if(ENABLE_WERROR)
  target_compile_options(sm_warnings INTERFACE -Werror)
endif()
target_compile_definitions(sm_warnings INTERFACE _GNU_SOURCE)
