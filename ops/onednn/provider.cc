#include "ops/onednn/provider.h"

#include "ops/onednn/onednn_util.h"

namespace onnxi {

// Its kernels run on oneDNN's OpenMP team, not on the session's pool.
constinit const Provider kOnednn{"onednn", 20,
                                 "oneDNN: NHWC convolutions where it has an optimized (JIT/brgemm) implementation",
                                 /*own_threads=*/true, onednn_available};
ONNXI_REGISTER_PROVIDER(kOnednn);

}  // namespace onnxi
