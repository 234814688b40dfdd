// DeformConv (opsets 19, 22; 22 adds bfloat16): convolution whose kernel taps are moved by
// learned offsets. For output position o and kernel tap k of offset group g, the input is
// sampled at  o * stride - pad_begin + k * dilation + offset[n, (g*K + k)*D + d, o]  per
// spatial dim d (D dims, K taps), by D-linear interpolation with zeros outside the input,
// then scaled by mask[n, g*K + k, o] (ones when absent) and weighted by W as in a grouped
// convolution; B is added. Input channels are split into offset_group groups. N-D; float
// dtypes computed in double. The window attributes are Conv's (no auto_pad).
#include "ops/common/convert.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/nn/conv_common.h"
#include "ops/nn/window.h"
#include "runtime/kernel.h"

namespace onnxi::nn {
namespace {

struct DeformGeometry {
  WindowAttrs win;
  WindowGeometry geom;
  int64_t batch = 0, channels = 0, out_channels = 0, taps = 0, out_size = 0;
};

class DeformConvKernel : public Kernel {
 public:
  explicit DeformConvKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2))
      throw Error(Stage::Build, "DeformConv needs inputs X, W and offset");
    dtype_ = ctx.input_dtype(0);
    const DTypeSet allowed = ctx.opset >= 22 ? kFloatDTypes : kFloatDTypes & ~dtype_bit(DType::BFloat16);
    if (!dtype_in(dtype_, allowed))
      throw Error(Stage::Build, "DeformConv does not support " + std::string(dtype_name(dtype_)) + " at opset " +
                                    std::to_string(ctx.opset) + " (supported: " + dtype_set_names(allowed) + ")");
    for (size_t i = 1; i < 5; ++i)
      if (ctx.has_input(i) && ctx.input_dtype(i) != dtype_)
        throw Error(Stage::Build, "DeformConv inputs must share one dtype");
    has_bias_ = ctx.has_input(3);
    has_mask_ = ctx.has_input(4);
    if (ctx.attrs.has("auto_pad")) throw Error(Stage::Build, "DeformConv has no auto_pad attribute");
    raw_ = read_window_attrs(ctx.attrs, {/*dilations=*/true, /*ceil_mode=*/false});
    group_ = ctx.attrs.get_int("group", 1);
    offset_group_ = ctx.attrs.get_int("offset_group", 1);
    if (group_ < 1 || offset_group_ < 1) throw Error(Stage::Build, "DeformConv group and offset_group must be >= 1");
  }

  void infer(InferContext& ctx) override {
    std::vector<const Shape*> s(5, nullptr);
    for (size_t i = 0; i < 5; ++i) s[i] = ctx.input_shape(i);
    if (!s[0] || !s[1] || !s[2] || (has_bias_ && !s[3]) || (has_mask_ && !s[4])) {
      ctx.set_output_dtype(0, dtype_);
      return;
    }
    const DeformGeometry g = geometry(*s[0], *s[1], *s[2], s[3], s[4], Stage::Plan);
    ctx.set_output(0, dtype_, output_shape(g));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor& off = ctx.input(2);
    const Tensor* b = has_bias_ ? &ctx.input(3) : nullptr;
    const Tensor* m = has_mask_ ? &ctx.input(4) : nullptr;
    const DeformGeometry g =
        geometry(x.shape(), w.shape(), off.shape(), b ? &b->shape() : nullptr, m ? &m->shape() : nullptr, Stage::Run);
    Tensor& y = output_for(ctx, 0, dtype_, output_shape(g));
    if (y.numel() == 0) return;
    visit_dtype<kFloatDTypes>(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      compute<T>(g, x, w, off, b, m, y);
    });
  }

 private:
  static Shape output_shape(const DeformGeometry& g) {
    Shape s = {g.batch, g.out_channels};
    s.insert(s.end(), g.geom.out.begin(), g.geom.out.end());
    return s;
  }

  DeformGeometry geometry(const Shape& x, const Shape& w, const Shape& off, const Shape* b, const Shape* m,
                          Stage stage) const {
    if (x.size() < 3) throw Error(stage, "DeformConv X must have rank >= 3, got " + shape_to_string(x));
    if (w.size() != x.size())
      throw Error(stage, "DeformConv W " + shape_to_string(w) + " must have X's rank " + std::to_string(x.size()));
    DeformGeometry g;
    g.batch = x[0];
    g.channels = x[1];
    g.out_channels = w[0];
    if (w[1] * group_ != g.channels || g.out_channels % group_ != 0)
      throw Error(stage, "DeformConv W " + shape_to_string(w) + " does not match " + std::to_string(g.channels) +
                             " input channels in " + std::to_string(group_) + " groups");
    if (g.channels % offset_group_ != 0)
      throw Error(stage, "DeformConv input channels (" + std::to_string(g.channels) +
                             ") are not divisible by offset_group " + std::to_string(offset_group_));
    g.win = resolve_window(raw_, conv_kernel_of(w), stage);
    g.geom = compute_window_geometry(g.win, std::vector<int64_t>(x.begin() + 2, x.end()), stage);
    const int64_t dims = static_cast<int64_t>(x.size()) - 2;
    g.taps = dims_product(g.win.kernel, 0, g.win.kernel.size());
    g.out_size = dims_product(g.geom.out, 0, g.geom.out.size());
    auto expect = [&](const Shape& got, int64_t ch, const char* what) {
      Shape want = {g.batch, ch};
      want.insert(want.end(), g.geom.out.begin(), g.geom.out.end());
      if (got != want)
        throw Error(stage, std::string("DeformConv ") + what + " has shape " + shape_to_string(got) + ", expected " +
                               shape_to_string(want));
    };
    expect(off, offset_group_ * g.taps * dims, "offset");
    if (m) expect(*m, offset_group_ * g.taps, "mask");
    if (b && *b != Shape{g.out_channels})
      throw Error(stage, "DeformConv B has shape " + shape_to_string(*b) + ", expected [" +
                             std::to_string(g.out_channels) + "]");
    return g;
  }

  // Value of `plane` (spatial dims `in`) at fractional position `pos`, D-linear, zero outside.
  template <class T>
  static double sample(const T* plane, const std::vector<int64_t>& in, const double* pos) {
    const size_t dims = in.size();
    int64_t base[8];
    double frac[8];
    for (size_t d = 0; d < dims; ++d) {
      const double fl = std::floor(pos[d]);
      if (!(fl > -2.0 && fl < static_cast<double>(in[d]))) return 0.0;  // all corners outside (or NaN)
      base[d] = static_cast<int64_t>(fl);
      frac[d] = pos[d] - fl;
    }
    double v = 0;
    for (uint32_t corner = 0; corner < (1u << dims); ++corner) {
      double weight = 1;
      int64_t off = 0;
      bool inside = true;
      for (size_t d = 0; d < dims && inside; ++d) {
        const bool hi = (corner >> d) & 1u;
        const int64_t i = base[d] + (hi ? 1 : 0);
        inside = i >= 0 && i < in[d];
        weight *= hi ? frac[d] : 1.0 - frac[d];
        off = off * in[d] + i;
      }
      if (inside && weight != 0.0) v += weight * static_cast<double>(load_elem(plane[off]));
    }
    return v;
  }

  template <class T>
  void compute(const DeformGeometry& g, const Tensor& xt, const Tensor& wt, const Tensor& offt, const Tensor* bt,
               const Tensor* mt, Tensor& yt) const {
    const size_t dims = g.win.kernel.size();
    if (dims > 8) throw Error(Stage::Run, "DeformConv supports at most 8 spatial dims");
    const std::vector<int64_t>& in = g.geom.in;
    const int64_t in_size = dims_product(in, 0, dims);
    const int64_t K = g.taps, O = g.out_size, C = g.channels;
    const int64_t cpg = C / group_, ocpg = g.out_channels / group_, cpog = C / offset_group_;
    const T* x = xt.data<T>();
    const T* w = wt.data<T>();
    const T* off = offt.data<T>();
    const T* mask = mt ? mt->data<T>() : nullptr;
    T* y = yt.data<T>();
    // Columns of one image: cols[(c * K + k) * O + o], the masked sample of channel c at tap k.
    std::vector<double> cols(static_cast<size_t>(C * K * O));
    std::vector<int64_t> tap(dims), opos(dims);
    std::vector<double> pos(dims);
    for (int64_t n = 0; n < g.batch; ++n) {
      for (int64_t og = 0; og < offset_group_; ++og) {
        std::fill(tap.begin(), tap.end(), 0);
        for (int64_t k = 0; k < K; ++k) {
          std::fill(opos.begin(), opos.end(), 0);
          for (int64_t o = 0; o < O; ++o) {
            for (size_t d = 0; d < dims; ++d) {
              const int64_t ch = ((og * K + k) * static_cast<int64_t>(dims) + static_cast<int64_t>(d));
              pos[d] = static_cast<double>(opos[d] * g.win.strides[d] - g.geom.pad_begin[d] + tap[d] * g.win.dilations[d]) +
                       static_cast<double>(load_elem(off[(n * offset_group_ * K * static_cast<int64_t>(dims) + ch) * O + o]));
            }
            const double mv = mask ? static_cast<double>(load_elem(mask[(n * offset_group_ * K + og * K + k) * O + o])) : 1.0;
            for (int64_t c = og * cpog; c < (og + 1) * cpog; ++c)
              cols[(c * K + k) * O + o] = mv * sample(x + (n * C + c) * in_size, in, pos.data());
            for (size_t d = dims; d-- > 0;) {
              if (++opos[d] < g.geom.out[d]) break;
              opos[d] = 0;
            }
          }
          for (size_t d = dims; d-- > 0;) {
            if (++tap[d] < g.win.kernel[d]) break;
            tap[d] = 0;
          }
        }
      }
      // y[oc, o] = B[oc] + sum over the group's channels and taps of W * cols.
      std::vector<double> acc(static_cast<size_t>(O));
      for (int64_t oc = 0; oc < g.out_channels; ++oc) {
        const int64_t grp = oc / ocpg;
        std::fill(acc.begin(), acc.end(), bt ? static_cast<double>(load_elem(bt->data<T>()[oc])) : 0.0);
        for (int64_t cl = 0; cl < cpg; ++cl) {
          const int64_t c = grp * cpg + cl;
          for (int64_t k = 0; k < K; ++k) {
            const double wv = static_cast<double>(load_elem(w[(oc * cpg + cl) * K + k]));
            const double* col = cols.data() + (c * K + k) * O;
            for (int64_t o = 0; o < O; ++o) acc[o] += wv * col[o];
          }
        }
        T* out = y + (n * g.out_channels + oc) * O;
        for (int64_t o = 0; o < O; ++o) out[o] = convert_value<T>(acc[o]);
      }
    }
  }

  DType dtype_ = DType::Undefined;
  bool has_bias_ = false, has_mask_ = false;
  RawWindowAttrs raw_;
  int64_t group_ = 1, offset_group_ = 1;
};

// Schema versions 19 and 22.
ONNXI_REGISTER_KERNEL("", "DeformConv", 19, 22, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new DeformConvKernel(ctx)); });

}  // namespace
}  // namespace onnxi::nn
