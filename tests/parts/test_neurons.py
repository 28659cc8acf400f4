"""Neurons: the original model, rand_potential, lif and izhikevich against hand-computed dynamics."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest
import toy_parts
from spikey_core.testing import check_part
from spikey_parts.neurons.izhikevich import Izhikevich
from spikey_parts.neurons.lif import LIF
from spikey_parts.neurons.neuron import Neuron
from spikey_parts.neurons.rand_potential import RandPotential

from spikey_core import BuildContext, ConfigError, Network, from_dict


def build(cls, n=1, seed=0, dt=1.0, dtype="float64", **settings):
    ctx = BuildContext(
        n_inputs=0,
        n_neurons=n,
        n_outputs=0,
        processing_time=1,
        dt=dt,
        dtype=dtype,
        rng=np.random.default_rng(seed),
    )
    return cls(from_dict(cls.Config, settings), ctx)


def run(neuron, drive, steps):
    """Spike raster bool (steps, N) under a constant ``drive`` per step."""
    current = np.full(neuron.potentials.shape, drive, dtype=neuron.potentials.dtype)
    raster = []
    for _ in range(steps):
        raster.append(neuron.fire().copy())
        neuron.integrate(current)
    return np.array(raster)


# -- conformance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, settings",
    [
        (Neuron, {}),
        (Neuron, {"refractory_period": 2, "spike_delay": 3, "prob_rand_fire": 0.3, "resting_mv": -1.0}),
        (RandPotential, {"prob_rand_fire": 0.5, "potential_noise_scale": 4.0, "refractory_period": 1}),
        (LIF, {"v_rest": 0.0, "v_reset": 0.0, "v_threshold": 8.0, "refractory_ms": 1.0, "spike_delay": 1}),
        (Izhikevich, {"preset": "fast_spiking"}),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conformance(cls, settings, dtype):
    check_part("neuron", cls, settings={**settings, "neuron_pct_inhibitory": 0.5}, dtype=dtype)


# -- neuron: firing under constant drive ----------------------------------------------------------


@pytest.mark.parametrize("refractory", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("delay", [0, 1, 3, 12])
def test_neuron_fires_every_r_plus_1_steps_after_the_delay(refractory, delay):
    # threshold 1, no leak, drive 2 per step. V starts at rest 0 (no crossing at step 0), reaches
    # 2 after step 0's integration, so the first crossing is at step 1; each crossing resets V to
    # rest and discards R integrations, so crossings repeat every R + 1 steps; each is emitted
    # `delay` steps later: spikes at 1 + delay + k (R + 1).
    neuron = build(
        Neuron, firing_threshold=1.0, potential_decay=0.0, refractory_period=refractory, spike_delay=delay
    )
    steps = 40
    fired = np.flatnonzero(run(neuron, 2.0, steps)[:, 0])
    expected = np.arange(1 + delay, steps, refractory + 1)
    np.testing.assert_array_equal(fired, expected)


def test_neuron_firing_pattern_spelled_out():
    # R = 2, delay 3: crossings at 1, 4, 7, ... emitted at 4, 7, 10, ...
    neuron = build(Neuron, firing_threshold=1.0, potential_decay=0.0, refractory_period=2, spike_delay=3)
    pattern = "".join(str(int(s)) for s in run(neuron, 2.0, 12)[:, 0])
    assert pattern == "000010010010"


def test_neuron_holds_rest_while_refractory():
    # rest 0.5, threshold 1, no leak, R = 2, drive 3; potentials after each integration:
    # t0: no crossing (V=0.5) -> 0.5 + 3 = 3.5
    # t1: crosses; reset to 0.5, +3, but held (1st discarded input) -> 0.5
    # t2: held (2nd discarded input) -> 0.5;  t3: V=0.5 < 1, integrates -> 3.5;  t4: crosses -> 0.5
    neuron = build(Neuron, firing_threshold=1.0, potential_decay=0.0, resting_mv=0.5, refractory_period=2)
    trace = []
    for _ in range(5):
        neuron.fire()
        neuron.integrate(np.array([3.0]))
        trace.append(float(neuron.potentials[0]))
    assert trace == [3.5, 0.5, 0.5, 3.5, 0.5]


def test_neuron_leak_trajectory_toward_rest():
    # rest 2, decay 0.5: V <- 2 + 0.5 (V - 2) + I. One kick of 4 from V = 2:
    # 2 + 0 + 4 = 6, then 2 + 0.5*4 = 4, 2 + 0.5*2 = 3, 2 + 0.5*1 = 2.5, 2.25
    neuron = build(Neuron, firing_threshold=100.0, potential_decay=0.5, resting_mv=2.0)
    assert neuron.potentials[0] == 2.0
    trace = []
    for current in (4.0, 0.0, 0.0, 0.0, 0.0):
        neuron.fire()
        neuron.integrate(np.array([current]))
        trace.append(float(neuron.potentials[0]))
    assert trace == [6.0, 4.0, 3.0, 2.5, 2.25]


def test_neuron_reset_clears_pending_spikes_and_refractoriness():
    neuron = build(Neuron, firing_threshold=1.0, potential_decay=0.0, refractory_period=3, spike_delay=2)
    neuron.potentials[:] = 5.0
    assert not neuron.fire()[0]  # crossing scheduled for step 2
    neuron.integrate(np.zeros(1))
    neuron.reset()
    assert neuron.potentials[0] == 0.0
    assert not run(neuron, 0.0, 5).any()


@pytest.mark.parametrize("refractory", [0, 1, 4])
def test_neuron_random_firing_rate_is_refractory_gated(refractory):
    # Only spontaneous spikes (threshold out of reach). A neuron that is free fires with p; after a
    # spike it is blocked R steps, so the stationary rate r solves r = p (1 - R r): r = p / (1 + R p).
    p, n, steps = 0.1, 1000, 300
    neuron = build(Neuron, n=n, seed=3, firing_threshold=1e9, prob_rand_fire=p, refractory_period=refractory)
    raster = run(neuron, 0.0, steps)
    expected = p / (1 + refractory * p)  # 0.1, 0.0909, 0.0714
    # standard error about sqrt(r (1 - r) / 300000) < 0.0006
    assert raster.mean() == pytest.approx(expected, abs=0.004)
    if refractory:
        # no neuron ever fires twice within R steps
        for lag in range(1, refractory + 1):
            assert not np.any(raster[lag:] & raster[:-lag])


def test_neuron_draws_nothing_when_prob_rand_fire_is_zero():
    neuron = build(Neuron, n=10, firing_threshold=1.0)
    before = copy.deepcopy(neuron.rng.bit_generator.state)
    run(neuron, 0.5, 20)
    assert neuron.rng.bit_generator.state == before


def test_neuron_polarity_fraction():
    neuron = build(Neuron, n=20000, seed=1, neuron_pct_inhibitory=0.3)
    assert set(np.unique(neuron.polarities)) == {-1.0, 1.0}
    # standard error sqrt(0.21 / 20000) = 0.0032
    assert np.mean(neuron.polarities == -1) == pytest.approx(0.3, abs=0.015)
    assert np.all(build(Neuron, n=50, neuron_pct_inhibitory=0.0).polarities == 1.0)
    assert np.all(build(Neuron, n=50, neuron_pct_inhibitory=1.0).polarities == -1.0)


def test_neuron_explicit_polarities():
    neuron = build(Neuron, n=3, polarities=[1, -1, 1], neuron_pct_inhibitory=1.0)
    np.testing.assert_array_equal(neuron.polarities, [1.0, -1.0, 1.0])
    assert neuron.polarities.dtype == np.float64
    with pytest.raises(ConfigError, match=r"\$\.neuron\.polarities: needs one entry per unit, shape \(3,\)"):
        build(Neuron, n=3, polarities=[1, -1])
    with pytest.raises(ConfigError, match="must be \\+1 or -1 .found 0.5"):
        build(Neuron, n=2, polarities=[1, 0.5])


def test_neuron_config_checks():
    with pytest.raises(ConfigError, match="potential_decay: must be <= 1"):
        build(Neuron, potential_decay=1.5)
    with pytest.raises(ConfigError, match="spike_delay: must be >= 0"):
        build(Neuron, spike_delay=-1)
    with pytest.raises(ConfigError, match="refractory_period: must be an integer"):
        build(Neuron, refractory_period=1.5)


def test_neuron_parameters_are_runtime_tunable():
    # a modifier changes firing_threshold / refractory_period on the instance mid-run;
    # decay 1 forgets everything: V = 2 after every integration
    neuron = build(Neuron, firing_threshold=1.0, potential_decay=1.0)
    assert run(neuron, 2.0, 4)[:, 0].tolist() == [False, True, True, True]
    neuron.firing_threshold = 3.0  # V = 2 stays below
    assert not run(neuron, 2.0, 3).any()
    neuron.firing_threshold = 1.0
    neuron.refractory_period = 1
    assert run(neuron, 2.0, 5)[:, 0].tolist() == [True, False, True, False, True]


def test_neuron_float32_state():
    neuron = build(Neuron, n=4, dtype="float32", potential_decay=0.1, resting_mv=1.0, refractory_period=1)
    run(neuron, np.float32(3.0), 5)
    assert neuron.potentials.dtype == np.float32
    # below threshold (16) the leak has the closed form V_k = V_inf + (V_0 - V_inf) (1 - decay)^k with
    # V_inf = rest + I / decay = 31 and V_0 = rest = 1: V_5 = 31 - 30 * 0.9^5 = 13.2853
    np.testing.assert_allclose(neuron.potentials, 31.0 - 30.0 * 0.9**5, rtol=1e-6)


def test_neuron_state_dict_round_trip_keeps_the_future():
    # mid-run state (pending delayed spikes, refractory counters, ring position, generator) restored
    neuron = build(
        Neuron, n=5, seed=4, firing_threshold=1.0, prob_rand_fire=0.3, refractory_period=2, spike_delay=3
    )
    run(neuron, 0.4, 7)
    saved = neuron.state_dict()
    expected = run(neuron, 0.4, 10)
    fresh = build(
        Neuron, n=5, seed=99, firing_threshold=1.0, prob_rand_fire=0.3, refractory_period=2, spike_delay=3
    )
    fresh.load_state_dict(saved)
    np.testing.assert_array_equal(run(fresh, 0.4, 10), expected)
    twin = pickle.loads(pickle.dumps(fresh))
    np.testing.assert_array_equal(run(twin, 0.4, 6), run(fresh, 0.4, 6))


# -- rand_potential -----------------------------------------------------------------------------


def test_rand_potential_kicks_follow_the_documented_draws():
    # Draw order from the part's generator: n polarity uniforms at construction, then per step
    # n uniforms (kick or not: u < p) and n uniforms (kick size U(0, scale)). No leak, no input.
    n, p, scale, steps = 6, 0.5, 2.0, 4
    neuron = build(
        RandPotential,
        n=n,
        seed=11,
        firing_threshold=1e9,
        potential_decay=0.0,
        prob_rand_fire=p,
        potential_noise_scale=scale,
    )
    reference = np.random.default_rng(11)
    reference.random(n)
    expected = np.zeros(n)
    for _ in range(steps):
        kicked = reference.random(n) < p
        expected += reference.random(n) * scale * kicked
        neuron.fire()
        neuron.integrate(np.zeros(n))
    np.testing.assert_allclose(neuron.potentials, expected, rtol=1e-12)


def test_rand_potential_has_no_spontaneous_spikes():
    # scale 0: kicks add nothing, so even p = 1 never makes a neuron below threshold fire
    neuron = build(RandPotential, n=50, firing_threshold=1.0, prob_rand_fire=1.0, potential_noise_scale=0.0)
    assert not run(neuron, 0.0, 20).any()


def test_rand_potential_kick_can_cross_the_threshold():
    # threshold 1, kick U(0, 100) with p = 1 crosses unless the kick is < 1 (probability 0.01)
    neuron = build(
        RandPotential,
        n=200,
        seed=2,
        firing_threshold=1.0,
        potential_decay=1.0,
        prob_rand_fire=1.0,
        potential_noise_scale=100.0,
    )
    assert run(neuron, 0.0, 1).mean() == pytest.approx(0.99, abs=0.03)


def test_rand_potential_is_refractory_gated():
    # threshold 0 = rest, so every free neuron crosses; the big kicks must not shorten R = 3
    neuron = build(
        RandPotential,
        n=3,
        firing_threshold=0.0,
        prob_rand_fire=1.0,
        potential_noise_scale=50.0,
        refractory_period=3,
    )
    raster = run(neuron, 0.0, 12)
    assert np.flatnonzero(raster[:, 0]).tolist() == [0, 4, 8]
    assert np.all(raster == raster[:, :1])


# -- lif ------------------------------------------------------------------------------------------


def lif_period(drive, dt, tau=20.0, v_rest=-65.0, v_reset=-70.0, v_th=-50.0, t_ref=2.0):
    """Steps between spikes from the closed form: R + min{k >= 1: V_inf + (V_reset - V_inf) a^k >= v_th}."""
    a = math.exp(-dt / tau)
    v_inf = v_rest + drive / (1 - a)
    k = math.ceil(math.log((v_inf - v_th) / (v_inf - v_reset)) / math.log(a))
    refractory = round(t_ref / dt)
    return refractory + max(k, 1)


@pytest.mark.parametrize("dt", [1.0, 0.1])
def test_lif_firing_period_matches_the_closed_form(dt):
    # dt = 1 ms, drive 1 mV/step: a = e^-0.05 = 0.951229, V_inf = -65 + 1/0.048771 = -44.496,
    # a^k <= (V_inf + 50)/(V_inf + 70) = 5.504/25.504 = 0.2158 -> k >= 30.67 -> k* = 31; R = 2 -> 33.
    drive = 1.0 * dt  # same mean drive per ms at both resolutions
    neuron = build(LIF, dt=dt, tau_m=20.0, v_rest=-65.0, v_reset=-70.0, v_threshold=-50.0, refractory_ms=2.0)
    steps = int(round(200 / dt))
    spikes = np.flatnonzero(run(neuron, drive, steps)[:, 0])
    intervals = np.diff(spikes)
    period = lif_period(drive, dt)
    if dt == 1.0:
        assert period == 33
    assert len(intervals) >= 4
    assert np.all(intervals == period)
    # the continuous-time LIF period t_ref + tau ln((V_inf - V_reset) / (V_inf - v_th)) agrees to a step;
    # with dt = 0.1 ms the drive per ms is 1 / (1 - e^-0.005) / 0.1 = 200.5 -> V_inf = -44.75
    v_inf = -65.0 + drive / (1 - math.exp(-dt / 20.0))
    continuous = 2.0 + 20.0 * math.log((v_inf + 70.0) / (v_inf + 50.0))
    assert abs(period * dt - continuous) <= dt + 1e-9


def test_lif_refractory_time_rounds_to_steps():
    assert (
        build(LIF, dt=0.1, refractory_ms=2.0).refractory_steps == 20
    )  # not 21 from 2.0/0.1 = 20.000000000000004
    assert build(LIF, dt=1.0, refractory_ms=2.5).refractory_steps == 3
    assert build(LIF, dt=1.0, refractory_ms=0.0).refractory_steps == 0


def test_lif_exact_exponential_leak():
    neuron = build(LIF, dt=0.5, tau_m=10.0, v_rest=-65.0, v_threshold=-40.0)
    neuron.potentials[:] = -55.0
    neuron.fire()
    neuron.integrate(np.zeros(1))
    # -65 + 10 e^(-0.05) = -55.48771
    assert neuron.potentials[0] == pytest.approx(-65.0 + 10.0 * math.exp(-0.05), rel=1e-12)
    assert neuron.potentials[0] == pytest.approx(-55.487706, abs=1e-6)


def test_lif_subthreshold_drive_never_fires():
    # V_inf = -65 + 0.5/0.048771 = -54.75 < -50
    neuron = build(LIF, v_rest=-65.0, v_reset=-70.0, v_threshold=-50.0)
    assert not run(neuron, 0.5, 300).any()
    assert neuron.potentials[0] == pytest.approx(-65.0 + 0.5 / (1 - math.exp(-0.05)), abs=1e-3)


def test_lif_threshold_must_exceed_reset():
    with pytest.raises(ConfigError, match="v_threshold: must be > v_reset"):
        build(LIF, v_reset=-50.0, v_threshold=-55.0)


# -- izhikevich -----------------------------------------------------------------------------------


def izhikevich_reference(a, b, c, d, current, steps):
    """Spike times of one neuron, plain Python, the paper's scheme: two 0.5 ms Euler steps of v, one of u."""
    v, u = -65.0, b * -65.0
    spikes = []
    for t in range(steps):
        if v >= 30.0:
            spikes.append(t)
            v, u = c, u + d
        for _ in range(2):
            v = v + 0.5 * ((0.04 * v + 5.0) * v + 140.0 - u + current)
        u = u + a * (b * v - u)
    return spikes


