// ModelProto -> Graph. The only part of onnxi (with tensor_proto.cc) that sees protobuf.
#pragma once
#include <string>

#include "runtime/graph.h"

namespace onnxi {

struct LoadOptions {
  // Largest tensor (bytes) an initializer may declare; larger is a load error.
  int64_t max_tensor_bytes = int64_t(16) << 30;
  // Deepest subgraph nesting accepted.
  int max_subgraph_depth = 64;
};

// Loads a model from a file. External data files are resolved relative to the model's
// directory and may not escape it. Throws Error(Stage::Load) naming the file and problem.
Model load_model_file(const std::string& path, const LoadOptions& options = {});
// Loads from memory; external data (if any) is resolved relative to `base_dir` (and is
// refused when base_dir is empty). `name` is used in messages.
Model load_model_bytes(const void* data, size_t size, const std::string& name = "<memory>",
                       const std::string& base_dir = "", const LoadOptions& options = {});

}  // namespace onnxi
