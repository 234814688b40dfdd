// RotaryEmbedding (ai.onnx 23): rotates the first rotary_embedding_dim elements of every
// head vector of X ([B, H, S, D], or [B, S, H * D] with num_heads) by the angles whose
// cosines and sines are cos_cache / sin_cache rows: row position_ids[b, s] of a
// [max_position, rd / 2] cache, or row (b, s) of a [B, S, rd / 2] cache without
// position_ids. Pairs are (i, i + rd / 2), or (2i, 2i + 1) when interleaved; the rest of
// the vector is copied. Computed in float.
#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi::attention {
namespace {

struct RopeGeometry {
  int64_t batch, heads, seq, head, rot;
  bool three_d;
};

class RotaryEmbeddingKernel final : public Kernel {
 public:
  RotaryEmbeddingKernel(DType t, bool interleaved, int64_t rot_dim, int64_t heads, bool has_pos)
      : t_(t), interleaved_(interleaved), rot_dim_(rot_dim), heads_(heads), has_pos_(has_pos) {}

  void infer(InferContext& ctx) override {
    const Shape *x = ctx.input_shape(0), *c = ctx.input_shape(1), *s = ctx.input_shape(2);
    const Shape* p = has_pos_ ? ctx.input_shape(3) : nullptr;
    if (x && c && s && (!has_pos_ || p)) geometry(*x, *c, *s, p, Stage::Plan);
    if (x)
      ctx.set_output(0, t_, *x);
    else
      ctx.set_output_dtype(0, t_);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& cos = ctx.input(1);
    const Tensor& sin = ctx.input(2);
    const RopeGeometry g =
        geometry(x.shape(), cos.shape(), sin.shape(), has_pos_ ? &ctx.input(3).shape() : nullptr, Stage::Run);
    const int64_t half = g.rot / 2;
    std::vector<int64_t> rows(static_cast<size_t>(g.batch * g.seq));  // cache row of each (b, s)
    if (has_pos_) {
      const int64_t* pos = ctx.input(3).data<int64_t>();
      for (size_t i = 0; i < rows.size(); ++i) {
        if (pos[i] < 0 || pos[i] >= cos.dim(0))
          throw Error(Stage::Run, "RotaryEmbedding position id " + std::to_string(pos[i]) + " is outside [0, " +
                                      std::to_string(cos.dim(0)) + ")");
        rows[i] = pos[i];
      }
    } else {
      for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
    }
    visit_dtype<kFloatDTypes>(t_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* xd = x.data<T>();
      const T* cd = cos.data<T>();
      const T* sd = sin.data<T>();
      T* yd = ctx.output(0).data<T>();
      const int64_t vectors = g.batch * g.heads * g.seq;
      parallel_chunks(ctx.threadpool(), vectors, g.head * 2, [&](int64_t v0, int64_t v1) {
        for (int64_t v = v0; v < v1; ++v) {
          // v enumerates X's head vectors in memory order.
          int64_t b, s;
          if (g.three_d) {
            b = v / (g.seq * g.heads);
            s = v / g.heads % g.seq;
          } else {
            b = v / (g.heads * g.seq);
            s = v % g.seq;
          }
          const int64_t row = rows[static_cast<size_t>(b * g.seq + s)];
          const T* c = cd + row * half;
          const T* sn = sd + row * half;
          const T* xv = xd + v * g.head;
          T* yv = yd + v * g.head;
          for (int64_t i = 0; i < half; ++i) {
            const int64_t i1 = interleaved_ ? 2 * i : i, i2 = interleaved_ ? 2 * i + 1 : i + half;
            const float x1 = static_cast<float>(load_elem(xv[i1])), x2 = static_cast<float>(load_elem(xv[i2]));
            const float cv = static_cast<float>(load_elem(c[i])), sv = static_cast<float>(load_elem(sn[i]));
            yv[i1] = store_elem<T>(static_cast<compute_t<T>>(cv * x1 - sv * x2));
            yv[i2] = store_elem<T>(static_cast<compute_t<T>>(sv * x1 + cv * x2));
          }
          for (int64_t i = g.rot; i < g.head; ++i) yv[i] = xv[i];
        }
      });
    });
  }

