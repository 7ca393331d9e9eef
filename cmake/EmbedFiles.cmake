# sm_embed_files(<output.c> <symbol> <file>...)
# Compiles text files (SQL migrations) into a C array of {name, text} so a daemon carries its
# own schema and never reads SQL from disk at run time.
function(sm_embed_files out symbol)
  set(files ${ARGN})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSYMBOL=${symbol} "-DFILES=${files}"
            -P ${CMAKE_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
