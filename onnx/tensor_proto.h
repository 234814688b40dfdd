// TensorProto <-> Tensor conversion, shared by the model loader and the .pb tensor files.
// Internal to onnx/: the only other place (with loader.cc) that includes protobuf headers.
#pragma once
// onnx_pb.h defines ONNX_API, which onnx-ml.pb.h needs, then includes onnx-ml.pb.h.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "onnxi/tensor.h"

namespace onnxi::detail {

struct TensorReadOptions {
  Stage stage = Stage::Load;  // stage of the errors thrown
  std::string file;           // model or tensor file named in errors
  int64_t max_tensor_bytes = int64_t(16) << 30;
  // Directory that external data locations are relative to; empty refuses external data.
  std::string external_base_dir;
};

// Makes text from a file safe for a one-line message: control bytes become \xNN and
// text longer than `max_bytes` is cut (at a UTF-8 character boundary) and ends in "...".
std::string printable(std::string_view text, size_t max_bytes = SIZE_MAX);

// Converts a TensorProto (raw_data, typed fields or external data) to a Tensor, checking
// that the data matches the shape exactly. Throws Error(options.stage) on any problem.
Tensor tensor_from_proto(const onnx::TensorProto& proto, const TensorReadOptions& options);
// The same for a TensorProto that was parsed without its raw_data field, which holds
// `raw_size` bytes: they get the checks and messages they would get in the proto, then
// `read_raw(dst)` copies them into the new tensor's storage (or throws an Error). The
// proto itself must not have raw_data.
Tensor tensor_from_proto(const onnx::TensorProto& proto, size_t raw_size,
                         const std::function<void(void* dst)>& read_raw, const TensorReadOptions& options);

// Converts a SparseTensorProto (values [NNZ] and indices [NNZ] linear or [NNZ, rank]) to a
// dense Tensor with zeros (empty strings) elsewhere.
Tensor sparse_tensor_to_dense(const onnx::SparseTensorProto& proto, const TensorReadOptions& options);

// Fills `proto` with name, dims, data_type and raw_data (little-endian; string_data for
// strings). Throws Error(Stage::Io) for an undefined tensor.
void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto);

}  // namespace onnxi::detail
