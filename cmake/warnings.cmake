# ariadne_set_warnings(<target>): the warning set every first-party target compiles with.
# Generated code (protoc, Thrift) is compiled without it.
function(ariadne_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wimplicit-fallthrough -Werror=return-type)
endfunction()
