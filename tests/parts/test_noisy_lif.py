"""noisy_lif: LIF plus Gaussian membrane noise that never resets the membrane."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.neurons.lif import LIF
from spikey_parts.neurons.noisy_lif import NoisyLIF

from spikey_core import BuildContext, ConfigError, from_dict


def build(cls, n=400, n_outputs=1, seed=0, **settings):
    ctx = BuildContext(
        n_inputs=0, n_neurons=n, n_outputs=n_outputs, processing_time=1, rng=np.random.default_rng(seed)
    )
    neuron = cls(from_dict(cls.Config, settings), ctx)
    neuron.reset()
    return neuron


def test_without_noise_it_is_lif_step_for_step():
    drive = np.random.default_rng(1).uniform(0, 3, size=(200, 50))
    plain, noisy = build(LIF, n=50), build(NoisyLIF, n=50, noise_std=0.0)
    for current in drive:
        np.testing.assert_array_equal(plain.fire(), noisy.fire())
        plain.integrate(current)
        noisy.integrate(current)
        np.testing.assert_array_equal(plain.potentials, noisy.potentials)


def test_subthreshold_variance_is_that_of_the_ar1_process():
    # V - V_rest = a (V - V_rest) + sigma xi, a = exp(-dt/tau_m): stationary variance sigma^2 / (1 - a^2)
    sigma, tau = 1.5, 20.0
    neuron = build(NoisyLIF, noise_std=sigma, tau_m=tau, v_threshold=1000.0)
    samples = []
    for t in range(600):
        neuron.fire()
        neuron.integrate(np.zeros(400))
        if t >= 200:
            samples.append(neuron.potentials - neuron.v_rest)
    a = math.exp(-1.0 / tau)
    assert np.var(samples) == pytest.approx(sigma**2 / (1 - a**2), rel=0.05)
    assert abs(np.mean(samples)) < 0.2


def test_noise_on_the_outputs_only_and_no_reset_by_noise():
    neuron = build(NoisyLIF, n=10, n_outputs=2, noise_std=3.0, noise_targets="outputs", v_threshold=1000.0)
    for _ in range(50):
        neuron.fire()
        neuron.integrate(np.full(10, 0.1))
    hidden = neuron.potentials[:8]
    assert np.allclose(hidden, hidden[0])  # deterministic: identical drive, no noise
    assert not np.isclose(neuron.potentials[8], neuron.potentials[9])
    with pytest.raises(ConfigError, match="noise_targets: must be one of 'all', 'outputs'"):
        from_dict(NoisyLIF.Config, {"noise_targets": "hidden"})
    with pytest.raises(ConfigError, match="noise_std: must be >= 0"):
        from_dict(NoisyLIF.Config, {"noise_std": -1.0})


def test_conformance():
    check_part("neuron", NoisyLIF)


def test_normals_come_from_its_own_generator_and_a_block_continues_the_stream():
    # from rest with no input, step 1 gives V - V_rest = sigma xi exactly on the noisy neurons;
    # N numbers are drawn per step (the hidden neurons' are multiplied by 0)
    neuron = build(NoisyLIF, n=10, n_outputs=2, noise_std=3.0, noise_targets="outputs", v_threshold=1000.0)
    draws = copy.deepcopy(neuron.rng).standard_normal((3, 10))  # what the next 3 steps must use
    neuron.fire()
    neuron.integrate(np.zeros(10))
    np.testing.assert_allclose(neuron.potentials[8:] - neuron.v_rest, 3.0 * draws[0, 8:], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(neuron.potentials[:8], neuron.v_rest)
    block = neuron.kernel_noise(2)  # the compiled engine's block: the same stream, continued
    np.testing.assert_array_equal(block, draws[1:])
