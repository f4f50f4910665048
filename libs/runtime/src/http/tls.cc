#include "runtime/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tls_context.h"

namespace ariadne::runtime {
namespace {

namespace ssl = boost::asio::ssl;
using tracecore::Status;

constexpr size_t kMaxPemBytes = 1 << 20;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The flag that names one of the options: "<prefix>.<suffix>".
std::string Flag(std::string_view prefix, std::string_view suffix) {
  std::string flag(prefix);
  if (flag.empty()) flag = "tls";
  flag += '.';
  flag += suffix;
  return flag;
}

// The oldest entry of OpenSSL's error queue as text (the queue is cleared).
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Status ReadPemFile(const std::string& path, const std::string& flag, std::string& out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Status::InvalidArgument(flag + ": cannot read " + path + ": " + std::strerror(errno));
  }
  out.clear();
  char chunk[16384];
  size_t read = 0;
  while ((read = std::fread(chunk, 1, sizeof(chunk), file)) > 0 && out.size() <= kMaxPemBytes) {
    out.append(chunk, read);
  }
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) {
    return Status::InvalidArgument(flag + ": cannot read " + path + ": " + std::strerror(error));
  }
  if (out.size() > kMaxPemBytes) {
    return Status::InvalidArgument(
        flag + ": " + path + " is larger than 1 MiB; give a PEM file of certificates or a key");
  }
  return {};
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate of a PEM text, in order.
std::vector<X509Ptr> ParseCertificates(const std::string& pem) {
  std::vector<X509Ptr> certificates;
  const BioPtr bio = MemoryBio(pem);
  while (bio != nullptr) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) break;
    certificates.push_back(std::move(cert));
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return certificates;
}

// Never prompts for a passphrase: encrypted keys fail to load.
int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) {
  return -1;
}

PkeyPtr ParsePrivateKey(const std::string& pem) {
  const BioPtr bio = MemoryBio(pem);
  if (bio == nullptr) return nullptr;
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  return key;
}

int MinProtocolVersion(const std::string& version) {
  if (version == "1.2") return TLS1_2_VERSION;
  if (version == "1.3") return TLS1_3_VERSION;
  return 0;
}

// The checked contents of the files the options name.
struct TlsMaterial {
  std::string cert_pem, key_pem, ca_pem;
  std::vector<X509Ptr> ca_certificates;
  int min_version = 0;
};

