"""Bounds the BLAS library's thread pool to the script's --threads (default 1). Import it before torch.

torch.set_num_threads does not bound the BLAS library's own threads: Debian's OpenBLAS
(libopenblas0-pthread) otherwise runs a second thread that spins, so torch's "1 thread" used ≈ 1.6 cores
here (27 s of CPU in 17 s of wall time). The library reads these variables when it loads, so they are set
from the command line before numpy or torch is imported.
"""
import os
import sys


def threads_arg(argv, default=1):
    for i, arg in enumerate(argv):
        if arg == '--threads' and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith('--threads='):
            return arg.split('=', 1)[1]
    return str(default)


THREADS = threads_arg(sys.argv)
for _var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = THREADS