def izhikevich_spikes(preset, current=10.0, steps=1000, **settings):
    neuron = build(Izhikevich, preset=preset, **settings)
    return np.flatnonzero(run(neuron, current, steps)[:, 0]).tolist()


def test_izhikevich_regular_spiking_matches_reference_loop():
    simulated = izhikevich_spikes("regular_spiking")
    reference = izhikevich_reference(0.02, 0.2, -65.0, 8.0, 10.0, 1000)
    assert len(reference) > 5
    assert abs(len(simulated) - len(reference)) <= 1
    assert simulated[:5] == reference[:5]


def test_izhikevich_fast_spiking_fires_faster_than_regular():
    regular = izhikevich_spikes("regular_spiking")
    fast = izhikevich_spikes("fast_spiking")
    reference_fast = izhikevich_reference(0.1, 0.2, -65.0, 2.0, 10.0, 1000)
    assert abs(len(fast) - len(reference_fast)) <= 1
    assert len(fast) > 1.5 * len(regular)


def test_izhikevich_resting_without_input():
    # v = -65, u = -13 is near the resting point for RS: no spikes without input
    assert izhikevich_spikes("regular_spiking", current=0.0, steps=500) == []


def test_izhikevich_presets_and_overrides():
    assert Izhikevich.Config().parameters() == (0.02, 0.2, -65.0, 8.0)
    assert from_dict(Izhikevich.Config, {"preset": "fast_spiking", "d": 8}).parameters() == (
        0.1,
        0.2,
        -65.0,
        8.0,
    )
    assert from_dict(Izhikevich.Config, {"preset": "chattering"}).parameters() == (0.02, 0.2, -50.0, 2.0)
    assert from_dict(Izhikevich.Config, {"preset": "intrinsically_bursting"}).parameters()[2:] == (-55.0, 4.0)
    explicit = {"preset": None, "a": 0.1, "b": 0.25, "c": -60, "d": 1}
    assert from_dict(Izhikevich.Config, explicit).parameters() == (0.1, 0.25, -60.0, 1.0)
    with pytest.raises(ConfigError, match="missing: c, d"):
        from_dict(Izhikevich.Config, {"preset": None, "a": 0.1, "b": 0.2})
    with pytest.raises(ConfigError, match="did you mean 'fast_spiking'"):
        from_dict(Izhikevich.Config, {"preset": "fast_spikng"})


