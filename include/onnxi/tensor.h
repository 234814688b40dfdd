// Tensor: dtype, shape and storage. Storage is 64-byte aligned with tail padding so that
// SIMD kernels (XNNPACK reads up to 16 bytes past the end) may over-read safely.
// A tensor either owns its storage (shared between copies: copying a Tensor is cheap
// and aliases) or views caller-owned memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "onnxi/dtype.h"
#include "onnxi/error.h"

namespace onnxi {

using Shape = std::vector<int64_t>;

// Bytes of tail padding every buffer gets beyond its last element.
inline constexpr size_t kTensorTailPadding = 64;
inline constexpr size_t kTensorAlignment = 64;

// Number of elements; throws Error when a dim is negative or the product overflows
// or exceeds `limit` elements.
int64_t shape_numel(const Shape& shape, int64_t limit = INT64_MAX);
std::string shape_to_string(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-filled storage.
  Tensor(DType dtype, Shape shape);
  // Allocates storage with unspecified contents (see allocate_aligned_uninitialized), for a
  // tensor the caller fills completely right away and keeps, such as a weight being
  // loaded. String tensors get empty strings as usual.
  static Tensor uninitialized(DType dtype, Shape shape);
  // Non-owning view of `data`, which must hold dtype_nbytes(dtype, numel) bytes (plus, for use
  // with XNNPACK kernels, kTensorTailPadding readable bytes) and outlive the tensor.
  static Tensor view(DType dtype, Shape shape, void* data);
  // Scalar and vector helpers.
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape);
  template <class T>
  static Tensor scalar(T v) {
    return from_vector<T>({v}, {});
  }

  // Non-tensor values (ONNX sequence, optional and map types) share this handle: a sequence
  // holds element tensors (dtype() is the element type); an empty optional is "none"; a
  // map holds its keys and values as two 1-D tensors of equal length (dtype() is the
  // value type; keys are an integer type or string).
  enum class Kind : uint8_t { Tensor, Sequence, None, Map };
  static Tensor sequence(DType elem_type, std::vector<Tensor> elements);
  static Tensor none(DType elem_type = DType::Undefined, Kind of = Kind::Tensor);
  // Throws Error(Usage) unless keys and values are 1-D tensors of the same length and the
  // keys are integers or strings.
  static Tensor map(Tensor keys, Tensor values);
  Kind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == Kind::Tensor; }
  bool is_sequence() const { return kind_ == Kind::Sequence; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_map() const { return kind_ == Kind::Map; }
  // A map's keys and values (throw Error for other kinds).
  const Tensor& map_keys() const;
  const Tensor& map_values() const;
  // For a none optional: whether it stands for an optional tensor or sequence.
  Kind none_of() const { return none_of_; }
  const std::vector<Tensor>& elements() const;
  std::vector<Tensor>& elements();

  bool defined() const { return dtype_ != DType::Undefined || kind_ != Kind::Tensor; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_.at(i); }
  int64_t numel() const { return numel_; }
  // Storage bytes: dtype_nbytes (packed for the 4- and 2-bit types, see dtype.h).
  size_t nbytes() const { return dtype_nbytes(dtype_, numel_); }
  bool owns_storage() const { return static_cast<bool>(storage_); }

  void* raw_data() { return data_; }
  const void* raw_data() const { return data_; }

  template <class T>
  T* data() {
    check_type(DTypeOf<T>::value);
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_type(DTypeOf<T>::value);
    return static_cast<const T*>(data_);
  }
  // String tensors keep their elements here (data() is not used for them).
  std::vector<std::string>& strings();
  const std::vector<std::string>& strings() const;

  // Same storage, new shape with the same element count.
  Tensor reshaped(Shape shape) const;
  // Deep copy into freshly allocated storage.
  Tensor clone() const;

 private:
  void check_type(DType want) const;
  void allocate(bool zero);
  DType dtype_ = DType::Undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<void> storage_;  // owns data_ when set
  void* data_ = nullptr;
  std::shared_ptr<std::vector<std::string>> strings_;
  Kind kind_ = Kind::Tensor;
  Kind none_of_ = Kind::Tensor;
  std::shared_ptr<std::vector<Tensor>> elements_;
};

// "tensor", "sequence", "empty optional" or "map", for messages.
const char* kind_name(Tensor::Kind k);

// Allocates `bytes` (+ tail padding) aligned to kTensorAlignment, zero-filled unless
// `zero` is false (the tail padding is always zeroed). Blocks of 1 MiB or more get an
// anonymous mapping of their own, aligned for and advised to use transparent huge pages
// (much cheaper to fault in than 4 KiB pages, and already zero).
std::shared_ptr<void> allocate_aligned(size_t bytes, bool zero = true);
// The same for a buffer that is filled at once and then kept (weights).
inline std::shared_ptr<void> allocate_aligned_uninitialized(size_t bytes) { return allocate_aligned(bytes, false); }

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, Shape shape) {
  Tensor t(DTypeOf<T>::value, std::move(shape));
  if (static_cast<size_t>(t.numel()) != values.size())
    throw Error(Stage::Usage, "from_vector: " + std::to_string(values.size()) +
                                  " values do not fill shape " + shape_to_string(t.shape()));
  if constexpr (std::is_same_v<T, std::string>) {
    t.strings() = values;
  } else if constexpr (std::is_same_v<T, bool>) {
    bool* d = t.data<bool>();
    for (size_t i = 0; i < values.size(); ++i) d[i] = values[i];
  } else {
    T* d = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) d[i] = values[i];
  }
  return t;
}

}  // namespace onnxi
