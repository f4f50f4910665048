// ShutdownSignal: SIGTERM and SIGINT as an orderly "stop" request for a service's main thread.
#pragma once

namespace ariadne::runtime {

class ShutdownSignal {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread. Call first thing in Run<Service>(), before any
  // thread starts, so that every thread inherits the mask and only Wait() sees the signals.
  ShutdownSignal();

  // Blocks until SIGTERM or SIGINT arrives; returns its number.
  int Wait();
};

}  // namespace ariadne::runtime
