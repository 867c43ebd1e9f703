"""Faster matrix products on CPU: numpy's BLAS instead of thinc's default blis.

On this project's earlier machines, numpy's OpenBLAS multiplied the tok2vec's Maxout layers about
three times faster than blis, single-threaded; on an AMD EPYC machine with AVX2 only (2026-12-04) a
whole training update took about as long on either (within 15%). The callback swaps every layer's
ops after the pipeline is created (training and loading alike) and pins BLAS to `blas_threads`
threads, so that a process uses one core and `n_process=2` can use two.
"""

from typing import Callable, Optional

from spacy.language import Language
from spacy.util import registry
from thinc.api import NumpyOps


@registry.callbacks("persian_ie.NumpyBlasOps.v1")
def create_numpy_blas_ops(blas_threads: Optional[int] = 1) -> Callable[[Language], Language]:
    """`[nlp.after_pipeline_creation]`: run every model layer on NumpyOps(use_blis=False)."""

    def use_numpy_blas(nlp: Language) -> Language:
        ops = NumpyOps(use_blis=False)
        for _, component in nlp.pipeline:
            model = getattr(component, "model", None)
            if model is None or not hasattr(model, "walk"):
                continue
            for node in model.walk():
                node.ops = ops
        if blas_threads:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=blas_threads, user_api="blas")
        return nlp

    return use_numpy_blas
