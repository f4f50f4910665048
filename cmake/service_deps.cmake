# Ariadne: the libraries the services share (Debian 12 packages, each with its CMake package).
#
# Provides: Boost::headers (Beast, Asio), OpenSSL::SSL, ZLIB::ZLIB, spdlog::spdlog, yaml-cpp,
#           CLI11::CLI11, Threads::Threads, absl::flat_hash_map and
#           absl::flat_hash_set (Abseil, which gRPC also uses);
#           RocksDB is left to libs/storage.
include_guard(GLOBAL)

find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(absl REQUIRED)
