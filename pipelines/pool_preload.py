"""What every parse worker needs, loaded once: the parse pool's fork server (pipelines/pool.py) imports
this module before it forks the workers, which then start in milliseconds instead of each importing
the parsers (~0.4 s CPU), the PDF/DOCX libraries and loading jieba's dictionary (0.2 s).

The fork server must have no thread when it forks: numpy's OpenBLAS would start one at import, so it
is told to use one (the workers do no linear algebra). Objects loaded here are frozen out of the
garbage collector, so a worker's collections do not write to (and copy) the pages it shares.
"""

from __future__ import annotations

import gc
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: no BLAS thread in the fork server

import mammoth  # noqa: F401  DOCX (pipelines/documents)
import numpy  # noqa: F401  MinHash (pipelines/dedup)
import pdfplumber  # noqa: F401  PDF (pipelines/documents)

import pipelines.process  # noqa: F401  the parsers
from pipelines import words

words.tokenizer()  # jieba's prefix dictionary
gc.freeze()
