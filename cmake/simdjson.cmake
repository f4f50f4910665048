# simdjson from Debian (libsimdjson-dev): the JSON parser behind every JSON decoder.
find_package(simdjson REQUIRED CONFIG)