Status LoadCertificateAndKey(const TlsOptions& options, std::string_view prefix,
                             TlsMaterial& material) {
  const std::string cert_flag = Flag(prefix, "cert");
  const std::string key_flag = Flag(prefix, "key");
  ARIADNE_RETURN_IF_ERROR(ReadPemFile(options.cert_file, cert_flag, material.cert_pem));
  ARIADNE_RETURN_IF_ERROR(ReadPemFile(options.key_file, key_flag, material.key_pem));
  const std::vector<X509Ptr> chain = ParseCertificates(material.cert_pem);
  if (chain.empty()) {
    return Status::InvalidArgument(cert_flag + ": " + options.cert_file +
                                   " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  const PkeyPtr key = ParsePrivateKey(material.key_pem);
  if (key == nullptr) {
    return Status::InvalidArgument(
        key_flag + ": " + options.key_file +
        " holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)");
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(key_flag + ": the key in " + options.key_file +
                                   " does not belong to the certificate in " + options.cert_file);
  }
  return {};
}

Status LoadTlsMaterial(const TlsOptions& options, std::string_view prefix, bool server,
                       TlsMaterial& material) {
  const bool names_files =
      !options.cert_file.empty() || !options.key_file.empty() || !options.client_ca_file.empty();
  if (!options.enabled) {
    if (!names_files) return {};
    return Status::InvalidArgument(Flag(prefix, "cert") + ", " + Flag(prefix, "key") + " and " +
                                   Flag(prefix, "client-ca") + " need " + Flag(prefix, "enabled") +
                                   "=true; enable TLS or remove the TLS file options");
  }
  material.min_version = MinProtocolVersion(options.min_version);
  if (material.min_version == 0) {
    return Status::InvalidArgument(Flag(prefix, "min-version") + ": unknown TLS version \"" +
                                   options.min_version + "\"; use 1.2 or 1.3");
  }
  const bool has_cert = !options.cert_file.empty();
  const bool has_key = !options.key_file.empty();
  if (server && !has_cert) {
    return Status::InvalidArgument(Flag(prefix, "cert") + ": required when " +
                                   Flag(prefix, "enabled") + "=true");
  }
  if (has_cert != has_key) {
    return Status::InvalidArgument(Flag(prefix, has_cert ? "key" : "cert") + ": required with " +
                                   Flag(prefix, has_cert ? "cert" : "key"));
  }
  if (has_cert) ARIADNE_RETURN_IF_ERROR(LoadCertificateAndKey(options, prefix, material));
  if (!options.client_ca_file.empty()) {
    const std::string ca_flag = Flag(prefix, "client-ca");
    ARIADNE_RETURN_IF_ERROR(ReadPemFile(options.client_ca_file, ca_flag, material.ca_pem));
    material.ca_certificates = ParseCertificates(material.ca_pem);
    if (material.ca_certificates.empty()) {
      return Status::InvalidArgument(ca_flag + ": " + options.client_ca_file +
                                     " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
  }
  return {};
}

Status ContextError(std::string_view prefix, std::string_view what) {
  return Status::InvalidArgument(std::string(prefix.empty() ? "tls" : prefix) + ": cannot " +
                                 std::string(what) + ": " + OpenSslError());
}

Status UseCertificateAndKey(const TlsMaterial& material, std::string_view prefix,
                            ssl::context& context) {
  boost::system::error_code ec;
  context.use_certificate_chain(boost::asio::buffer(material.cert_pem), ec);
  if (ec) return ContextError(prefix, "use the certificate chain");
  context.use_private_key(boost::asio::buffer(material.key_pem), ssl::context::pem, ec);
  if (ec) return ContextError(prefix, "use the private key");
  return {};
}

Status TrustCertificates(const TlsMaterial& material, std::string_view prefix, bool client_names,
                         ssl::context& context) {
  X509_STORE* store = SSL_CTX_get_cert_store(context.native_handle());
  for (const X509Ptr& cert : material.ca_certificates) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
      return ContextError(prefix, "add a CA certificate");
    }
    if (client_names && SSL_CTX_add_client_CA(context.native_handle(), cert.get()) != 1) {
      return ContextError(prefix, "announce a client CA");
    }
  }
  return {};
}

void ConfigureProtocols(const TlsMaterial& material, ssl::context& context) {
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context.native_handle(), material.min_version);
}

}  // namespace

Status ValidateTlsOptions(const TlsOptions& options, std::string_view flag_prefix) {
  TlsMaterial material;
  return LoadTlsMaterial(options, flag_prefix, /*server=*/true, material);
}

Status ValidateTlsClientOptions(const TlsOptions& options, std::string_view flag_prefix) {
  TlsMaterial material;
  return LoadTlsMaterial(options, flag_prefix, /*server=*/false, material);
}

namespace http_internal {

Status MakeServerSslContext(const TlsOptions& options, std::string_view flag_prefix,
                            std::unique_ptr<ssl::context>& out) {
  TlsMaterial material;
  ARIADNE_RETURN_IF_ERROR(LoadTlsMaterial(options, flag_prefix, /*server=*/true, material));
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  ConfigureProtocols(material, *context);
  ARIADNE_RETURN_IF_ERROR(UseCertificateAndKey(material, flag_prefix, *context));
  if (!material.ca_certificates.empty()) {
    ARIADNE_RETURN_IF_ERROR(TrustCertificates(material, flag_prefix, true, *context));
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    // Needed for session resumption when clients are verified.
    static constexpr unsigned char kSessionContext[] = "ariadne";
    SSL_CTX_set_session_id_context(context->native_handle(), kSessionContext,
                                   sizeof(kSessionContext) - 1);
  }
  out = std::move(context);
  return {};
}

Status MakeClientSslContext(const TlsOptions& options, std::string_view flag_prefix,
                            std::unique_ptr<ssl::context>& out) {
  TlsMaterial material;
  ARIADNE_RETURN_IF_ERROR(LoadTlsMaterial(options, flag_prefix, /*server=*/false, material));
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  ConfigureProtocols(material, *context);
  if (!material.cert_pem.empty()) {
    ARIADNE_RETURN_IF_ERROR(UseCertificateAndKey(material, flag_prefix, *context));
  }
  if (material.ca_certificates.empty()) {
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) return ContextError(flag_prefix, "load the system's trust store");
  } else {
    ARIADNE_RETURN_IF_ERROR(TrustCertificates(material, flag_prefix, false, *context));
  }
  context->set_verify_mode(ssl::verify_peer);
  out = std::move(context);
  return {};
}

}  // namespace http_internal
}  // namespace ariadne::runtime