def test_izhikevich_reset_after_spike():
    neuron = build(Izhikevich, preset="regular_spiking")
    neuron.potentials[:] = 35.0
    u_before = float(neuron.recovery[0])
    assert neuron.fire()[0]
    neuron.integrate(np.zeros(1))
    # reset to c = -65 and u + 8, then one step: v' at v=-65: 0.04*4225 - 325 + 140 - u = -16 - u
    u = u_before + 8.0
    v = -65.0
    for _ in range(2):
        v += 0.5 * ((0.04 * v + 5.0) * v + 140.0 - u)
    assert neuron.potentials[0] == pytest.approx(v, rel=1e-12)
    assert neuron.recovery[0] == pytest.approx(u + 0.02 * (0.2 * v - u), rel=1e-12)


# -- inside a network ---------------------------------------------------------------------------


def test_neuron_inside_a_network_with_toy_parts():
    # 1 input always on (PatternInput with state (1,)), weight 1 everywhere (ConstantWeight), so each
    # neuron receives I = 1 + (spikes of the 2 body neurons). threshold 1, no leak, R = 1.
    # step 0: nobody fires (V=0), then V = 1; step 1: both fire; integrate t1: held (R = 1) -> 0;
    # step 2: blocked; V = 1; step 3: fire; ... so each neuron fires at 1, 3, 5: 3 spikes in 6 steps.
    network = Network(
        n_inputs=1,
        n_neurons=2,
        n_outputs=1,
        processing_time=6,
        input=toy_parts.PatternInput,
        neuron={"type": Neuron, "firing_threshold": 1.0, "potential_decay": 0.0, "refractory_period": 1},
        weight={"type": toy_parts.ConstantWeight, "value": 1.0},
        readout=toy_parts.CountReadout,
        seed=0,
    )
    network.reset()
    assert network.tick((1,)) == 3
    np.testing.assert_array_equal(network.spike_log[:, 1:].any(axis=1), [0, 1, 0, 1, 0, 1])


