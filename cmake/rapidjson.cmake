# RapidJSON from Debian (rapidjson-dev), header-only: its Writer renders every JSON encoder's output.
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/writer.h REQUIRED)
add_library(ariadne_rapidjson INTERFACE)
target_include_directories(ariadne_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIR})
# std::string_view overloads in RapidJSON's writer and values.
target_compile_definitions(ariadne_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
