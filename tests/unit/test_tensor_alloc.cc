// Tensor storage: Tensor::uninitialized (allocate_aligned_uninitialized) hands out
// aligned, writable, non-overlapping buffers with zeroed tail padding, whether a buffer
// gets a mapping of its own or a piece of a shared one.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "onnxi/tensor.h"

using namespace onnxi;

TEST_CASE("Tensor::uninitialized gives aligned, separate buffers with zero tail padding", "[tensor][alloc]") {
  const int64_t kib = 1024, mib = 1024 * 1024;
  // Around the 2 MiB (own mapping) and 8 MiB (shared mapping) boundaries, and enough
  // half-megabyte buffers to fill several shared mappings.
  std::vector<int64_t> sizes = {0,
                                1,
                                63,
                                64,
                                65,
                                4 * kib,
                                mib,
                                mib + 1,
                                2 * mib - 128,
                                2 * mib - 64,
                                2 * mib - 65,
                                2 * mib,
                                2 * mib + 5,
                                3 * mib,
                                8 * mib + 3};
  for (int i = 0; i < 40; ++i) sizes.push_back(mib / 2 + i);
  std::vector<Tensor> tensors;
  for (int64_t n : sizes) {
    INFO("bytes " << n);
    Tensor t = Tensor::uninitialized(DType::UInt8, {n});
    REQUIRE(t.owns_storage());
    CHECK(t.nbytes() == static_cast<size_t>(n));
    CHECK(reinterpret_cast<uintptr_t>(t.raw_data()) % kTensorAlignment == 0);
    const auto* p = static_cast<const unsigned char*>(t.raw_data());
    bool zero_tail = true;
    for (size_t k = 0; k < kTensorTailPadding; ++k)
      zero_tail = zero_tail && p[n + static_cast<int64_t>(k)] == 0;
    CHECK(zero_tail);
    if (n) std::memset(t.raw_data(), static_cast<int>(tensors.size() % 251 + 1), static_cast<size_t>(n));
    tensors.push_back(t);
  }
  // Every buffer still holds its own bytes, and its padding is still zero: none overlap.
  for (size_t i = 0; i < tensors.size(); ++i) {
    INFO("tensor " << i << ", bytes " << sizes[i]);
    const auto* p = static_cast<const unsigned char*>(tensors[i].raw_data());
    const auto want = static_cast<unsigned char>(i % 251 + 1);
    size_t n = tensors[i].nbytes();
    bool same = true;
    for (size_t k = 0; k < n; ++k) same = same && p[k] == want;
    for (size_t k = 0; k < kTensorTailPadding; ++k) same = same && p[n + k] == 0;
    CHECK(same);
  }
  // Freed in any order, then more allocations work as before.
  for (size_t i = 0; i < tensors.size(); i += 2) tensors[i] = Tensor();
  tensors.clear();
  Tensor again = Tensor::uninitialized(DType::Float, {3, 5});
  CHECK(again.nbytes() == 60);
  CHECK(Tensor::uninitialized(DType::String, {2}).strings().size() == 2);
}
