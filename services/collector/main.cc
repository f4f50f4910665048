#include "collector/collector.h"

int main(int argc, char** argv) {
  return ariadne::collector::RunCollector(argc, argv);
}
