// ThreadPool: a shared pthreadpool (XNNPACK and our own kernels parallelize on it).
#include "runtime/threadpool.h"

#include "runtime/kernel.h"

#include <pthreadpool.h>

namespace onnxi {

ThreadPool::ThreadPool(int threads) {
  if (threads < 0) throw Error(Stage::Usage, "threads must be >= 0");
  pool_ = pthreadpool_create(static_cast<size_t>(threads));
  if (!pool_) throw Error(Stage::Build, "cannot create a thread pool of " + std::to_string(threads) + " threads");
}

ThreadPool::~ThreadPool() { pthreadpool_destroy(pool_); }

int ThreadPool::size() const { return static_cast<int>(pthreadpool_get_threads_count(pool_)); }

std::shared_ptr<ThreadPool> make_thread_pool(int threads) { return std::make_shared<ThreadPool>(threads); }

int thread_pool_size(const ThreadPool& pool) { return pool.size(); }

static void nothing(void*, size_t) {}

void yield_pool_workers(pthreadpool_t pool) {
  if (!pool) return;
  // One item per thread wakes every worker; the flag sends each to sleep afterwards.
  pthreadpool_parallelize_1d(pool, &nothing, nullptr, pthreadpool_get_threads_count(pool),
                             PTHREADPOOL_FLAG_YIELD_WORKERS);
}

}  // namespace onnxi
