#include "tracecore/wire/thrift_reader.h"

namespace ariadne::tracecore::wire {

std::string_view ThriftTypeName(ThriftType type) {
  switch (type) {
    case ThriftType::kStop: return "stop";
    case ThriftType::kVoid: return "void";
    case ThriftType::kBool: return "bool";
    case ThriftType::kI8: return "i8";
    case ThriftType::kDouble: return "double";
    case ThriftType::kI16: return "i16";
    case ThriftType::kI32: return "i32";
    case ThriftType::kI64: return "i64";
    case ThriftType::kString: return "string";
    case ThriftType::kStruct: return "struct";
    case ThriftType::kMap: return "map";
    case ThriftType::kSet: return "set";
    case ThriftType::kList: return "list";
    case ThriftType::kUuid: return "uuid";
  }
  return "invalid";
}

}  // namespace ariadne::tracecore::wire
