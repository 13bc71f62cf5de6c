// oneDNN's C API (Debian's libdnnl-dev, which installs no pkg-config file), and the two OpenMP
// calls TensorCore needs: Debian builds oneDNN on GNU OpenMP, whose thread count is per thread.
#include <oneapi/dnnl/dnnl.h>
void omp_set_num_threads(int count);
int omp_get_max_threads(void);
