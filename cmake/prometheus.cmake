# Ariadne: locate prometheus-cpp (core: registry, counters, gauges, histograms, text serializer).
#
# Provides: prometheus-cpp::core
# Uses the system's CMake package when present (Debian 13, Ubuntu 24.04), otherwise the copy that
# scripts/install-prometheus-cpp.sh unpacks from Debian 13 under $ARIADNE_DEPS (/opt/ariadne-deps).
include_guard(GLOBAL)

find_package(prometheus-cpp CONFIG QUIET COMPONENTS core)
if(TARGET prometheus-cpp::core)
  message(STATUS "Ariadne: prometheus-cpp ${prometheus-cpp_VERSION} (system)")
  return()
endif()

if(DEFINED ENV{ARIADNE_DEPS})
  set(_ariadne_deps "$ENV{ARIADNE_DEPS}")
else()
  set(_ariadne_deps "/opt/ariadne-deps")
endif()
set(_prefix "${_ariadne_deps}/prometheus-cpp/usr")
find_path(ARIADNE_PROMETHEUS_INCLUDE_DIR prometheus/registry.h PATHS "${_prefix}/include" NO_DEFAULT_PATH)
find_library(ARIADNE_PROMETHEUS_CORE_LIB
  NAMES libprometheus-cpp-core.so.1.0 prometheus-cpp-core
  PATHS "${_prefix}/lib/x86_64-linux-gnu" "${_prefix}/lib" NO_DEFAULT_PATH)
if(NOT ARIADNE_PROMETHEUS_INCLUDE_DIR OR NOT ARIADNE_PROMETHEUS_CORE_LIB)
  message(FATAL_ERROR
    "prometheus-cpp not found: run scripts/setup.sh (it calls scripts/install-prometheus-cpp.sh), "
    "or set ARIADNE_DEPS to the folder that holds prometheus-cpp/")
endif()
add_library(prometheus-cpp::core SHARED IMPORTED)
set_target_properties(prometheus-cpp::core PROPERTIES
  IMPORTED_LOCATION "${ARIADNE_PROMETHEUS_CORE_LIB}"
  IMPORTED_NO_SONAME OFF
  INTERFACE_INCLUDE_DIRECTORIES "${ARIADNE_PROMETHEUS_INCLUDE_DIR}")
message(STATUS "Ariadne: prometheus-cpp (${ARIADNE_PROMETHEUS_CORE_LIB})")
