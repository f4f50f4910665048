// ariadne-tracegen: the load generator (docs/tracegen.md). Everything lives in ariadne_tracegen.
#include "tracegen/tracegen.h"

int main(int argc, char** argv) {
  return ariadne::tracegen::RunTracegen(argc, argv);
}
