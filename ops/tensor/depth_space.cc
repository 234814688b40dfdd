// DepthToSpace and SpaceToDepth on [N, C, H, W]: both are a reshape to 6-D, a transpose
// and a reshape back. DepthToSpace moves channel blocks into blocksize x blocksize spatial
// blocks in DCR (depth-column-row, the default and only mode before opset 11) or CRD
// order; SpaceToDepth is the inverse of DCR. Any dtype.
#include "ops/common/kernel_util.h"
#include "ops/tensor/element_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

struct Rearrangement {
  Shape view;                  // 6-D view of the input
  std::array<size_t, 6> perm;  // output dim i is view dim perm[i]
  Shape out;                   // 4-D output
};

class DepthSpaceKernel : public Kernel {
 public:
  DepthSpaceKernel(const BuildContext& ctx, bool to_space) : to_space_(to_space) {
    if (ctx.node.inputs.size() != 1 || !ctx.has_input(0))
      throw Error(Stage::Build, ctx.node.op_type + " expects 1 input");
    dtype_ = ctx.input_dtype(0);
    bs_ = ctx.attrs.get_int("blocksize");
    if (bs_ < 1 || bs_ > (int64_t(1) << 31)) throw Error(Stage::Build, "blocksize must be positive");
    if (to_space && ctx.opset >= 11) {
      const std::string mode = ctx.attrs.get_string("mode", "DCR");
      if (mode != "DCR" && mode != "CRD")
        throw Error(Stage::Build, "DepthToSpace mode must be DCR or CRD, got " + mode);
      crd_ = mode == "CRD";
    }
  }

  void infer(InferContext& ctx) override {
    if (const Shape* x = ctx.input_shape(0))
      ctx.set_output(0, dtype_, plan(*x, Stage::Plan).out);
    else
      ctx.set_output_dtype(0, dtype_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Rearrangement p = plan(x.shape(), Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, p.out);
    if (y.numel() == 0) return;
    const std::vector<int64_t> vs = strides_of(p.view);
    Shape out6(6);
    std::array<std::vector<int64_t>, 1> st{std::vector<int64_t>(6)};
    for (size_t i = 0; i < 6; ++i) {
      out6[i] = p.view[p.perm[i]];
      st[0][i] = vs[p.perm[i]];
    }
    dispatch_storage(dtype_, Stage::Run, [&](auto tag) {
      using S = typename decltype(tag)::type;
      const S* src = elements<S>(x);
      S* dst = elements<S>(y);
      for_each_row<1>(
          out6, st, 0, row_count(out6),
          [&](const std::array<int64_t, 1>& off, int64_t o, int64_t len, const std::array<int64_t, 1>& in) {
            for (int64_t i = 0; i < len; ++i) dst[o + i] = src[off[0] + i * in[0]];
          });
    });
  }

 private:
  Rearrangement plan(const Shape& x, Stage stage) const {
    if (x.size() != 4) throw Error(stage, "input must be 4-D [N, C, H, W], got " + shape_to_string(x));
    const int64_t n = x[0], c = x[1], h = x[2], w = x[3], b = bs_;
    Rearrangement p;
    if (to_space_) {
      if (c % (b * b) != 0)
        throw Error(stage, "channels " + std::to_string(c) + " are not divisible by blocksize^2 " +
                               std::to_string(b * b));
      const int64_t oc = c / (b * b);
      if (h > INT64_MAX / b || w > INT64_MAX / b) throw Error(stage, "output is too large");
      if (crd_) {
        p.view = {n, oc, b, b, h, w};
        p.perm = {0, 1, 4, 2, 5, 3};
      } else {
        p.view = {n, b, b, oc, h, w};
        p.perm = {0, 3, 4, 1, 5, 2};
      }
      p.out = {n, oc, h * b, w * b};
    } else {
      if (h % b != 0 || w % b != 0)
        throw Error(stage, "spatial dims " + shape_to_string(x) + " are not divisible by blocksize " +
                               std::to_string(b));
      if (c > INT64_MAX / (b * b)) throw Error(stage, "output is too large");
      p.view = {n, c, h / b, b, w / b, b};
      p.perm = {0, 3, 5, 1, 2, 4};
      p.out = {n, c * b * b, h / b, w / b};
    }
    return p;
  }

  bool to_space_;
  bool crd_ = false;
  DType dtype_ = DType::Undefined;
  int64_t bs_ = 1;
};

ONNXI_REGISTER_KERNEL("", "DepthToSpace", 1, 28, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new DepthSpaceKernel(ctx, true));
});
// Not yet: SpaceToDepth 28 (mode DCR/CRD).
ONNXI_REGISTER_KERNEL("", "SpaceToDepth", 1, 13, kRef, [](const BuildContext& ctx) {
  return std::unique_ptr<Kernel>(new DepthSpaceKernel(ctx, false));
});

}  // namespace
}  // namespace onnxi
