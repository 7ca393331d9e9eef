# ENABLE_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer on everything we build,
# with UBSan made fatal so a report fails the test that triggered it.
if(ENABLE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
