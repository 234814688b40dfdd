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

Tensor read_tensor_pb(const std::string& path, std::string* name = nullptr);
Tensor parse_tensor_pb(const void* data, size_t size, std::string* name = nullptr,
                       const std::string& what = "<memory>");
void write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name);

}  // namespace onnxi
