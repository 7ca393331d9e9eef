# sm_asn1c_library(<target> <module.asn>)
# Compiles an ASN.1 module with asn1c 0.9.28 (docs: toolchain notes) into a static library.
# - configure time: asn1c runs once in a probe directory so CMake knows which .c/.h it emits
#   (asn1c names its outputs after the module's types and copies its runtime skeletons);
# - build time: the sources are regenerated into <binary dir>/gen whenever the module changes;
# - the generated C builds with warnings off and is exported with -isystem, so the project's
#   -Wall -Werror code can include it. converter-sample.c (a main()) is left out.
# This file doubles as the build-time generator: cmake -DMODULE=.. -DOUT=.. -P Asn1c.cmake

set(SM_ASN1C_FLAGS -fcompound-names -fno-include-deps)

if(CMAKE_SCRIPT_MODE_FILE)
  # Build-time step: fresh directory, asn1c's chatter on stderr dropped unless it fails.
  file(REMOVE_RECURSE ${OUT})
  file(MAKE_DIRECTORY ${OUT})
  execute_process(COMMAND ${ASN1C} ${SM_ASN1C_FLAGS} ${MODULE}
                  WORKING_DIRECTORY ${OUT}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "asn1c failed on ${MODULE}:\n${err}")
  endif()
  # Fixes to asn1c 0.9.28's output; each must apply (a different asn1c fails loudly here).
  # 1. X_inherit_TYPE_descriptor(), run by the first free/print/decode of a constrained alias
  #    (UInt8 ::= INTEGER (0..255), ApplicationIdentifier ...), replaces the type's
  #    check_constraints with its base type's, so asn_check_constraints() silently stops
  #    checking ranges and sizes. Keep the own checker (unconstrained aliases switch to the
  #    base checker inside X_constraint() themselves).
  # 2. ber_decode(NULL ctx) limits decoder stack use to 30000 bytes; a file-system PE needs
  #    ~34 KB in an unoptimised clang ASan build (~4 KB at -O2) and then fails as "stack
  #    overflow". 128 KiB still stops hostile nesting long before a thread's stack ends.
  function(sm_asn1c_patch files regex replacement)
    set(hits 0)
    foreach(src ${files})
      file(READ ${src} text)
      string(REGEX REPLACE "${regex}" "${replacement}" fixed "${text}")
      if(NOT fixed STREQUAL text)
        file(WRITE ${src} "${fixed}")
        math(EXPR hits "${hits} + 1")
      endif()
    endforeach()
    if(hits EQUAL 0)
      message(FATAL_ERROR "asn1c output changed: pattern '${regex}' not found")
    endif()
  endfunction()
  file(GLOB sources ${OUT}/*.c)
  sm_asn1c_patch("${sources}"
    "\ttd->check_constraints = asn_DEF_[A-Za-z0-9_]+\\.check_constraints;\n(\ttd->ber_decoder)"
    "\\1")
  sm_asn1c_patch(${OUT}/asn_internal.h "(#define[ \t]+ASN__DEFAULT_STACK_MAX[ \t]+)\\(30000\\)"
    "\\1(131072)")
  return()
endif()

include_guard(GLOBAL)
find_program(ASN1C_EXECUTABLE asn1c)
if(NOT ASN1C_EXECUTABLE)
  message(FATAL_ERROR "asn1c not found (Debian package asn1c, see cmake/install-deps.sh)")
endif()
set(SM_ASN1C_SCRIPT ${CMAKE_CURRENT_LIST_FILE} CACHE INTERNAL "the asn1c build-time step")

function(sm_asn1c_library target module)
  get_filename_component(module ${module} ABSOLUTE)
  set(probe ${CMAKE_CURRENT_BINARY_DIR}/asn1c-probe)
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/gen)

  file(REMOVE_RECURSE ${probe})
  file(MAKE_DIRECTORY ${probe})
  execute_process(COMMAND ${ASN1C_EXECUTABLE} ${SM_ASN1C_FLAGS} ${module}
                  WORKING_DIRECTORY ${probe}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "asn1c failed on ${module}:\n${err}")
  endif()
  file(GLOB c_names RELATIVE ${probe} ${probe}/*.c)
  file(GLOB h_names RELATIVE ${probe} ${probe}/*.h)
  list(REMOVE_ITEM c_names converter-sample.c)
  file(REMOVE_RECURSE ${probe})
  if(NOT c_names)
    message(FATAL_ERROR "asn1c produced no C files for ${module}")
  endif()
  # a changed module may change the file list: configure again then
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${module})

  list(TRANSFORM c_names PREPEND ${gen}/ OUTPUT_VARIABLE c_files)
  list(TRANSFORM h_names PREPEND ${gen}/ OUTPUT_VARIABLE h_files)
  add_custom_command(
    OUTPUT ${c_files} ${h_files}
    COMMAND ${CMAKE_COMMAND} -DASN1C=${ASN1C_EXECUTABLE} -DMODULE=${module} -DOUT=${gen}
            -P ${SM_ASN1C_SCRIPT}
    DEPENDS ${module} ${SM_ASN1C_SCRIPT}
    COMMENT "asn1c ${module}"
    VERBATIM)

  add_library(${target} STATIC ${c_files} ${h_files})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # generated code: no warnings, no static analysis
  target_compile_options(${target} PRIVATE -w)
  # asn1c bounds its recursion by comparing stack addresses (ASN__STACK_OVERFLOW_CHECK); with
  # ASan's fake stacks (detect_stack_use_after_return, set by test.sh) every decode then looks
  # like a stack overflow and fails. Keep the generated code's locals on the real stack.
  target_compile_options(${target} PRIVATE
    $<$<C_COMPILER_ID:GNU>:--param=asan-use-after-return=0>
    $<$<C_COMPILER_ID:Clang>:-fsanitize-address-use-after-return=never>)
  # UBSan (ENABLE_SANITIZE, ENABLE_FUZZ): asn1c's runtime shifts negative and sign-bit values
  # (INTEGER.c, ber_tlv_length.c) and adds 0 to NULL (UTF8String.c) on ordinary input. Those
  # three checks are off for generated code only; ASan and the other UBSan checks stay on.
  target_compile_options(${target} PRIVATE
    -fno-sanitize=shift,signed-integer-overflow,pointer-overflow)
  set_target_properties(${target} PROPERTIES C_CLANG_TIDY "" C_CPPCHECK "")
  target_compile_definitions(${target} PUBLIC _DEFAULT_SOURCE)
  target_include_directories(${target} SYSTEM PUBLIC ${gen})
endfunction()
