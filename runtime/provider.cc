#include "runtime/provider.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "onnxi/error.h"
#include "onnxi/session.h"

namespace onnxi {

constinit const Provider kRef{"ref", 0, "reference kernels: plain C++, every op (the fallback of a forced provider)"};
ONNXI_REGISTER_PROVIDER(kRef);

bool Provider::is_available() const {
  if (!available) return true;
  // Each provider's answer is asked once; the registry's records live for the process.
  static std::mutex mu;
  static std::vector<std::pair<const Provider*, bool>> known;
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& [p, ok] : known)
    if (p == this) return ok;
  bool ok = available();
  known.emplace_back(this, ok);
  return ok;
}

ProviderRegistry& ProviderRegistry::global() {
  static ProviderRegistry r;
  return r;
}

void ProviderRegistry::add(const Provider& p) {
  if (find(p.name)) throw Error(Stage::Usage, std::string("provider '") + p.name + "' is registered twice");
  providers_.push_back(&p);
  std::stable_sort(providers_.begin(), providers_.end(),
                   [](const Provider* a, const Provider* b) { return a->priority > b->priority; });
}

const Provider* ProviderRegistry::find(const std::string& name) const {
  for (const Provider* p : providers_)
    if (name == p->name) return p;
  return nullptr;
}

std::vector<const Provider*> ProviderRegistry::list() const { return providers_; }

std::vector<const Provider*> providers() { return ProviderRegistry::global().list(); }

detail::ProviderRegistrar::ProviderRegistrar(const Provider& p) { ProviderRegistry::global().add(p); }

namespace {

std::string selectable_names() {
  std::string s;
  for (const Provider* p : providers())
    if (p->selectable) s += std::string(s.empty() ? "" : ", ") + p->name;
  return s;
}

const Provider& require_selectable(const std::string& name, const char* option) {
  const Provider* p = ProviderRegistry::global().find(name);
  if (!p || !p->selectable)
    throw Error(Stage::Usage, std::string("SessionOptions::") + option + ": unknown provider '" + name +
                                  "' (this build has: " + selectable_names() + ")");
  return *p;
}

}  // namespace

void check_provider_options(const SessionOptions& options) {
  if (!options.force_provider.empty()) require_selectable(options.force_provider, "force_provider");
  for (const std::string& name : options.disabled_providers) {
    const Provider& p = require_selectable(name, "disabled_providers");
    if (&p == &kRef)
      throw Error(Stage::Usage, "SessionOptions::disabled_providers: the reference provider 'ref' cannot be "
                                "disabled (it is the one every op has)");
    if (name == options.force_provider)
      throw Error(Stage::Usage, "SessionOptions: provider '" + name + "' is both forced and disabled");
  }
}

bool provider_enabled(const Provider& p, const SessionOptions* options) {
  if (!options) return true;
  const auto& off = options->disabled_providers;
  return std::find(off.begin(), off.end(), p.name) == off.end();
}

// ---- public API (include/onnxi/session.h) ----

std::vector<std::string> default_disabled_providers() {
  // Compatibility: ONNXI_ONEDNN=0 has always switched the oneDNN provider off.
  const char* env = std::getenv("ONNXI_ONEDNN");
  if (env && std::strcmp(env, "0") == 0 && ProviderRegistry::global().find("onednn")) return {"onednn"};
  return {};
}

std::vector<ProviderInfo> available_providers() {
  std::vector<ProviderInfo> out;
  for (const Provider* p : providers())
    out.push_back({p->name, p->priority, p->description, p->own_threads, p->selectable});
  return out;
}

}  // namespace onnxi
