// A small reader of the protobuf wire format that finds the raw_data of a serialized
// ModelProto's top-level initializers without parsing them, so that the loader can let
// protobuf parse everything else and copy the big payloads straight from the file into
// tensors (instead of into a std::string each first, then into the tensor).
//
// Only three message levels are looked into: ModelProto (graph = 7), the GraphProto
// in it (initializer = 5) and each initializer's TensorProto (raw_data = 9); every other
// field is stepped over by its wire type and copied as it is. The scanner accepts
// exactly the wire format protobuf (3.21) accepts at those levels: tags of at most 5
// bytes with a field number other than 0; varints of at most 10 bytes; lengths of at
// most 5 bytes and INT_MAX - 16, within the enclosing message; no wire types 4, 6 or 7.
// A known field number with another wire type is an unknown field to protobuf and is
// left alone here too. Groups (wire type 3) are valid but not handled: the caller then
// parses the whole message with protobuf. Every read is bounds-checked.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace onnxi::detail {

// Where one initializer's raw_data lies in the scanned bytes.
struct RawDataRange {
  bool present = false;  // it has raw_data (when given more than once, the last counts)
  size_t offset = 0;
  size_t size = 0;
};

struct StrippedModel {
  // The ModelProto's bytes with every raw_data field of its graph's initializers left
  // out and the lengths of the messages around them re-encoded. Left empty when there
  // is nothing to leave out (removed_bytes == 0): the input can be parsed as it is.
  std::string bytes;
  size_t removed_bytes = 0;
  // One entry per graph.initializer, in the order protobuf parses them (also when the
  // graph field is given more than once, which protobuf merges).
  std::vector<RawDataRange> raw_data;
};

enum class ScanResult {
  kOk,
  kMalformed,    // not valid wire format: protobuf rejects these bytes too
  kUnsupported,  // valid, but uses groups: parse the whole message with protobuf
};

// Scans the serialized ModelProto in [data, data + size) into `out`.
ScanResult strip_initializer_raw_data(const unsigned char* data, size_t size, StrippedModel* out);

}  // namespace onnxi::detail