def test_registered_neurons_build_from_names_in_a_network():
    for name, settings in [
        ("neuron", {"firing_threshold": 2.0}),
        ("rand_potential", {"prob_rand_fire": 0.2}),
        ("lif", {"v_rest": 0.0, "v_reset": 0.0, "v_threshold": 1.5}),
        ("izhikevich", {"preset": "fast_spiking"}),
    ]:
        network = Network(
            n_inputs=2,
            n_neurons=3,
            n_outputs=1,
            processing_time=20,
            input=toy_parts.PatternInput,
            neuron={"type": name, **settings},
            weight={
                "type": toy_parts.ConstantWeight,
                "value": 12.0 if name == "izhikevich" else 1.0,
                "max_weight": 20.0,
            },
            readout=toy_parts.CountReadout,
            seed=1,
        )
        network.reset()
        assert network.tick((1, 1)) > 0, name


def test_network_save_load_and_copy_continue_identically(tmp_path):
    # delayed spikes in flight, refractory counters and both generators must survive save/load and copy
    spec = dict(
        n_inputs=4,
        n_neurons=5,
        n_outputs=2,
        processing_time=7,
        input={"type": "rate_map", "state_rate_map": {"0": [0.3, 0.6], "1": [0.6, 0.3]}},
        neuron={
            "type": "neuron",
            "firing_threshold": 1.5,
            "prob_rand_fire": 0.2,
            "refractory_period": 2,
            "spike_delay": 3,
        },
        weight={"type": toy_parts.ConstantWeight, "value": 0.7},
        readout=toy_parts.CountReadout,
        seed=5,
    )
    network = Network(**spec)
    network.reset()
    network.tick(0)
    network.save(tmp_path / "net")
    twin = network.copy()
    expected = [network.tick(s) for s in (1, 0, 1)]
    log = network.spike_log.copy()
    loaded = Network.load(tmp_path / "net", allow_imports=True)
    assert [loaded.tick(s) for s in (1, 0, 1)] == expected
    np.testing.assert_array_equal(loaded.spike_log, log)
    assert [twin.tick(s) for s in (1, 0, 1)] == expected
