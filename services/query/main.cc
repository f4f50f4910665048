#include "query/query.h"

int main(int argc, char** argv) {
  return ariadne::query::RunQuery(argc, argv);
}
