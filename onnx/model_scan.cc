#include "onnx/model_scan.h"

#include <climits>
#include <cstdint>
#include <cstring>

namespace onnxi::detail {

namespace {

// Field numbers, from onnx-ml.proto.
constexpr uint32_t kModelGraph = 7;        // ModelProto.graph
constexpr uint32_t kGraphInitializer = 5;  // GraphProto.initializer
constexpr uint32_t kTensorRawData = 9;     // TensorProto.raw_data

// Wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kFixed32 = 5;

// protobuf refuses lengths this close to INT_MAX (ParseContext::kSlopBytes is 16).
constexpr uint64_t kMaxLength = INT_MAX - 16;

struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  size_t begin = 0;          // first byte of the tag
  size_t length_begin = 0;   // length-delimited: first byte of the length
  size_t payload_begin = 0;  // length-delimited: first byte of the payload
  size_t end = 0;            // one past the field's last byte
};

// Replaces the input bytes [begin, end) by the varint `value`, or by nothing.
struct Edit {
  size_t begin;
  size_t end;
  bool has_value;
  uint64_t value;
};

size_t varint_size(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

class Scanner {
 public:
  Scanner(const unsigned char* data, size_t size) : data_(data), size_(size) {}

  ScanResult run(StrippedModel* out) {
    size_t removed = 0;
    for (size_t pos = 0; pos < size_;) {
      Field f;
      if (!read_field(pos, size_, &f)) return result_;
      if (f.number == kModelGraph && f.wire_type == kLengthDelimited && !scan_graph(f, &removed))
        return result_;
      pos = f.end;
    }
    return build(removed, out);
  }

 private:
  bool fail(ScanResult r) {
    result_ = r;
    return false;
  }

  // Reads a varint of at most `max_bytes` bytes (<= 10) at *pos, which must stay below
  // `end`, and advances *pos past it. Bits beyond 64 are dropped, as protobuf does.
  bool read_varint(size_t* pos, size_t end, int max_bytes, uint64_t* value) {
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (*pos >= end) return fail(ScanResult::kMalformed);
      unsigned byte = data_[(*pos)++];
      v |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if (byte < 0x80) {
        *value = v;
        return true;
      }
    }
    return fail(ScanResult::kMalformed);
  }

  // Reads the field that starts at `pos` and must end by `end`.
  bool read_field(size_t pos, size_t end, Field* f) {
    f->begin = pos;
    uint64_t tag = 0;
    if (!read_varint(&pos, end, 5, &tag)) return false;
    const auto tag32 = static_cast<uint32_t>(tag);  // protobuf keeps a tag's low 32 bits
    f->number = tag32 >> 3;
    f->wire_type = tag32 & 7;
    if (f->number == 0) return fail(ScanResult::kMalformed);
    switch (f->wire_type) {
      case kVarint: {
        uint64_t ignored = 0;
        if (!read_varint(&pos, end, 10, &ignored)) return false;
        break;
      }
      case kFixed64:
        if (end - pos < 8) return fail(ScanResult::kMalformed);
        pos += 8;
        break;
      case kFixed32:
        if (end - pos < 4) return fail(ScanResult::kMalformed);
        pos += 4;
        break;
      case kLengthDelimited: {
        f->length_begin = pos;
        uint64_t length = 0;
        if (!read_varint(&pos, end, 5, &length)) return false;
        if (length > kMaxLength || length > end - pos) return fail(ScanResult::kMalformed);
        f->payload_begin = pos;
        pos += static_cast<size_t>(length);
        break;
      }
      case kStartGroup:
        return fail(ScanResult::kUnsupported);
      default:  // an end-group tag without its start, or wire type 6 or 7
        return fail(ScanResult::kMalformed);
    }
    f->end = pos;
    return true;
  }

  // Records the new length of the length-delimited message `f` once `removed` bytes are
  // left out of its payload (the edit at `slot` was reserved for it before the edits of
  // its contents), and adds what that saves to *total.
  void finish_message(const Field& f, size_t slot, size_t removed, size_t* total) {
    if (removed == 0) {
      edits_.erase(edits_.begin() + static_cast<std::ptrdiff_t>(slot));  // nothing inside changed
      return;
    }
    uint64_t length = (f.end - f.payload_begin) - removed;
    edits_[slot].value = length;
    // A length's new varint is never longer than the old one (which may be padded).
    *total += removed + (f.payload_begin - f.length_begin) - varint_size(length);
  }

  bool scan_graph(const Field& graph, size_t* total) {
    size_t slot = edits_.size();
    edits_.push_back({graph.length_begin, graph.payload_begin, true, 0});
    size_t removed = 0;
    for (size_t pos = graph.payload_begin; pos < graph.end;) {
      Field f;
      if (!read_field(pos, graph.end, &f)) return false;
      if (f.number == kGraphInitializer && f.wire_type == kLengthDelimited && !scan_tensor(f, &removed))
        return false;
      pos = f.end;
    }
    finish_message(graph, slot, removed, total);
    return true;
  }

  bool scan_tensor(const Field& tensor, size_t* total) {
    size_t slot = edits_.size();
    edits_.push_back({tensor.length_begin, tensor.payload_begin, true, 0});
    size_t removed = 0;
    RawDataRange raw;
    for (size_t pos = tensor.payload_begin; pos < tensor.end;) {
      Field f;
      if (!read_field(pos, tensor.end, &f)) return false;
      if (f.number == kTensorRawData && f.wire_type == kLengthDelimited) {
        raw.present = true;  // a later raw_data replaces an earlier one
        raw.offset = f.payload_begin;
        raw.size = f.end - f.payload_begin;
        edits_.push_back({f.begin, f.end, false, 0});
        removed += f.end - f.begin;
      }
      pos = f.end;
    }
    raw_data_.push_back(raw);
    finish_message(tensor, slot, removed, total);
    return true;
  }

  // Copies the input with the edits (in increasing, non-overlapping order) applied.
  ScanResult build(size_t removed, StrippedModel* out) {
    out->bytes.clear();
    out->removed_bytes = removed;
    out->raw_data = std::move(raw_data_);
    if (removed == 0) return ScanResult::kOk;
    out->bytes.resize(size_ - removed);
    auto* dst = reinterpret_cast<unsigned char*>(out->bytes.data());
    size_t room = out->bytes.size();
    auto copy = [&](const unsigned char* src, size_t n) {
      if (n > room) return false;
      if (n) std::memcpy(dst, src, n);
      dst += n;
      room -= n;
      return true;
    };
    size_t pos = 0;
    unsigned char varint[10];
    for (const Edit& e : edits_) {
      if (e.begin < pos || e.end < e.begin || !copy(data_ + pos, e.begin - pos)) return internal_error(out);
      if (e.has_value) {
        size_t n = 0;
        for (uint64_t v = e.value;; v >>= 7) {
          varint[n++] = static_cast<unsigned char>(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
          if (v < 0x80) break;
        }
        if (!copy(varint, n)) return internal_error(out);
      }
      pos = e.end;
    }
    if (!copy(data_ + pos, size_ - pos) || room != 0) return internal_error(out);
    return ScanResult::kOk;
  }

  // The edits do not add up (a bug here, not a problem with the file): have the caller
  // parse the whole message with protobuf instead.
  static ScanResult internal_error(StrippedModel* out) {
    out->bytes.clear();
    out->raw_data.clear();
    out->removed_bytes = 0;
    return ScanResult::kUnsupported;
  }

  const unsigned char* data_;
  size_t size_;
  ScanResult result_ = ScanResult::kMalformed;
  std::vector<Edit> edits_;
  std::vector<RawDataRange> raw_data_;
};

}  // namespace

ScanResult strip_initializer_raw_data(const unsigned char* data, size_t size, StrippedModel* out) {
  *out = StrippedModel();
  return Scanner(data, size).run(out);
}

}  // namespace onnxi::detail
