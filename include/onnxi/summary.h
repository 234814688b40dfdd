// Public C++ API: a summary of a model file (opsets, inputs and outputs, op histogram,
// unsupported ops) that does not need every op to be supported.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "onnxi/session.h"

namespace onnxi {

// A summary of a model that does not need every op to be supported.
struct ModelSummary {
  std::string path;
  int64_t ir_version = 0;
  std::string producer;
  std::map<std::string, int64_t> opsets;
  std::vector<IOInfo> inputs, outputs;
  std::map<std::string, size_t> op_histogram;  // "domain::op" or "op" -> count
  size_t initializer_count = 0;
  size_t initializer_bytes = 0;
  // One entry per unsupported (domain, op, opset) with the reason, e.g. "ai.onnx::Pad at
  // opset 25 (schema version 25, onnxi implements versions 1, 2, 11, 13)".
  std::vector<std::string> unsupported;
};

ModelSummary summarize_model(const std::string& path);

}  // namespace onnxi
