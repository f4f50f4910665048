# Ariadne: locate Apache Thrift (compiler + C++ library).
#
# Provides:
#   Thrift::thrift                 libthrift (imported target, with includes)
#   THRIFT_EXECUTABLE              path to the thrift compiler
include_guard(GLOBAL)

find_program(THRIFT_EXECUTABLE thrift)
if(NOT THRIFT_EXECUTABLE)
  message(FATAL_ERROR "thrift compiler not found (install thrift-compiler)")
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(ARIADNE_PC_THRIFT QUIET thrift)
endif()

find_path(ARIADNE_THRIFT_INCLUDE_DIR thrift/Thrift.h
  HINTS ${ARIADNE_PC_THRIFT_INCLUDE_DIRS})
find_library(ARIADNE_THRIFT_LIBRARY thrift
  HINTS ${ARIADNE_PC_THRIFT_LIBRARY_DIRS})
if(NOT ARIADNE_THRIFT_INCLUDE_DIR OR NOT ARIADNE_THRIFT_LIBRARY)
  message(FATAL_ERROR "libthrift not found (install libthrift-dev)")
endif()

find_package(Threads REQUIRED)

if(NOT TARGET Thrift::thrift)
  add_library(Thrift::thrift UNKNOWN IMPORTED)
  set_target_properties(Thrift::thrift PROPERTIES
    IMPORTED_LOCATION "${ARIADNE_THRIFT_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${ARIADNE_THRIFT_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()

message(STATUS "Ariadne: thrift ${ARIADNE_PC_THRIFT_VERSION} (${THRIFT_EXECUTABLE}, ${ARIADNE_THRIFT_LIBRARY})")
