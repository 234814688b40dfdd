#include "ir/file_util.h"

#include "onnxi/tensor.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <utility>

namespace onnxi::detail {

namespace {

[[noreturn]] void fail(Stage stage, const std::string& path, const std::string& what) {
  ErrorContext ctx;
  ctx.file = path;
  throw Error(stage, what, ctx);
}

std::string errno_text() { return std::strerror(errno); }

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Opens `path` for reading and checks it is a regular file; returns its size.
int open_regular(const std::string& path, Stage stage, uint64_t* size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(stage, path, "cannot open file: " + errno_text());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string why = errno_text();
    ::close(fd);
    fail(stage, path, "cannot stat file: " + why);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(stage, path, S_ISDIR(st.st_mode) ? "is a directory, not a file" : "is not a regular file");
  }
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

// Reads `length` bytes at `offset` (pread loops over short reads and EINTR).
void read_exact(int fd, uint64_t offset, size_t length, char* dst, Stage stage, const std::string& path) {
  size_t done = 0;
  while (done < length) {
    size_t chunk = std::min<size_t>(length - done, size_t(1) << 30);
    ssize_t n = ::pread(fd, dst + done, chunk, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(stage, path, "read failed: " + errno_text());
    }
    if (n == 0)
      fail(stage, path,
           "file ended after " + std::to_string(offset + done) + " bytes while reading " +
               std::to_string(length) + " bytes at offset " + std::to_string(offset));
    done += static_cast<size_t>(n);
  }
}

}  // namespace

FileBytes read_whole_file(const std::string& path, Stage stage, size_t max_bytes) {
  uint64_t size = 0;
  Fd fd(open_regular(path, stage, &size));
  if (size > max_bytes)
    fail(stage, path,
         "file is " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
             " bytes accepted");
  FileBytes out;
  out.size = static_cast<size_t>(size);
  out.storage = allocate_aligned(out.size, /*zero=*/false);
  read_exact(fd.get(), 0, out.size, static_cast<char*>(out.storage.get()), stage, path);
  return out;
}

MappedFile::~MappedFile() {
  unmap();
  if (fd_ >= 0) ::close(fd_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    unmap();
    if (fd_ >= 0) ::close(fd_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

void MappedFile::unmap() {
  if (data_) ::munmap(data_, size_);
  data_ = nullptr;
}

void MappedFile::read(size_t offset, size_t length, void* dst, Stage stage) const {
  if (offset > size_ || length > size_ - offset)
    fail(stage, path_,
         "range of " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
             " is beyond the end of the file (" + std::to_string(size_) + " bytes)");
  read_exact(fd_, offset, length, static_cast<char*>(dst), stage, path_);
}

MappedFile map_whole_file(const std::string& path, Stage stage, size_t max_bytes) {
  uint64_t size = 0;
  Fd fd(open_regular(path, stage, &size));
  if (size > max_bytes)
    fail(stage, path,
         "file is " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
             " bytes accepted");
  MappedFile out;
  out.path_ = path;
  if (size > 0) {  // mmap refuses empty ranges
    void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED) fail(stage, path, "cannot map file: " + errno_text());
    out.data_ = static_cast<unsigned char*>(p);
    out.size_ = static_cast<size_t>(size);
  }
  out.fd_ = fd.release();
  return out;
}

uint64_t regular_file_size(const std::string& path, Stage stage) {
  uint64_t size = 0;
  Fd fd(open_regular(path, stage, &size));
  return size;
}

void read_file_range(const std::string& path, uint64_t offset, size_t length, void* dst, Stage stage) {
  uint64_t size = 0;
  Fd fd(open_regular(path, stage, &size));
  if (offset > size || length > size - offset)
    fail(stage, path,
         "range of " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
             " is beyond the end of the file (" + std::to_string(size) + " bytes)");
  read_exact(fd.get(), offset, length, static_cast<char*>(dst), stage, path);
}

void little_endian_to_host(void* data, size_t bytes, DType dtype) {
  if constexpr (std::endian::native == std::endian::little) {
    (void)data, (void)bytes, (void)dtype;
  } else {
    size_t unit = dtype_size(dtype);
    if (dtype == DType::Complex64 || dtype == DType::Complex128) unit /= 2;
    auto* p = static_cast<unsigned char*>(data);
    for (size_t i = 0; unit > 1 && i + unit <= bytes; i += unit) std::reverse(p + i, p + i + unit);
  }
}

void write_whole_file(const std::string& path, std::string_view bytes, Stage stage) {
  int raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (raw < 0) fail(stage, path, "cannot create file: " + errno_text());
  Fd fd(raw);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(stage, path, "write failed: " + errno_text());
    }
    done += static_cast<size_t>(n);
  }
  // close() can report a delayed write error (e.g. a full disk on NFS).
  if (::close(fd.release()) != 0) fail(stage, path, "write failed: " + errno_text());
}

}  // namespace onnxi::detail
