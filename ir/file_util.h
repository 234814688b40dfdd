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

// A whole regular file mapped read-only (MAP_PRIVATE) and kept open, for reading a few
// scattered parts in place and copying big ranges out with read(). The mapping goes
// with unmap() or the destructor, the descriptor with the destructor. An empty file has
// no mapping (data() is null). The file must not shrink while it is mapped: touching a
// page past its new end raises SIGBUS.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }  // the file's size, also after unmap()
  void unmap();
  // Reads `length` bytes at `offset` of the file into `dst` (with pread: the bytes go
  // from the page cache to `dst` without being mapped here, which on some VMs costs
  // more than the copy). Fails like read_file_range.
  void read(size_t offset, size_t length, void* dst, Stage stage) const;

 private:
  friend MappedFile map_whole_file(const std::string& path, Stage stage, size_t max_bytes);
  unsigned char* data_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;
  std::string path_;
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
