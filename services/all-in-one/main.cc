#include "all_in_one/all_in_one.h"

int main(int argc, char** argv) {
  return ariadne::all_in_one::RunAllInOne(argc, argv);
}
