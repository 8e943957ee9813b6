#!/usr/bin/python3
"""Writes the .npy fixtures the KpLab.Data tests read. Run with Debian's /usr/bin/python3 (python3-numpy)."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
m = np.arange(12, dtype=np.float64).reshape(3, 4) / 8.0 - 0.5     # exactly representable in float32
np.save(os.path.join(here, "c_f8.npy"), m)
np.save(os.path.join(here, "fortran_f4.npy"), np.asfortranarray(m.astype(np.float32)))
np.save(os.path.join(here, "vector_f4.npy"), np.array([1.5, -2.0, 0.25], dtype=np.float32))
np.save(os.path.join(here, "int_i8.npy"), np.arange(6, dtype=np.int64).reshape(2, 3))
