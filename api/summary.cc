// summarize_model: what `onnxi info` shows, without needing every op to be supported.
#include <functional>

#include "onnx/loader.h"
#include "onnxi/session.h"
#include "onnxi/summary.h"
#include "runtime/kernel.h"
#include "runtime/session_internal.h"

namespace onnxi {

ModelSummary summarize_model(const std::string& path) {
  Model m = load_model_file(path);
  ModelSummary s;
  s.path = path;
  s.ir_version = m.ir_version;
  s.producer = m.producer_name + (m.producer_version.empty() ? "" : " " + m.producer_version);
  s.opsets = m.opsets;
  for (const auto& vi : m.graph->inputs)
    if (!m.graph->initializers.count(vi.name)) s.inputs.push_back(to_io_info(vi));
  for (const auto& vi : m.graph->outputs) s.outputs.push_back(to_io_info(vi));
  for (const auto& [name, t] : m.graph->initializers) {
    s.initializer_count++;
    if (t.dtype() != DType::String) s.initializer_bytes += t.nbytes();
  }
  // Walk the graph and its subgraphs.
  std::function<void(const Graph&)> walk = [&](const Graph& g) {
    for (const auto& n : g.nodes) {
      std::string key = n.domain.empty() ? n.op_type : n.domain + "::" + n.op_type;
      s.op_histogram[key]++;
      int64_t opset = m.opset_for(n.domain);
      std::string entry = KernelRegistry::global().unsupported_reason(n.domain, n.op_type, opset);
      if (!entry.empty() && std::find(s.unsupported.begin(), s.unsupported.end(), entry) == s.unsupported.end())
        s.unsupported.push_back(entry);
      for (const auto& [an, a] : n.attributes) {
        if (a.g) walk(*a.g);
        for (const auto& sg : a.graphs)
          if (sg) walk(*sg);
      }
    }
  };
  walk(*m.graph);
  return s;
}

}  // namespace onnxi
