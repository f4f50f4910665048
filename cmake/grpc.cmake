# Ariadne: locate gRPC C++ (library + grpc_cpp_plugin).
#
# Provides:
#   gRPC::grpc++                   C++ gRPC runtime (imported target)
#   gRPC::grpc++_reflection        server reflection, when available
#   ARIADNE_GRPC_CPP_PLUGIN        path to grpc_cpp_plugin
# Uses gRPCConfig.cmake when present (Debian 12 ships one), otherwise
# falls back to pkg-config (grpc++).
include_guard(GLOBAL)

find_package(gRPC CONFIG QUIET)

if(TARGET gRPC::grpc++)
  message(STATUS "Ariadne: gRPC ${gRPC_VERSION} (CMake config)")
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(ARIADNE_GRPCPP REQUIRED IMPORTED_TARGET grpc++)
  add_library(gRPC::grpc++ INTERFACE IMPORTED)
  set_target_properties(gRPC::grpc++ PROPERTIES
    INTERFACE_LINK_LIBRARIES PkgConfig::ARIADNE_GRPCPP)
  find_library(ARIADNE_GRPCPP_REFLECTION_LIB grpc++_reflection)
  if(ARIADNE_GRPCPP_REFLECTION_LIB)
    add_library(gRPC::grpc++_reflection UNKNOWN IMPORTED)
    set_target_properties(gRPC::grpc++_reflection PROPERTIES
      IMPORTED_LOCATION "${ARIADNE_GRPCPP_REFLECTION_LIB}"
      INTERFACE_LINK_LIBRARIES gRPC::grpc++)
  endif()
  message(STATUS "Ariadne: gRPC ${ARIADNE_GRPCPP_VERSION} (pkg-config)")
endif()

# The plugin: prefer a plain PATH lookup (works for both discovery modes and
# avoids per-configuration imported locations).
find_program(ARIADNE_GRPC_CPP_PLUGIN grpc_cpp_plugin)
if(NOT ARIADNE_GRPC_CPP_PLUGIN AND TARGET gRPC::grpc_cpp_plugin)
  get_target_property(_ariadne_plugin_cfgs gRPC::grpc_cpp_plugin IMPORTED_CONFIGURATIONS)
  foreach(_cfg IN LISTS _ariadne_plugin_cfgs)
    get_target_property(_loc gRPC::grpc_cpp_plugin IMPORTED_LOCATION_${_cfg})
    if(_loc AND EXISTS "${_loc}")
      set(ARIADNE_GRPC_CPP_PLUGIN "${_loc}" CACHE FILEPATH "grpc_cpp_plugin" FORCE)
      break()
    endif()
  endforeach()
endif()
if(NOT ARIADNE_GRPC_CPP_PLUGIN)
  message(FATAL_ERROR "grpc_cpp_plugin not found (install protobuf-compiler-grpc)")
endif()
message(STATUS "Ariadne: grpc_cpp_plugin ${ARIADNE_GRPC_CPP_PLUGIN}")
