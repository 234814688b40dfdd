// Reading and writing tensors: ONNX TensorProto (.pb) and NumPy (.npy) files.
#pragma once
#include <string>

#include "onnxi/tensor.h"

namespace onnxi {

// Reads a tensor from a .pb (TensorProto) or .npy file, chosen by extension.
// `name` receives the TensorProto's name (empty for .npy). Throws Error(Stage::Io).
Tensor read_tensor_file(const std::string& path, std::string* name = nullptr);

Tensor read_npy(const std::string& path);
Tensor parse_npy(const void* data, size_t size, const std::string& what = "<memory>");
void write_npy(const std::string& path, const Tensor& t);
std::string serialize_npy(const Tensor& t);

// What a .pb file is read as. Besides TensorProto, the ONNX test data stores sequence and
// optional values as SequenceProto / OptionalProto; these are not self-describing (an
// optional holding a tensor and a sequence of one tensor are the same bytes), so a caller
// that knows the declared type says which it expects. Sequences become
// Tensor::sequence, an optional without a value Tensor::none, and an optional with one
// the value itself. Auto takes a TensorProto when the file is one; otherwise an optional
// when it has no value or holds one sequence, else a sequence; a named MapProto with
// int64, int32 or string keys is recognized. Map reads a MapProto (Tensor::map; integer
// keys become int64, values a sequence of one-element tensors); sequences of maps are
// read too. Nested sequences and nested optionals are not
// supported (Error).
enum class PbKind { Auto, Tensor, Sequence, Optional, Map };

Tensor read_tensor_pb(const std::string& path, std::string* name = nullptr, PbKind kind = PbKind::Auto);
Tensor parse_tensor_pb(const void* data, size_t size, std::string* name = nullptr,
                       const std::string& what = "<memory>", PbKind kind = PbKind::Auto);
// Writes a TensorProto, or a SequenceProto (of tensors or maps) or MapProto for those values.
void write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name);

}  // namespace onnxi
