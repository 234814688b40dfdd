// Whole-file and byte-range I/O shared by the model loader and the tensor readers.
// Errors are onnxi::Error with the caller's stage and the file named in the context.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "onnxi/dtype.h"
#include "onnxi/error.h"

namespace onnxi::detail {

struct FileBytes {
  // From allocate_aligned (large files: huge pages, no zero-fill pass before the read).
  std::shared_ptr<void> storage;
  size_t size = 0;
  const char* get() const { return static_cast<const char*>(storage.get()); }
};

// Reads the whole regular file at `path` in one pass. Fails on a missing/unreadable
// file, a directory, or a file larger than `max_bytes`.
FileBytes read_whole_file(const std::string& path, Stage stage, size_t max_bytes = SIZE_MAX);

// A whole regular file mapped read-only (MAP_PRIVATE), unmapped on destruction. An empty
// file has no mapping (data() is null). The file must not shrink while it is mapped:
// reading a page past its new end raises SIGBUS.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }
  // Drops the process's page-table entries for the pages overlapping [offset,
  // offset+length) so they stop counting towards RSS. The bytes stay readable (they
  // are faulted in again from the page cache if touched), since the mapping is never
  // written. A hint: errors are ignored.
  void release(size_t offset, size_t length) const;

 private:
  friend MappedFile map_whole_file(const std::string& path, Stage stage, size_t max_bytes);
  unsigned char* data_ = nullptr;
  size_t size_ = 0;
};

// Maps the whole regular file at `path` read-only. Fails like read_whole_file.
MappedFile map_whole_file(const std::string& path, Stage stage, size_t max_bytes = SIZE_MAX);

// Size of the regular file at `path`.
uint64_t regular_file_size(const std::string& path, Stage stage);

// Reads exactly `length` bytes at `offset` of `path` into `dst`.
void read_file_range(const std::string& path, uint64_t offset, size_t length, void* dst, Stage stage);

// Converts tensor data between little-endian (as ONNX and .npy store it) and the host's
// order, in place; a no-op on little-endian hosts. Complex values swap each half.
void little_endian_to_host(void* data, size_t bytes, DType dtype);

// Writes `bytes` to `path`, replacing it.
void write_whole_file(const std::string& path, std::string_view bytes, Stage stage);

}  // namespace onnxi::detail
