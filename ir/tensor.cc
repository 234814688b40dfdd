#include "onnxi/tensor.h"

#include <atomic>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "onnxi/limits.h"

#include <sys/mman.h>
#include <unistd.h>

namespace onnxi {

int64_t shape_numel(const Shape& shape, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error(Stage::Run, "negative dimension in shape " + shape_to_string(shape));
    if (d != 0 && n > limit / d)
      throw Error(Stage::Run, "shape " + shape_to_string(shape) + " has too many elements");
    n *= d;
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {

// Bytes with tail padding, rounded up to the alignment.
size_t padded_size(size_t bytes) {
  if (bytes > SIZE_MAX / 2) throw Error(Stage::Run, "cannot allocate " + std::to_string(bytes) + " bytes");
  size_t total = bytes + kTensorTailPadding;
  return (total + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
}

[[noreturn]] void out_of_memory(size_t bytes) {
  throw Error(Stage::Run, "out of memory allocating " + std::to_string(bytes) + " bytes");
}

// Uninitialized buffers of at least this many bytes get a mapping of their own.
constexpr size_t kOwnMappingMinBytes = size_t(1) << 20;
constexpr size_t kHugePageBytes = size_t(2) << 20;

// An anonymous mapping of at least `total` bytes that starts on a huge-page boundary and
// asks for transparent huge pages (where THP is disabled, it is plain memory). Only
// whole, aligned 2 MiB ranges can be huge pages, so when the last partial one would be at
// least half used the mapping is rounded up to it (wasting under 1 MiB); otherwise the
// tail stays in small pages. Returns null when the mapping fails.
std::shared_ptr<void> map_huge_aligned(size_t total) {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t len = (total + page - 1) / page * page;
  if (len % kHugePageBytes >= kHugePageBytes / 2) len = (len / kHugePageBytes + 1) * kHugePageBytes;
  // Over-map by one huge page, then trim to the aligned part.
  size_t span = len + kHugePageBytes;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  auto base = reinterpret_cast<uintptr_t>(raw);
  uintptr_t start = (base + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  size_t head = start - base, tail = span - head - len;
  if (head) ::munmap(raw, head);
  if (tail) ::munmap(reinterpret_cast<void*>(start + len), tail);
  void* p = reinterpret_cast<void*>(start);
  ::madvise(p, len, MADV_HUGEPAGE);  // a hint; fails harmlessly where THP is unavailable
  return std::shared_ptr<void>(p, [len](void* q) { ::munmap(q, len); });
}

std::atomic<size_t> g_max_tensor_bytes{0};  // 0: not set, use the default

// The environment variable `name` as a positive decimal integer; 0 when unset or not one.
unsigned long long positive_env(const char* name) {
  const char* env = std::getenv(name);
  if (!env) return 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(env, &end, 10);
  return end != env && *end == '\0' && env[0] != '-' ? v : 0;
}

size_t default_max_tensor_bytes() {
  if (unsigned long long v = positive_env("ONNXI_MAX_TENSOR_BYTES")) return static_cast<size_t>(v);
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) return static_cast<size_t>(pages) * static_cast<size_t>(page);
  return size_t(1) << 40;
}

}  // namespace

size_t max_tensor_bytes() {
  size_t v = g_max_tensor_bytes.load(std::memory_order_relaxed);
  if (v) return v;
  static const size_t fallback = default_max_tensor_bytes();
  return fallback;
}

void set_max_tensor_bytes(size_t bytes) { g_max_tensor_bytes.store(bytes, std::memory_order_relaxed); }

namespace {
std::atomic<long long> g_max_loop_iterations{0};  // 0: not set, use the default

long long default_max_loop_iterations() {
  unsigned long long v = positive_env("ONNXI_MAX_LOOP_ITERATIONS");
  return v > 0 && v <= static_cast<unsigned long long>(LLONG_MAX) ? static_cast<long long>(v) : 1LL << 31;
}
}  // namespace

long long max_loop_iterations() {
  long long v = g_max_loop_iterations.load(std::memory_order_relaxed);
  if (v > 0) return v;
  static const long long fallback = default_max_loop_iterations();
  return fallback;
}

void set_max_loop_iterations(long long iterations) {
  g_max_loop_iterations.store(iterations, std::memory_order_relaxed);
}

static std::string too_large(const std::string& what, size_t bytes) {
  return what + " needs " + std::to_string(bytes) + " bytes, more than the memory limit of " +
         std::to_string(max_tensor_bytes()) + " bytes (ONNXI_MAX_TENSOR_BYTES)";
}

std::shared_ptr<void> allocate_aligned(size_t bytes, bool zero) {
  if (bytes > max_tensor_bytes()) throw Error(Stage::Run, too_large("a buffer", bytes));
  size_t total = padded_size(bytes);
  if (total >= kOwnMappingMinBytes) {
    if (auto p = map_huge_aligned(total)) return p;  // fresh anonymous memory is zero
  }
  void* p = std::aligned_alloc(kTensorAlignment, total);
  if (!p) out_of_memory(bytes);
  if (zero)
    std::memset(p, 0, total);
  else
    std::memset(static_cast<char*>(p) + bytes, 0, total - bytes);  // tail padding stays defined
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) { allocate(true); }

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.allocate(false);
  return t;
}

void Tensor::allocate(bool zero) {
  numel_ = shape_numel(shape_);
  if (dtype_ == DType::String) {
    if (static_cast<size_t>(numel_) > max_tensor_bytes() / sizeof(std::string))
      throw Error(Stage::Run, too_large("string tensor of shape " + shape_to_string(shape_),
                                        static_cast<size_t>(numel_) * sizeof(std::string)));
    strings_ = std::make_shared<std::vector<std::string>>(static_cast<size_t>(numel_));
    return;
  }
  if (dtype_bits(dtype_) == 0)
    throw Error(Stage::Run, "cannot allocate a tensor of type " + std::string(dtype_name(dtype_)));
  // dtype_nbytes saturates to SIZE_MAX, which is always over the limit.
  const size_t bytes = dtype_nbytes(dtype_, numel_);
  if (bytes > max_tensor_bytes())
    throw Error(Stage::Run, bytes == SIZE_MAX ? "tensor of shape " + shape_to_string(shape_) + " is too large"
                                              : too_large("tensor of shape " + shape_to_string(shape_), bytes));
  storage_ = zero ? allocate_aligned(bytes) : allocate_aligned_uninitialized(bytes);
  data_ = storage_.get();
}

Tensor Tensor::view(DType dtype, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = shape_numel(t.shape_);
  if (dtype == DType::String) throw Error(Stage::Usage, "string tensors cannot view external memory");
  t.data_ = data;
  return t;
}

Tensor Tensor::sequence(DType elem_type, std::vector<Tensor> elements) {
  Tensor t;
  t.dtype_ = elem_type;
  t.kind_ = Kind::Sequence;
  t.elements_ = std::make_shared<std::vector<Tensor>>(std::move(elements));
  return t;
}

Tensor Tensor::none(DType elem_type, Kind of) {
  Tensor t;
  t.dtype_ = elem_type;
  t.kind_ = Kind::None;
  t.none_of_ = of;
  return t;
}

const char* kind_name(Tensor::Kind k) {
  switch (k) {
    case Tensor::Kind::Tensor: return "tensor";
    case Tensor::Kind::Sequence: return "sequence";
    case Tensor::Kind::None: return "empty optional";
    case Tensor::Kind::Map: return "map";
  }
  return "value";
}

Tensor Tensor::map(Tensor keys, Tensor values) {
  if (!keys.is_tensor() || !values.is_tensor() || keys.rank() != 1 || values.rank() != 1 ||
      keys.numel() != values.numel())
    throw Error(Stage::Usage, "a map needs 1-D key and value tensors of the same length");
  switch (keys.dtype()) {
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64:
    case DType::UInt8: case DType::UInt16: case DType::UInt32: case DType::UInt64: case DType::String:
      break;
    default:
      throw Error(Stage::Usage, "map keys must be integers or strings, not " + std::string(dtype_name(keys.dtype())));
  }
  Tensor t;
  t.dtype_ = values.dtype();
  t.kind_ = Kind::Map;
  t.elements_ = std::make_shared<std::vector<Tensor>>(std::vector<Tensor>{std::move(keys), std::move(values)});
  return t;
}

const Tensor& Tensor::map_keys() const {
  if (kind_ != Kind::Map) throw Error(Stage::Run, "value is not a map");
  return (*elements_)[0];
}
const Tensor& Tensor::map_values() const {
  if (kind_ != Kind::Map) throw Error(Stage::Run, "value is not a map");
  return (*elements_)[1];
}

const std::vector<Tensor>& Tensor::elements() const {
  if (kind_ != Kind::Sequence) throw Error(Stage::Run, "value is not a sequence");
  return *elements_;
}
std::vector<Tensor>& Tensor::elements() {
  if (kind_ != Kind::Sequence) throw Error(Stage::Run, "value is not a sequence");
  return *elements_;
}

std::vector<std::string>& Tensor::strings() {
  if (dtype_ != DType::String) check_type(DType::String);
  return *strings_;
}
const std::vector<std::string>& Tensor::strings() const {
  if (dtype_ != DType::String) check_type(DType::String);
  return *strings_;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  int64_t n = shape_numel(shape);
  if (n != numel_)
    throw Error(Stage::Run, "cannot reshape " + shape_to_string(shape_) + " to " + shape_to_string(shape));
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  if (kind_ == Kind::None) return *this;
  if (kind_ == Kind::Map) return map(map_keys().clone(), map_values().clone());
  if (kind_ == Kind::Sequence) {
    std::vector<Tensor> els;
    for (const auto& e : *elements_) els.push_back(e.clone());
    return sequence(dtype_, std::move(els));
  }
  Tensor t(dtype_, shape_);
  if (dtype_ == DType::String)
    *t.strings_ = *strings_;
  else if (nbytes())
    std::memcpy(t.data_, data_, nbytes());
  return t;
}

void Tensor::check_type(DType want) const {
  if (kind_ != Kind::Tensor)
    throw Error(Stage::Run, std::string("value is a ") + kind_name(kind_) + ", not a tensor");
  if (want != dtype_)
    throw Error(Stage::Run, "tensor holds " + std::string(dtype_name(dtype_)) + ", accessed as " +
                                std::string(dtype_name(want)));
}

}  // namespace onnxi
