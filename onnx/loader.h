// ModelProto -> Graph. The only part of onnxi (with tensor_proto.cc) that sees protobuf.
//
// How ONNX maps onto ir/graph.h:
// - Opsets: "ai.onnx" and "" are both stored as "". A model without opset_import is an
//   error from IR version 3 on (when the field was introduced); older models get ai.onnx
//   opset 1. Every node's domain must be imported.
// - Values: ValueInfo.kind is "tensor", "sparse_tensor", "sequence", "optional", "map" or
//   "opaque". For sequence/optional/map, dtype and shape are those of the innermost tensor
//   type (a map's value type; its key type is not kept). No type at all: dtype Undefined,
//   has_shape false. A negative dim_value is read as an unknown dim.
// - Attributes: SPARSE_TENSOR(S) become dense Kind::Tensor(s). TYPE_PROTO becomes
//   Kind::TypeProto with `s` describing the type ("tensor(float32)", "seq(tensor(int64))");
//   TYPE_PROTOS also Kind::TypeProto, with one description per entry in `strings`.
//   Attributes without a `type` (old writers) get the kind of the field that is set.
// - Initializers: sparse_initializer entries are converted to dense initializers.
//   Constant nodes stay nodes.
// - Not kept: model-local functions (ModelProto.functions), training_info, doc strings
//   below the model, quantization annotations.
// - Checked: duplicate graph inputs, outputs, initializers, value_info entries, node
//   outputs (within one graph), node outputs that redefine an input or initializer,
//   duplicate attribute names, duplicate opset domains and metadata keys, every tensor's
//   data against its shape. Not checked here: undefined inputs and cycles
//   (topological_order does that).
#pragma once
#include <string>

#include "ir/graph.h"

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
