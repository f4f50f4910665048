#include "agent/agent.h"

int main(int argc, char** argv) {
  return ariadne::agent::RunAgent(argc, argv);
}
