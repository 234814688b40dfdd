// BitCast (schema version 26): the input's bytes reinterpreted as `to`, which must have the
// same bit width (so packed 4- and 2-bit types reinterpret among themselves, keeping their
// packing). Every type but string. Bytes that become bool are stored as 0/1 (the runtime's
// bool representation), so a byte other than 0 or 1 reads as true.
#include <cstring>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

class BitCastKernel : public Kernel {
 public:
  explicit BitCastKernel(const BuildContext& ctx) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0)) throw Error(Stage::Build, "BitCast expects 1 input");
    from_ = ctx.input_dtype(0);
    const int64_t code = ctx.attrs.get_int("to");
    auto t = code == static_cast<int32_t>(code) ? dtype_from_onnx(static_cast<int32_t>(code)) : std::nullopt;
    if (!t || *t == DType::Undefined) throw Error(Stage::Build, "BitCast 'to' has unknown data type " + std::to_string(code));
    to_ = *t;
    for (DType d : {from_, to_})
      if (d == DType::String || dtype_bits(d) == 0)
        throw Error(Stage::Build, "BitCast does not support " + std::string(dtype_name(d)));
    if (dtype_bits(from_) != dtype_bits(to_))
      throw Error(Stage::Build, "BitCast from " + std::string(dtype_name(from_)) + " (" +
                                    std::to_string(dtype_bits(from_)) + " bits) to " + std::string(dtype_name(to_)) +
                                    " (" + std::to_string(dtype_bits(to_)) + " bits): the widths differ");
  }

  bool handles_packed_dtypes() const override { return true; }

  void infer(InferContext& ctx) override { infer_same_shape(ctx, to_); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = output_for(ctx, 0, to_, x.shape());
    if (x.nbytes() && y.raw_data() != x.raw_data()) std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
    if (to_ == DType::Bool && from_ != DType::Bool) {
      auto* b = static_cast<unsigned char*>(y.raw_data());
      for (int64_t i = 0; i < y.numel(); ++i) b[i] = b[i] != 0;
    }
  }

 private:
  DType from_ = DType::Undefined, to_ = DType::Undefined;
};

ONNXI_REGISTER_KERNEL("", "BitCast", 26, 26, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new BitCastKernel(ctx));
});

}  // namespace
}  // namespace onnxi
