// StringSplit (opset 20): splits each string of X on `delimiter` into Y (X's shape plus one
// dim, as long as the most pieces of any element, padded with ""), and gives the number of
// pieces per element in Z (int64, X's shape). As Python's str.split: with a delimiter,
// consecutive delimiters delimit empty strings and "" gives one piece; without one (unset
// or ""), runs of whitespace separate and leading/trailing whitespace is dropped ("" gives
// no pieces). `maxsplit` limits the number of splits (unset or negative: no limit); the
// rest of the string is the last piece. Whitespace is Python's: ASCII \t\n\v\f\r, space,
// \x1c-\x1f and the Unicode spaces (read from UTF-8; invalid bytes are not whitespace).
#include <algorithm>
#include <limits>

#include "ops/common/kernel_util.h"
#include "runtime/kernel.h"

namespace onnxi {
namespace {

// Length in bytes of the whitespace character at s[i], or 0.
size_t whitespace_at(const std::string& s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  if (c < 0xc2) return 0;
  // Decode one UTF-8 sequence of 2 or 3 bytes (no whitespace needs 4).
  uint32_t cp = 0;
  size_t len = 0;
  if ((c & 0xe0) == 0xc0) {
    cp = c & 0x1f;
    len = 2;
  } else if ((c & 0xf0) == 0xe0) {
    cp = c & 0x0f;
    len = 3;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  const bool space = cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
                     cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
  return space ? len : 0;
}

std::vector<std::string> split_whitespace(const std::string& s, int64_t maxsplit) {
  std::vector<std::string> out;
  size_t i = 0;
  auto skip = [&] {
    while (i < s.size()) {
      const size_t w = whitespace_at(s, i);
      if (!w) break;
      i += w;
    }
  };
  skip();
  while (i < s.size()) {
    if (static_cast<int64_t>(out.size()) == maxsplit) {
      out.push_back(s.substr(i));  // the rest, trailing whitespace included
      break;
    }
    const size_t start = i;
    while (i < s.size() && !whitespace_at(s, i)) ++i;
    out.push_back(s.substr(start, i - start));
    skip();
  }
  return out;
}

std::vector<std::string> split_on(const std::string& s, const std::string& delim, int64_t maxsplit) {
  std::vector<std::string> out;
  size_t start = 0;
  while (static_cast<int64_t>(out.size()) < maxsplit) {
    const size_t at = s.find(delim, start);
    if (at == std::string::npos) break;
    out.push_back(s.substr(start, at - start));
    start = at + delim.size();
  }
  out.push_back(s.substr(start));
  return out;
}

class StringSplitKernel : public Kernel {
 public:
  explicit StringSplitKernel(const BuildContext& ctx) {
    if (!ctx.has_input(0) || ctx.input_dtype(0) != DType::String)
      throw Error(Stage::Build, "StringSplit expects a string input, got " + std::string(dtype_name(ctx.input_dtype(0))));
    delimiter_ = ctx.attrs.get_string("delimiter", "");
    maxsplit_ = ctx.attrs.get_int("maxsplit", -1);
    if (maxsplit_ < 0) maxsplit_ = std::numeric_limits<int64_t>::max();
  }

  void infer(InferContext& ctx) override {
    // Y's last dim depends on the strings; Z has X's shape.
    ctx.set_output_dtype(0, DType::String);
    if (ctx.num_outputs() > 1) {
      if (const Shape* s = ctx.input_shape(0))
        ctx.set_output(1, DType::Int64, *s);
      else
        ctx.set_output_dtype(1, DType::Int64);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::vector<std::string>& in = x.strings();
    std::vector<std::vector<std::string>> pieces(in.size());
    size_t widest = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      pieces[i] = delimiter_.empty() ? split_whitespace(in[i], maxsplit_) : split_on(in[i], delimiter_, maxsplit_);
      widest = std::max(widest, pieces[i].size());
    }
    Shape ys = x.shape();
    ys.push_back(static_cast<int64_t>(widest));
    Tensor y(DType::String, ys);
    std::vector<std::string>& out = y.strings();
    for (size_t i = 0; i < in.size(); ++i)
      for (size_t k = 0; k < pieces[i].size(); ++k) out[i * widest + k] = std::move(pieces[i][k]);
    ctx.set_output(0, std::move(y));
    if (ctx.has_output(1)) {
      Tensor& z = output_for(ctx, 1, DType::Int64, x.shape());
      for (size_t i = 0; i < in.size(); ++i) z.data<int64_t>()[i] = static_cast<int64_t>(pieces[i].size());
    }
  }

 private:
  std::string delimiter_;
  int64_t maxsplit_ = 0;
};

ONNXI_REGISTER_KERNEL("", "StringSplit", 20, 20, kRef,
                      [](const BuildContext& ctx) { return std::unique_ptr<Kernel>(new StringSplitKernel(ctx)); });

}  // namespace
}  // namespace onnxi