  RopeGeometry geometry(const Shape& x, const Shape& cos, const Shape& sin, const Shape* pos, Stage stage) const {
    RopeGeometry g{};
    if (x.size() == 4) {
      g = {x[0], x[1], x[2], x[3], 0, false};
    } else if (x.size() == 3) {
      if (heads_ <= 0) throw Error(stage, "RotaryEmbedding needs num_heads for a 3-D input");
      if (x[2] % heads_)
        throw Error(stage, "hidden size " + std::to_string(x[2]) + " is not a multiple of num_heads " +
                               std::to_string(heads_));
      g = {x[0], heads_, x[1], x[2] / heads_, 0, true};
    } else {
      throw Error(stage, "RotaryEmbedding input " + shape_to_string(x) + " must be 3-D or 4-D");
    }
    g.rot = rot_dim_ ? rot_dim_ : g.head;
    if (g.rot % 2 || g.rot > g.head)
      throw Error(stage, "rotary_embedding_dim " + std::to_string(g.rot) + " must be even and at most the head size " +
                             std::to_string(g.head));
    if (cos != sin) throw Error(stage, "cos_cache and sin_cache shapes differ");
    const Shape want = pos ? Shape{cos.empty() ? 0 : cos[0], g.rot / 2} : Shape{g.batch, g.seq, g.rot / 2};
    if (cos != want)
      throw Error(stage, "cos_cache / sin_cache " + shape_to_string(cos) + " must be " +
                             (pos ? "[max_position, rotary_dim / 2]" : "[batch, sequence, rotary_dim / 2]") + " = " +
                             shape_to_string(want));
    if (pos && *pos != Shape{g.batch, g.seq})
      throw Error(stage, "position_ids " + shape_to_string(*pos) + " must be [batch, sequence]");
    return g;
  }

 private:
  DType t_;
  bool interleaved_;
  int64_t rot_dim_, heads_;
  bool has_pos_;
};

std::unique_ptr<Kernel> make_rotary(const BuildContext& ctx) {
  if (ctx.node.inputs.size() < 3 || ctx.node.inputs.size() > 4 || !ctx.has_input(0) || !ctx.has_input(1) ||
      !ctx.has_input(2))
    throw Error(Stage::Build, "RotaryEmbedding takes X, cos_cache, sin_cache and optional position_ids");
  const DType t = ctx.input_dtype(0);
  constexpr DTypeSet kAllowed = dtype_bit(DType::Float) | dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16);
  if (!dtype_in(t, kAllowed)) throw Error(Stage::Build, "RotaryEmbedding needs float, float16 or bfloat16 X");
  if (ctx.input_dtype(1) != t || ctx.input_dtype(2) != t)
    throw Error(Stage::Build, "RotaryEmbedding cos_cache and sin_cache must have X's dtype");
  const bool has_pos = ctx.has_input(3);
  if (has_pos && ctx.input_dtype(3) != DType::Int64) throw Error(Stage::Build, "position_ids must be int64");
  const int64_t interleaved = ctx.attrs.get_int("interleaved", 0);
  if (interleaved != 0 && interleaved != 1) throw Error(Stage::Build, "interleaved must be 0 or 1");
  const int64_t rot = ctx.attrs.get_int("rotary_embedding_dim", 0);
  const int64_t heads = ctx.attrs.get_int("num_heads", 0);
  if (rot < 0 || heads < 0) throw Error(Stage::Build, "rotary_embedding_dim and num_heads must not be negative");
  return std::make_unique<RotaryEmbeddingKernel>(t, interleaved == 1, rot, heads, has_pos);
}

}  // namespace

ONNXI_REGISTER_KERNEL("", "RotaryEmbedding", 23, 23, kRef, make_rotary);

}  // namespace onnxi::attention
