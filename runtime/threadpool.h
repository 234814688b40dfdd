#pragma once
#include "onnxi/session.h"

typedef struct pthreadpool* pthreadpool_t;

namespace onnxi {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  pthreadpool_t get() const { return pool_; }
  int size() const;

 private:
  pthreadpool_t pool_ = nullptr;
};

}  // namespace onnxi
