// Kernel providers as records: a provider is a family of kernels (the reference kernels,
// XNNPACK's, oneDNN's, an application's custom ops) with one name and one priority.
// Each is defined once, as a constant-initialized `Provider`, and listed in the registry
// with ONNXI_REGISTER_PROVIDER; kernel registrations (ONNXI_REGISTER_KERNEL) name the
// record, and a built kernel knows the record of the registration that made it.
#pragma once
#include <string>
#include <vector>

namespace onnxi {

struct SessionOptions;

struct Provider {
  const char* name;         // "ref", "xnnpack", ...: what SessionOptions and `onnxi profile` say
  int priority;             // its kernels are tried before those of lower priority
  const char* description;  // one line, for `onnxi --help` and the docs
  // Its kernels may run on threads of their own rather than the session's pool (oneDNN's
  // OpenMP team); Kernel::runs_on_own_threads() defaults to this.
  bool own_threads = false;
  // Whether it works in this build on this machine (nullptr: always). Asked once, when a
  // kernel is first built; build_kernel skips the provider's registrations when false.
  bool (*available)() = nullptr;
  // Whether SessionOptions (force_provider, disabled_providers) and --provider may name it.
  bool selectable = true;

  bool is_available() const;
};

// The reference kernels: plain C++, every op. The provider build_kernel falls back to when
// a forced one declines, so the runtime defines it (runtime/provider.cc).
extern const Provider kRef;

class ProviderRegistry {
 public:
  static ProviderRegistry& global();
  // Throws Error on a second provider of the same name.
  void add(const Provider& p);
  // nullptr when no provider has that name.
  const Provider* find(const std::string& name) const;
  // Every registered provider, best (highest priority) first.
  std::vector<const Provider*> list() const;

 private:
  std::vector<const Provider*> providers_;
};

// ProviderRegistry::global().list().
std::vector<const Provider*> providers();

// Throws Error(Stage::Usage) when options name a provider that does not exist (listing
// those that do) or cannot be named, or force one they also disable.
void check_provider_options(const SessionOptions& options);
// False when `options` (may be null) disable the provider.
bool provider_enabled(const Provider& p, const SessionOptions* options);

namespace detail {
struct ProviderRegistrar {
  explicit ProviderRegistrar(const Provider& p);
};
}  // namespace detail

#define ONNXI_PROVIDER_CONCAT_INNER(a, b) a##b
#define ONNXI_PROVIDER_CONCAT(a, b) ONNXI_PROVIDER_CONCAT_INNER(a, b)
// Lists a provider record (defined with `constinit const Provider kName{...}`) in the registry.
#define ONNXI_REGISTER_PROVIDER(record) \
  static ::onnxi::detail::ProviderRegistrar ONNXI_PROVIDER_CONCAT(onnxi_provider_reg_, __COUNTER__)(record)

}  // namespace onnxi
