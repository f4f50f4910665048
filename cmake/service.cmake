# ariadne_add_service(<name> [LIBRARIES <targets>...])
#
# One executable per folder services/<name>/: its code is the static library ariadne_<name>
# (src/**/*.cc, public headers in include/), which the tests link, and the executable
# ariadne-<name> is only main.cc, which calls Run<Name>(argc, argv) from that library.
include_guard(GLOBAL)

function(ariadne_add_service name)
  cmake_parse_arguments(ARG "" "" "LIBRARIES" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cc)
  if(NOT sources OR NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/main.cc)
    message(STATUS "Ariadne: services/${name} has no sources or no main.cc yet; skipped")
    return()
  endif()
  add_library(ariadne_${name} STATIC ${sources})
  target_include_directories(ariadne_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(ariadne_${name} PUBLIC ${ARG_LIBRARIES})
  ariadne_set_warnings(ariadne_${name})

  add_executable(ariadne-${name} ${CMAKE_CURRENT_SOURCE_DIR}/main.cc)
  target_link_libraries(ariadne-${name} PRIVATE ariadne_${name})
  ariadne_set_warnings(ariadne-${name})
endfunction()
