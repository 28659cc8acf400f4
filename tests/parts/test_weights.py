"""Weights: manual and random matrices, shape errors, clip and mask semantics."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.weights.base import feedforward
from spikey_parts.weights.manual import Manual
from spikey_parts.weights.random import Random

from spikey_core import BuildContext, ConfigError, from_dict


def build(cls, n_inputs=2, n_neurons=3, seed=0, dtype="float64", **settings):
    config = from_dict(cls.Config, settings)
    ctx = BuildContext(
        n_inputs=n_inputs,
        n_neurons=n_neurons,
        n_outputs=1,
        processing_time=2,
        dtype=dtype,
        rng=np.random.default_rng(seed),
    )
    return cls(config, ctx)


def seeded_matrix(ctx):
    return ctx.rng.random((ctx.n_units, ctx.n_neurons))


def half_with_zeros(rng, shape):
    # fractions 0.5 except a zero column 0, a negative column 1 and an oversized column 2
    fractions = np.full(shape, 0.5)
    fractions[:, 0] = 0.0
    fractions[:, 1] = -0.3
    fractions[:, 2] = 7.0
    return fractions


# -- manual ------------------------------------------------------------------------------------


def test_manual_array_is_clipped_and_zeros_are_absent():
    matrix = [[0, 1, 0], [2, 0, 0], [0, 3, 0], [0.5, 0, 0], [0, 0, 1]]
    weight = build(Manual, matrix=matrix, max_weight=2.5)
    expected = np.array([[0, 1, 0], [2, 0, 0], [0, 2.5, 0], [0.5, 0, 0], [0, 0, 1]])
    np.testing.assert_array_equal(weight.matrix, expected)
    np.testing.assert_array_equal(weight.mask, expected != 0)
    assert weight.matrix.dtype == np.float64 and weight.mask.dtype == bool


def test_manual_layer_list_places_blocks_block_diagonally():
    # 2 inputs, 2 hidden, 1 output: inputs -> hidden cols 0..1, hidden rows 2..3 -> output col 2,
    # the output's own row (4) is padded with zeros
    weight = build(Manual, matrix=[[[1, 2], [3, 4]], [[5], [6]]], max_weight=10)
    expected = np.array([[1, 2, 0], [3, 4, 0], [0, 0, 5], [0, 0, 6], [0, 0, 0]], dtype=float)
    np.testing.assert_array_equal(weight.matrix, expected)


def test_feedforward_florian_topology():
    layers = [np.full((60, 60), 0.1), np.full((60, 1), 0.2)]
    matrix = feedforward(layers, 121)
    assert matrix.shape == (121, 61)
    assert np.all(matrix[:60, :60] == 0.1) and np.all(matrix[60:120, 60] == 0.2)
    assert matrix.sum() == pytest.approx(3600 * 0.1 + 60 * 0.2)  # nothing else is set


def test_manual_callable_receives_context_and_its_generator():
    first = build(Manual, matrix=seeded_matrix, seed=3)
    again = build(Manual, matrix=seeded_matrix, seed=3)
    other = build(Manual, matrix=seeded_matrix, seed=4)
    np.testing.assert_array_equal(first.matrix, again.matrix)
    assert not np.array_equal(first.matrix, other.matrix)
    assert first.matrix.shape == (5, 3)


def test_manual_explicit_mask_keeps_zero_weight_synapses():
    weight = build(Manual, matrix=np.zeros((5, 3)), mask=np.eye(5, 3), max_weight=1)
    np.testing.assert_array_equal(weight.mask, np.eye(5, 3, dtype=bool))
    weight.matrix += 0.25
    weight.clip()
    np.testing.assert_array_equal(weight.matrix, 0.25 * np.eye(5, 3))


def test_manual_rejects_weights_outside_the_mask_and_negative_weights():
    with pytest.raises(ConfigError, match="non-zero weight.*mask"):
        build(Manual, matrix=np.ones((5, 3)), mask=np.eye(5, 3))
    with pytest.raises(ConfigError, match=r"weights must be >= 0.*polarity"):
        build(Manual, matrix=-np.ones((5, 3)))


@pytest.mark.parametrize(
    ("shape", "hint"),
    [
        ((3, 5), r"use \.T"),
        ((3, 3), "add n_inputs = 2 rows"),
        ((1, 5, 3), "squeeze"),
        ((4, 4), r"expected \(5, 3\)"),
    ],
)
def test_manual_shape_errors_name_the_field_and_the_fix(shape, hint):
    with pytest.raises(ConfigError, match=hint) as error:
        build(Manual, matrix=np.ones(shape))
    assert "$.weight.matrix" in str(error.value) and "Manual" in str(error.value)


def test_manual_dtype_follows_the_network():
    assert build(Manual, matrix=np.ones((5, 3)), dtype="float32").matrix.dtype == np.float32


# -- clip semantics ------------------------------------------------------------------------------


def test_clip_keeps_absent_synapses_absent_and_lets_clipped_ones_regrow():
    weight = build(Manual, matrix=np.eye(5, 3), max_weight=2)
    weight.matrix += 100.0
    weight.clip()
    np.testing.assert_array_equal(weight.matrix, 2 * np.eye(5, 3))
    weight.matrix[0, 0] = -1.0
    weight.clip()
    assert weight.matrix[0, 0] == 0 and weight.mask[0, 0]
    weight.matrix += 0.5
    weight.clip()
    expected = 2 * np.eye(5, 3)
    expected[0, 0] = 0.5  # regrown from 0
    np.testing.assert_array_equal(weight.matrix, expected)


# -- random --------------------------------------------------------------------------------------


def test_random_has_no_self_connections():
    weight = build(Random, n_inputs=3, n_neurons=50)
    body = weight.matrix[3:]
    assert np.all(np.diag(body) == 0) and not np.any(np.diag(weight.mask[3:]))
    # every other synapse exists (uniform draws are never exactly 0)
    assert weight.mask.sum() == 3 * 50 + 50 * 49


def test_random_connection_probability_statistics():
    weight = build(Random, n_inputs=20, n_neurons=100, connection_probability=0.3, seed=1)
    allowed = 20 * 100 + 100 * 99  # 11900 possible synapses; binomial sd = sqrt(11900*0.3*0.7) = 50
    assert abs(weight.mask.sum() - 0.3 * allowed) < 200
    assert np.all(weight.matrix[~weight.mask] == 0)


def test_random_values_scale_the_uniform_fractions():
    weight = build(Random, n_inputs=5, n_neurons=20, low=0.2, high=0.4, max_weight=5)
    present = weight.matrix[weight.mask]
    assert present.min() >= 1.0 and present.max() <= 2.0  # [0.2, 0.4] * 5
    assert present.mean() == pytest.approx(1.5, abs=0.05)  # 480 draws, sd of mean 0.013


def test_random_force_unidirectional_keeps_one_direction_per_pair():
    n = 40
    weight = build(Random, n_inputs=4, n_neurons=n, force_unidirectional=True, seed=5)
    body = weight.mask[4:]
    assert not np.any(body & body.T)
    assert body.sum() == n * (n - 1) // 2  # every pair started two-way; exactly one kept
    assert np.all(weight.mask[:4])  # input synapses are untouched
    upper = np.triu(body, 1).sum()
    assert abs(upper - 390) < 4 * np.sqrt(780 * 0.25)  # the coin is fair


def test_random_masks_body_full_and_layer_list():
    body_mask = np.ones((3, 3))
    body_mask[0, 1] = 0
    weight = build(Random, mask=body_mask)
    expected = np.ones((5, 3), dtype=bool)
    expected[2, 1] = False  # body (0, 1)
    expected[[2, 3, 4], [0, 1, 2]] = False  # no self-connections
    np.testing.assert_array_equal(weight.mask, expected)

    full = np.zeros((5, 3))
    full[0, 2] = full[4, 0] = 1
    np.testing.assert_array_equal(build(Random, mask=full).mask, full != 0)

    layered = build(Random, mask=[np.ones((2, 2)), np.ones((2, 1))]).mask
    np.testing.assert_array_equal(layered, feedforward([np.ones((2, 2)), np.ones((2, 1))], 5) != 0)


def test_random_callable_distribution_zero_and_negative_are_absent_large_is_clipped():
    weight = build(Random, distribution=half_with_zeros, max_weight=4, n_inputs=2, n_neurons=3)
    assert not np.any(weight.mask[:, :2])
    expected_col2 = np.array([4, 4, 4, 4, 0.0])  # clipped to max; row 4 is neuron 2's self-connection
    np.testing.assert_array_equal(weight.matrix[:, 2], expected_col2)


def test_random_is_seeded():
    first = build(Random, n_neurons=10, connection_probability=0.5, force_unidirectional=True, seed=7)
    again = build(Random, n_neurons=10, connection_probability=0.5, force_unidirectional=True, seed=7)
    other = build(Random, n_neurons=10, connection_probability=0.5, force_unidirectional=True, seed=8)
    np.testing.assert_array_equal(first.matrix, again.matrix)
    assert not np.array_equal(first.matrix, other.matrix)


def test_random_config_errors():
    with pytest.raises(ConfigError, match="low: must be <= high"):
        build(Random, low=0.6, high=0.5)
    with pytest.raises(ConfigError, match="connection_probability: must be <= 1"):
        build(Random, connection_probability=1.5)
    with pytest.raises(ConfigError, match=r"\$\.weight\.mask.*use \.T"):
        build(Random, mask=np.ones((3, 5)))
    with pytest.raises(ConfigError, match="distribution.*shape"):
        build(Random, distribution=lambda rng, shape: np.ones(3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_weights_conform(dtype):
    check_part("weight", Manual, settings={"matrix": np.full((10, 6), 0.5)}, dtype=dtype)
    check_part("weight", Random, dtype=dtype)
    sparse = {"connection_probability": 0.3, "force_unidirectional": True}
    check_part("weight", Random, settings=sparse, dtype=dtype)


def test_random_layers_is_the_compact_feedforward_mask():
    # Florian 2007: 60 inputs -> 60 hidden -> 1 output

    ctx = BuildContext(n_inputs=60, n_neurons=61, n_outputs=1, processing_time=1)
    weight = Random(from_dict(Random.Config, {"layers": [60, 60, 1], "high": 0.2, "max_weight": 5.0}), ctx)
    expected = np.zeros((121, 61), dtype=bool)
    expected[:60, :60] = True
    expected[60:120, 60] = True
    assert np.array_equal(weight.mask, expected)
    assert weight.matrix.max() <= 1.0 and weight.matrix[expected].min() > 0


def test_random_layers_must_match_the_sizes():

    ctx = BuildContext(n_inputs=60, n_neurons=61, n_outputs=1, processing_time=1)
    with pytest.raises(ConfigError, match=r"layers.*must start with n_inputs = 60"):
        Random(from_dict(Random.Config, {"layers": [60, 50, 1]}), ctx)
