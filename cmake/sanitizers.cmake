# ARIADNE_SANITIZE=ON builds everything with ASan + UBSan (the test script's fuzz build uses it).
if(ARIADNE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Fuzz builds instrument every first-party object for libFuzzer's coverage feedback.
if(ARIADNE_BUILD_FUZZERS)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
