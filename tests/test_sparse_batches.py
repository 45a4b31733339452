"""The vectorized sparse-batch conversion returns exactly what Rasa's own method returns, and is installed."""
from typing import List

import numpy as np
import pytest
import scipy.sparse
from rasa.utils.tensorflow.data_generator import RasaDataGenerator
from rasa.utils.tensorflow.model_data import FeatureArray

import bot.nlu  # noqa: F401  (installs the conversion, as Rasa's component loading does)
from bot.nlu import sparse_batches


def _batch(rows_per_example: List[int], features: int, density: float, seed: int, fmt: str) -> FeatureArray:
    rng = np.random.default_rng(seed)
    matrices = [
        scipy.sparse.random(rows, features, density=density, format=fmt, random_state=rng, dtype=np.float64)
        for rows in rows_per_example
    ]
    return FeatureArray(np.array(matrices + [None], dtype=object)[:-1], number_of_dimensions=3)


@pytest.mark.parametrize(
    "rows_per_example, density, fmt",
    [
        ([1] * 40, 0.05, "coo"),  # sentence features: one row per example
        ([3, 7, 1, 12, 5], 0.1, "coo"),  # sequence features of different lengths
        ([4, 2, 9], 0.2, "csr"),  # not yet COO: converted first, as Rasa does
        ([2, 3], 0.0, "coo"),  # an all-zero batch
    ],
)
def test_same_indices_values_and_shape_as_rasa(rows_per_example: List[int], density: float, fmt: str) -> None:
    batch = _batch(rows_per_example, features=300, density=density, seed=len(rows_per_example), fmt=fmt)

    ours = sparse_batches.scipy_matrices_to_values(batch)
    rasas = sparse_batches._rasa_scipy_matrix_to_values(batch)

    assert len(ours) == len(rasas) == 3
    for mine, theirs in zip(ours, rasas):
        assert mine.dtype == theirs.dtype
        assert mine.shape == theirs.shape
        np.testing.assert_array_equal(mine, theirs)
    assert ours[0].shape[0] == sum(matrix.nnz for matrix in batch)


def test_rasa_batch_generator_uses_it() -> None:
    assert RasaDataGenerator._scipy_matrix_to_values is sparse_batches.scipy_matrices_to_values
    assert sparse_batches._rasa_scipy_matrix_to_values is not sparse_batches.scipy_matrices_to_values
