// registered_operators(): what the registry implements, per (domain, op), against the table
// of ONNX operator versions (what `onnxi operators` prints and docs/operators.md shows).
#include <algorithm>
#include <map>
#include <set>

#include "onnxi/session.h"
#include "runtime/kernel.h"
#include "runtime/op_versions.h"
#include "runtime/passes/pass.h"

namespace onnxi {

std::vector<OperatorInfo> registered_operators() {
  const KernelRegistry& reg = KernelRegistry::global();
  // ai.onnx first, then the other domains by name.
  auto domain_key = [](const std::string& d) { return d.empty() ? std::string() : "~" + d; };
  std::map<std::pair<std::string, std::string>, std::vector<const KernelRegistration*>> ops;
  for (const KernelRegistration& r : reg.all())
    if (r.domain != kInternalDomain) ops[{domain_key(r.domain), r.op_type}].push_back(&r);
  std::vector<OperatorInfo> out;
  for (auto& [key, regs] : ops) {
    const KernelRegistration& first = *regs.front();
    OperatorInfo info;
    info.domain = first.domain.empty() ? "ai.onnx" : first.domain;
    info.op_type = first.op_type;
    info.versions = reg.implemented_versions(first.domain, first.op_type);
    std::stable_sort(regs.begin(), regs.end(),
                     [](auto* a, auto* b) { return a->provider->priority > b->provider->priority; });
    for (const KernelRegistration* r : regs)
      if (std::find(info.providers.begin(), info.providers.end(), r->provider->name) == info.providers.end())
        info.providers.push_back(r->provider->name);
    if (const std::vector<int64_t>* versions = op_schema_versions(first.domain, first.op_type)) {
      info.latest_version = versions->back();
      int64_t implemented_max = 0;
      for (const KernelRegistration* r : regs)
        if (!r->opset_range) implemented_max = std::max(implemented_max, r->until_version);
      for (int64_t v : *versions)
        if (v > implemented_max) info.missing_versions.push_back(v);
    }
    out.push_back(std::move(info));
  }
  return out;
}

int64_t latest_known_opset(const std::string& domain) { return known_max_opset(domain); }

}  // namespace onnxi
