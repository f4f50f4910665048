// The UDP transport: Jaeger agent datagrams (Agent.emitBatch) on a connected UDP socket. UDP has
// no answer: a datagram the kernel took counts as accepted; a send error (for example "connection
// refused", reported by ICMP for an earlier datagram) counts as failed.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "tracegen/transport.h"

namespace ariadne::tracegen {
namespace {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using tracecore::Status;

class UdpTransport final : public Transport {
 public:
  explicit UdpTransport(LoadCounters& counters) : counters_(counters), socket_(io_) {}

  Status Open(const TransportOptions& options) {
    boost::system::error_code error;
    udp::resolver resolver(io_);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port), error);
    if (error || endpoints.empty()) {
      return Status::InvalidArgument("--endpoint: cannot resolve '" + options.host +
                                     "': " + error.message());
    }
    const udp::endpoint endpoint = *endpoints.begin();
    socket_.open(endpoint.protocol(), error);
    if (!error) socket_.set_option(asio::socket_base::send_buffer_size(4 << 20), error);
    if (!error) socket_.connect(endpoint, error);
    if (error) {
      return Status::InvalidArgument("--endpoint: cannot open a UDP socket to " + options.host +
                                     ": " + error.message());
    }
    return Status::Ok();
  }

  void Send(std::string body, uint32_t spans) override {
    counters_.AddSent(spans);
    boost::system::error_code error;
    socket_.send(asio::buffer(body), 0, error);
    if (error) {
      counters_.AddFailed(spans, error == asio::error::connection_refused ? "refused" : "io");
    } else {
      counters_.AddAccepted(spans);
    }
  }

  void Drain() override {}

 private:
  LoadCounters& counters_;
  asio::io_context io_;
  udp::socket socket_;
};

}  // namespace

Status MakeUdpTransport(const TransportOptions& options, LoadCounters& counters,
                        std::unique_ptr<Transport>& out) {
  auto transport = std::make_unique<UdpTransport>(counters);
  ARIADNE_RETURN_IF_ERROR(transport->Open(options));
  out = std::move(transport);
  return Status::Ok();
}

}  // namespace ariadne::tracegen
