# Ariadne: locate Protocol Buffers (compiler + C++ runtime).
#
# Provides (from CMake's FindProtobuf module):
#   protobuf::libprotobuf          C++ runtime library
#   Protobuf_PROTOC_EXECUTABLE     path to protoc
#   Protobuf_INCLUDE_DIRS          include dir holding google/protobuf/*.proto
include_guard(GLOBAL)

find_package(Protobuf REQUIRED)

if(NOT Protobuf_PROTOC_EXECUTABLE)
  message(FATAL_ERROR "protoc not found (install protobuf-compiler)")
endif()

# Directory with the well-known types (timestamp.proto, duration.proto).
find_path(ARIADNE_PROTOBUF_WKT_DIR google/protobuf/timestamp.proto
  HINTS ${Protobuf_INCLUDE_DIRS})
if(NOT ARIADNE_PROTOBUF_WKT_DIR)
  message(FATAL_ERROR "google/protobuf/timestamp.proto not found")
endif()

message(STATUS "Ariadne: protobuf ${Protobuf_VERSION}, protoc ${Protobuf_PROTOC_EXECUTABLE}")
