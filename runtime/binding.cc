// Binding: the caller's feeds checked against the declared inputs, the outputs it asks
// for, and outputs written into tensors it provides.
#include <algorithm>
#include <cstring>

#include "runtime/plan.h"

namespace onnxi {

std::vector<Shape> validate_inputs(const ExecGraph& g, const std::map<std::string, Tensor>& feeds) {
  for (const auto& feed : feeds) {
    const std::string& name = feed.first;
    bool known = std::any_of(g.inputs.begin(), g.inputs.end(), [&](const IOInfo& io) { return io.name == name; });
    if (!known) {
      std::string names;
      for (const auto& io : g.inputs)
        if (!g.graph->initializers.count(io.name)) names += (names.empty() ? "" : ", ") + io.name;
      throw Error(Stage::Run, "unknown input '" + name + "' (the model's inputs are: " + names + ")", g.file_ctx());
    }
  }
  std::vector<Shape> shapes;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const IOInfo& io = g.inputs[i];
    auto it = feeds.find(io.name);
    if (it == feeds.end()) {
      if (g.input_required[i]) throw Error(Stage::Run, "missing input '" + io.name + "'", g.file_ctx());
      shapes.push_back(g.graph->initializers.at(io.name).shape());
      continue;
    }
    const Tensor& t = it->second;
    if (!t.defined()) throw Error(Stage::Run, "input '" + io.name + "' is an empty tensor handle", g.file_ctx());
    if (!t.is_tensor()) {
      // A sequence's dtype is its element type; an empty one read from a file may not
      // know it (Undefined), and is then given the declared type when run.
      const std::string what = std::string(t.is_none() ? "an " : "a ") + kind_name(t.kind()) + " of ";
      if (io.dtype != DType::Undefined && t.dtype() != DType::Undefined && t.dtype() != io.dtype)
        throw Error(Stage::Run,
                    "input '" + io.name + "' is " + what + std::string(dtype_name(t.dtype())) +
                        ", the model expects " + std::string(dtype_name(io.dtype)) + " elements",
                    g.file_ctx());
      shapes.push_back(kNonTensorShape);
      continue;
    }
    if (io.kind == "sequence" || io.kind == "map")
      throw Error(Stage::Run, "input '" + io.name + "' is a tensor, the model expects a " + io.kind,
                  g.file_ctx());
    if (io.dtype != DType::Undefined && t.dtype() != io.dtype)
      throw Error(Stage::Run,
                  "input '" + io.name + "' has type " + std::string(dtype_name(t.dtype())) + ", the model expects " +
                      std::string(dtype_name(io.dtype)),
                  g.file_ctx());
    if (io.has_shape) {
      bool ok = t.rank() == io.shape.size();
      for (size_t d = 0; ok && d < io.shape.size(); ++d)
        if (io.shape[d] >= 0 && io.shape[d] != t.shape()[d]) ok = false;
      if (!ok) {
        std::string want = "[";
        for (size_t d = 0; d < io.shape.size(); ++d) {
          if (d) want += ",";
          want += io.shape[d] >= 0 ? std::to_string(io.shape[d])
                                   : (io.dim_names[d].empty() ? std::string("?") : io.dim_names[d]);
        }
        want += "]";
        throw Error(Stage::Run,
                    "input '" + io.name + "' has shape " + shape_to_string(t.shape()) + ", the model expects " + want,
                    g.file_ctx());
      }
    }
    shapes.push_back(t.shape());
  }
  return shapes;
}

std::vector<int> select_outputs(const ExecGraph& g, const std::vector<std::string>& names) {
  if (names.empty()) return g.output_ids;
  std::vector<int> want;
  for (const auto& n : names) {
    auto it = std::find_if(g.outputs.begin(), g.outputs.end(), [&](const IOInfo& io) { return io.name == n; });
    if (it == g.outputs.end()) throw Error(Stage::Run, "unknown output '" + n + "'", g.file_ctx());
    want.push_back(g.output_ids[it - g.outputs.begin()]);
  }
  return want;
}

Tensor copy_to_bound(const ExecGraph& g, const std::string& name, const Tensor& t, Tensor& dst) {
  if (!t.is_tensor() || !dst.is_tensor())
    throw Error(Stage::Run, "output '" + name + "' is not a tensor and cannot be written into a given one",
                g.file_ctx());
  if (t.dtype() != dst.dtype() || t.shape() != dst.shape())
    throw Error(Stage::Run,
                "output '" + name + "' is " + std::string(dtype_name(t.dtype())) + " " + shape_to_string(t.shape()) +
                    ", the tensor given for it is " + std::string(dtype_name(dst.dtype())) + " " +
                    shape_to_string(dst.shape()),
                g.file_ctx());
  if (t.dtype() == DType::String) {
    if (&t.strings() != &dst.strings()) dst.strings() = t.strings();
  } else if (t.raw_data() != dst.raw_data() && t.nbytes()) {
    if (!dst.raw_data())
      throw Error(Stage::Run, "the tensor given for output '" + name + "' has no data", g.file_ctx());
    std::memcpy(dst.raw_data(), t.raw_data(), t.nbytes());
  }
  return dst;
}

}  // namespace onnxi
