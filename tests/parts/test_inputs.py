"""Input encoders: rate_map, static_map, rbf and poisson against hand-computed values."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
import toy_parts
from spikey_core.testing import check_part
from spikey_parts.inputs.base import state_key
from spikey_parts.inputs.poisson import Poisson
from spikey_parts.inputs.rate_map import RateMap
from spikey_parts.inputs.rbf import RBF
from spikey_parts.inputs.static_map import StaticMap

from spikey_core import BuildContext, ConfigError, Network, from_dict


def build(cls, n=6, processing_time=5, seed=0, dt=1.0, **settings):
    ctx = BuildContext(
        n_inputs=n,
        n_neurons=1,
        n_outputs=0,
        processing_time=processing_time,
        dt=dt,
        rng=np.random.default_rng(seed),
    )
    return cls(from_dict(cls.Config, settings), ctx)


def raster(part, state, steps=None):
    """Spikes bool (steps, N_in) of one game step on ``state``."""
    part.update(state)
    steps = part.processing_time if steps is None else steps
    return np.array([part.fire().copy() for _ in range(steps)])


def bits(row):
    return "".join(str(int(b)) for b in row)


# -- conformance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, settings, sizes, state",
    [
        (RateMap, {"state_rate_map": [0.0, 0.5]}, {}, (1, 0)),
        (RateMap, {"state_rate_map": {"1,0": [0.3, 0.9]}, "input_firing_steps": 2}, {}, (1, 0)),
        (StaticMap, {"state_spike_map": {"(1, 0)": [1, 0, 0, 1]}}, {}, (1, 0)),
        (StaticMap, {"state_spike_map": np.ones((2, 2, 5, 4))}, {}, (1, 0)),
        (RBF, {}, {"n_inputs": 1575}, (0.1, 0.0, 0.02, -0.3)),
        (Poisson, {}, {}, (100.0, 300.0)),
        (Poisson, {"state_rates_hz": [0.0, 200.0]}, {}, (1, 0)),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conformance(cls, settings, sizes, state, dtype):
    check_part(
        "input",
        cls,
        settings={**settings, "input_pct_inhibitory": 0.5},
        sizes=sizes,
        state=state,
        dtype=dtype,
    )


# -- state keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, state",
    [
        ("1", 1),
        ("1", np.int64(1)),
        ("0,1", (False, True)),
        ("(0, 1)", (0, 1)),
        ("[0, 1]", np.array([0, 1])),
        ("(true, false)", (1, 0)),
        ("True", True),
        ((0, 1), [0, 1]),
        (2, 2.0),
        ("0.5", 0.5),
    ],
)
def test_state_key_matches_toml_style_keys(key, state):
    assert state_key(key) == state_key(state)
    assert hash(state_key(key)) == hash(state_key(state))


def test_state_key_keeps_other_text_as_a_key():
    assert state_key("left") == ("left",)
    assert state_key("left") != state_key("right")


# -- rate_map -------------------------------------------------------------------------------------


def test_rate_map_tiles_features_interleaved():
    # certain rates make spikes deterministic: unit i encodes feature i mod F
    part = build(RateMap, n=6, state_rate_map=[0.0, 1.0])  # each boolean feature -> its rate
    assert bits(raster(part, (True, False), 1)[0]) == "101010"
    assert bits(raster(part, (False, True), 1)[0]) == "010101"
    part = build(RateMap, n=6, state_rate_map={"0": [1, 0, 0], "1": [0, 0, 1]})
    assert bits(raster(part, 0, 1)[0]) == "100100"
    assert bits(raster(part, 1, 1)[0]) == "001001"


def test_rate_map_two_dimensional_array_picks_a_row():
    # Izhikevich-style diagonal map: state s drives units s, s + 3
    part = build(RateMap, n=6, state_rate_map=np.eye(3))
    assert bits(raster(part, 1, 1)[0]) == "010010"
    np.testing.assert_array_equal(part.rates, [0, 1, 0, 0, 1, 0])


def test_rate_map_spikes_follow_the_generator_draws():
    # at each step, unit i spikes when u_i < p_i, u from the part's generator after the n polarity draws
    rates = [0.2, 0.7, 0.5]
    part = build(RateMap, n=6, seed=7, state_rate_map={"(1, 1)": rates})
    reference = np.random.default_rng(7)
    reference.random(6)
    tiled = np.tile(rates, 2)
    expected = np.array([reference.random(6) < tiled for _ in range(5)])
    np.testing.assert_array_equal(raster(part, (1, 1)), expected)


def test_rate_map_firing_probability_statistics():
    part = build(RateMap, n=1000, processing_time=400, seed=5, state_rate_map=[0.0, 0.08, 0.5, 0.25])
    spikes = raster(part, (1, 2, 3, 0))  # features 0.08, 0.5, 0.25, 0.0
    per_feature = spikes.reshape(400, 250, 4).mean(axis=(0, 1))
    # 100000 draws per feature: standard error <= 0.0016
    np.testing.assert_allclose(per_feature, [0.08, 0.5, 0.25, 0.0], atol=0.008)


@pytest.mark.parametrize("window, pattern", [(-1, "111111"), (0, "000000"), (2, "110000"), (6, "111111")])
def test_rate_map_firing_steps(window, pattern):
    # input_firing_steps = k fires during exactly k steps (the original fired k + 1)
    part = build(RateMap, n=2, processing_time=6, state_rate_map=[1.0], input_firing_steps=window)
    for _ in range(2):  # the window restarts at every update
        assert bits(raster(part, 0)[:, 0]) == pattern


def test_rate_map_polarity_fraction():
    part = build(RateMap, n=20000, seed=2, state_rate_map=[0.5], input_pct_inhibitory=0.25)
    # standard error sqrt(0.1875 / 20000) = 0.003
    assert np.mean(part.polarities == -1) == pytest.approx(0.25, abs=0.015)
    assert set(np.unique(part.polarities)) == {-1.0, 1.0}


def test_input_explicit_polarities():
    part = build(RateMap, n=4, state_rate_map=[0.5], polarities=[1, 1, -1, -1], input_pct_inhibitory=0.0)
    np.testing.assert_array_equal(part.polarities, [1.0, 1.0, -1.0, -1.0])
    assert part.polarities.dtype == np.float64
    with pytest.raises(ConfigError, match=r"\$\.input\.polarities: needs one entry per unit, shape \(4,\)"):
        build(RateMap, n=4, state_rate_map=[0.5], polarities=[1, -1])
    with pytest.raises(ConfigError, match="must be \\+1 or -1 .found 0.5"):
        build(RateMap, n=2, state_rate_map=[0.5], polarities=[1, 0.5])


def test_rate_map_bad_settings():
    with pytest.raises(
        ConfigError, match=r"\$\.input\.state_rate_map \(RateMap\): n_inputs = 5 must be a multiple"
    ):
        build(RateMap, n=5, state_rate_map={"0": [0.1, 0.2]})
    with pytest.raises(
        ConfigError, match="n_inputs = 5 must be a multiple of the number of encoded features .3."
    ):
        build(RateMap, n=5, state_rate_map=np.full((4, 3), 0.1))
    with pytest.raises(ConfigError, match=r"state_rate_map: entry '1': entries must be <= 1 \(found 1.5\)"):
        build(RateMap, state_rate_map={"1": [0.5, 1.5]})
    with pytest.raises(ConfigError, match="state_rate_map: entries must be <= 1"):
        build(RateMap, state_rate_map=[0.0, 2.0])
    with pytest.raises(ConfigError, match="name the same state"):
        build(RateMap, state_rate_map={"1": [0.5], 1: [0.2]})
    with pytest.raises(ConfigError, match="input_firing_steps: must be >= -1"):
        build(RateMap, state_rate_map=[0.5], input_firing_steps=-2)


def test_rate_map_bad_states():
    part = build(RateMap, n=4, state_rate_map={"0,1": [0.5, 0.5]})
    with pytest.raises(ConfigError, match=r"no entry for state \(1, 1\)"):
        part.update((1, 1))
    part = build(RateMap, n=4, state_rate_map=[0.0, 0.5])
    with pytest.raises(ConfigError, match="integer-valued states"):
        part.update((0.5, 1))
    with pytest.raises(ConfigError, match="outside the array"):
        part.update((2, 0))
    with pytest.raises(ConfigError, match="must be a multiple"):
        part.update((1, 0, 1))  # 3 features on 4 units


# -- static_map -----------------------------------------------------------------------------------


def test_static_map_pattern_repeats_every_step():
    part = build(StaticMap, n=4, processing_time=3, state_spike_map={"0": [1, 0, 0, 1], "1": [0, 1, 1, 0]})
    assert [bits(row) for row in raster(part, 1)] == ["0110"] * 3
    assert [bits(row) for row in raster(part, 0)] == ["1001"] * 3


def test_static_map_train_step_by_step():
    train = [[1, 0], [0, 1], [1, 1], [0, 0]]  # 4 steps >= processing_time 3; row t at step t
    part = build(StaticMap, n=2, processing_time=3, state_spike_map={"(1, 0)": train, "(0, 0)": [0, 0]})
    assert [bits(row) for row in raster(part, (True, False))] == ["10", "01", "11"]
    assert [bits(row) for row in raster(part, (True, False))] == ["10", "01", "11"]  # restarts each update
    assert [bits(row) for row in raster(part, (0, 0))] == ["00"] * 3


def test_static_map_array_indexed_by_state_position():
    table = np.zeros((2, 2, 3))
    table[1, 0] = [1, 0, 1]
    table[0, 1] = [0, 1, 0]
    part = build(StaticMap, n=3, processing_time=2, state_spike_map=table)
    assert [bits(row) for row in raster(part, (1, 0))] == ["101", "101"]
    assert [bits(row) for row in raster(part, (0, 1))] == ["010", "010"]


def test_static_map_respects_the_firing_window():
    part = build(StaticMap, n=2, processing_time=4, state_spike_map={"1": [1, 1]}, input_firing_steps=1)
    assert [bits(row) for row in raster(part, 1)] == ["11", "00", "00", "00"]


def test_static_map_bad_settings():
    with pytest.raises(ConfigError, match="a train of 2 steps is shorter than processing_time = 3"):
        build(StaticMap, n=2, processing_time=3, state_spike_map={"1": [[1, 0], [0, 1]]})
    with pytest.raises(ConfigError, match=r"must have shape \(2,\) or \(steps >= 3, 2\) \(got \(3,\)\)"):
        build(StaticMap, n=2, processing_time=3, state_spike_map={"1": [1, 0, 1]})
    with pytest.raises(ConfigError, match="entries must be 0 or 1"):
        build(StaticMap, n=2, state_spike_map={"1": [1, 0.5]})
    with pytest.raises(ConfigError, match="the last axis must have n_inputs = 3 entries"):
        build(StaticMap, n=3, state_spike_map=np.zeros((2, 2)))
    part = build(StaticMap, n=2, processing_time=3, state_spike_map=np.zeros((2, 2, 2)))
    with pytest.raises(ConfigError, match="shorter than processing_time = 3"):
        part.update(1)  # picks a (2, 2) train


# -- rbf ------------------------------------------------------------------------------------------


def test_rbf_default_grid_size():
    part = build(RBF, n=1575)
    assert part.rates.shape == (1575,)
    with pytest.raises(
        ConfigError, match="n_inputs = 1500 must be a multiple of the grid size 1575 = 7 x 15 x 15"
    ):
        build(RBF, n=1500)


def test_rbf_rate_at_a_centre():
    # x = 0, theta = 0, thetadot = 0 is the centre of unit (m, p, q) = (3, 7, 7):
    # index (3 * 15 + 7) * 15 + 7 = 787, rate = max_rate = 0.4
    part = build(RBF, n=1575)
    rates = part.grid_rates((0.0, 5.0, 0.0, 0.0))  # xdot (5.0) is not encoded
    assert np.argmax(rates) == 787
    assert rates[787] == pytest.approx(0.4, rel=1e-12)


def test_rbf_rate_off_centre():
    # x = 0.625 (half-way between x centres 0 and 1.25), theta = 2 deg (centre p = 8),
    # thetadot = 4 tan(2 pi / 30) so arctan(thetadot / 4) = 2 pi / 30 (centre q = 8).
    # Units (3, 8, 8) and (4, 8, 8) are 0.625 m away in x only:
    #   0.4 exp(-0.625^2 / (2 * 5/4)) = 0.4 exp(-0.15625) = 0.4 * 0.855345 = 0.342138
    # Unit (3, 7, 8) is also 2 deg = 0.0349066 rad off in theta:
    #   extra exponent 0.0349066^2 / (2 pi / 1200) = 0.00121847 / 0.00523599 = 0.232711
    #   0.4 exp(-0.15625 - 0.232711) = 0.4 * 0.677761 = 0.271104
    part = build(RBF, n=1575)
    state = (0.625, 0.0, 2 * math.pi / 180, 4 * math.tan(2 * math.pi / 30))
    rates = part.grid_rates(state).reshape(7, 15, 15)
    assert rates[3, 8, 8] == pytest.approx(0.342138, abs=1e-6)
    assert rates[4, 8, 8] == pytest.approx(0.342138, abs=1e-6)
    assert rates[3, 7, 8] == pytest.approx(0.271104, abs=1e-6)
    assert rates.max() == pytest.approx(0.342138, abs=1e-6)


def test_rbf_spikes_with_the_grid_rates():
    # custom small grid: 2 x 1 x 1 units; state at the first centre -> rates [0.4, 0.4 e^(-1/2)]
    settings = {"x_centres": [0.0, 1.0], "theta_centres": [0.0], "thetadot_centres": [0.0], "x_variance": 1.0}
    part = build(RBF, n=2, processing_time=2000, seed=3, **settings)
    spikes = raster(part, (0.0, 0.0, 0.0, 0.0))
    np.testing.assert_allclose(part.rates, [0.4, 0.4 * math.exp(-0.5)], rtol=1e-12)
    # 2000 draws each: standard error <= 0.011
    np.testing.assert_allclose(spikes.mean(axis=0), [0.4, 0.4 * math.exp(-0.5)], atol=0.04)


def test_rbf_state_indices():
    part = build(
        RBF,
        n=2,
        x_centres=[0.0, 1.0],
        theta_centres=[0.0],
        thetadot_centres=[0.0],
        state_indices=[1, 0, 0],
        max_rate=1.0,
    )
    rates = part.grid_rates((0.0, 1.0))  # x read from position 1 -> unit 1 at its centre
    assert rates[1] == pytest.approx(1.0)
    with pytest.raises(ConfigError, match="has no position 1"):
        part.update((0.0,))


# -- poisson --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dt, expected", [(1.0, 0.1), (0.5, 0.05)])
def test_poisson_rate_in_hz(dt, expected):
    # p = rate * dt / 1000: 100 Hz -> 0.1 per 1 ms step, 0.05 per 0.5 ms step
    part = build(Poisson, n=1000, processing_time=200, dt=dt, seed=4)
    spikes = raster(part, 100.0)
    np.testing.assert_allclose(part.rates, expected)
    # 200000 draws: standard error < 0.0007
    assert spikes.mean() == pytest.approx(expected, abs=0.004)


def test_poisson_table_in_hz_tiles_like_rate_map():
    part = build(Poisson, n=4, state_rates_hz={"(1, 0)": [40.0, 0.0], "(0, 1)": [0.0, 1000.0]})
    part.update((True, False))
    np.testing.assert_allclose(part.rates, [0.04, 0.0, 0.04, 0.0])
    assert bits(raster(part, (0, 1), 1)[0]) == "0101"  # 1000 Hz at 1 ms: certain


def test_poisson_rejects_probabilities_above_one():
    with pytest.raises(
        ConfigError, match=r"rates must lie in \[0, 1000\] Hz for dt = 1 ms .got min 0, max 1500"
    ):
        build(Poisson, n=2, state_rates_hz={"1": [0.0, 1500.0]})
    part = build(Poisson, n=2, dt=2.0)
    with pytest.raises(ConfigError, match=r"\[0, 500\] Hz for dt = 2 ms"):
        part.update((600.0, 0.0))
    with pytest.raises(ConfigError, match="must be rates in Hz"):
        part.update("fast")


# -- inside a network ---------------------------------------------------------------------------


def test_rate_map_drives_a_network_by_registered_name():
    # rate 1 inputs (state 1) each deliver 1 to both neurons (ConstantWeight 1): threshold 2 is reached
    # after the first integration, state 0 (rate 0) keeps the network silent
    network = Network(
        n_inputs=4,
        n_neurons=2,
        n_outputs=2,
        processing_time=5,
        input={"type": "rate_map", "state_rate_map": {"0": [0.0, 0.0], "1": [1.0, 1.0]}},
        neuron={"type": "neuron", "firing_threshold": 2.0, "potential_decay": 1.0},
        weight={"type": toy_parts.ConstantWeight, "value": 1.0},
        readout=toy_parts.CountReadout,
        seed=0,
    )
    network.reset()
    assert network.tick(0) == 0
    # step 0: V = 0 -> silent, then V = 4; steps 1..4 both neurons fire: 8 spikes
    assert network.tick(1) == 8


def test_rate_map_from_toml_with_string_keys():
    spec = tomllib.loads(
        """
        seed = 3
        [network]
        n_inputs = 4
        n_neurons = 1
        n_outputs = 1
        processing_time = 3
        [input]
        type = "rate_map"
        [input.state_rate_map]
        "0,0" = [0.0, 0.0]
        "(1, 0)" = [1.0, 0.0]
        "[0, 1]" = [0.0, 1.0]
        "1,1" = [1.0, 1.0]
        [neuron]
        type = "neuron"
        [weight]
        type = "manual"
        matrix = [[1.0], [1.0], [1.0], [1.0], [0.0]]
        max_weight = 1.0
        [readout]
        type = "threshold"
        """
    )
    network = Network.from_spec(spec)
    network.reset()
    network.tick((True, False))
    np.testing.assert_array_equal(network.spike_log[:, :4], [[1, 0, 1, 0]] * 3)
    network.tick((False, True))
    np.testing.assert_array_equal(network.spike_log[:, :4], [[0, 1, 0, 1]] * 3)


# -- spike_trains ------------------------------------------------------------------------------
def _spike_trains(settings, n_inputs=4, processing_time=6, seed=0):
    from spikey_parts.inputs.spike_trains import SpikeTrains

    ctx = BuildContext(
        n_inputs=n_inputs,
        n_neurons=1,
        n_outputs=1,
        processing_time=processing_time,
        rng=np.random.default_rng(seed),
    )
    return SpikeTrains(from_dict(SpikeTrains.Config, settings), ctx)


def test_spike_trains_replay_the_frozen_train_of_each_units_feature_value():
    part = _spike_trains({"rate": 0.5})
    # the generator first draws the 4 polarities, then the trains, compared with the rate
    rng = np.random.default_rng(0)
    rng.random(4)
    expected = rng.random((2, 6, 4)) < 0.5
    assert np.array_equal(part.trains, expected)
    for state in [(0, 1), (1, 1), (0, 1)]:
        part.update(state)
        got = np.array([part.fire().copy() for _ in range(6)])
        # unit i encodes feature i mod 2 as copy i // 2: units 0, 1 replay copy 0, units 2, 3 copy 1
        values = [state[0], state[1], state[0], state[1]]
        want = np.stack([expected[values[i], :, i // 2] for i in range(4)], axis=1)
        assert np.array_equal(got, want)


def test_equal_feature_values_fire_in_synchrony():
    part = _spike_trains({"rate": 0.3}, n_inputs=2, processing_time=50)
    for state, synchronous in [((1, 1), True), ((0, 0), True), ((0, 1), False)]:
        part.update(state)
        got = np.array([part.fire().copy() for _ in range(50)])
        assert np.array_equal(got[:, 0], got[:, 1]) == synchronous


def test_spike_trains_rate_and_errors():
    part = _spike_trains({"rate": 0.1}, n_inputs=200, processing_time=500)
    assert abs(part.trains.mean() - 0.1) < 0.005  # 200,000 draws: sd 0.0007
    with pytest.raises(ConfigError, match="length.*shorter than processing_time = 6"):
        _spike_trains({"length": 3})
    part = _spike_trains({})
    with pytest.raises(ConfigError, match="outside 0 .. 1"):
        part.update((0, 2))
    with pytest.raises(ConfigError, match="not a multiple of the 3 state features"):
        part.update((0, 1, 1))


def test_spike_trains_conforms():
    from spikey_parts.inputs.spike_trains import SpikeTrains

    check_part("input", SpikeTrains, settings={"rate": 0.3})
