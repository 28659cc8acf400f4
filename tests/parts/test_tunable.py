"""One source of truth for tunable parameters: the part's live attribute is what everything sees."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from spikey_core.config import Integer, Real, param

from spikey_core import BuildContext, ConfigError, Network, Part


def _network(**extra):
    return Network(
        n_inputs=4,
        n_neurons=6,
        n_outputs=2,
        processing_time=5,
        reward_mode="tick",
        input={"type": "rate_map", "state_rate_map": [[0.0] * 4, [1.0] * 4]},
        neuron="neuron",
        weight={"type": "random", "max_weight": 2.0},
        synapse={"type": "rlstdp", "learning_rate": 0.04},
        readout="threshold",
        seed=3,
        **extra,
    )


def test_setting_the_attribute_is_what_spec_save_and_load_report(tmp_path):
    net = _network()
    assert net.neuron.firing_threshold == 16.0  # the default, copied from the config
    net.neuron.firing_threshold = 99
    net.synapse.learning_rate = 0.25
    assert net.spec()["neuron"]["firing_threshold"] == 99
    assert net.neuron.config.firing_threshold == 99
    assert net.spec()["synapse"]["learning_rate"] == 0.25
    net.save(tmp_path / "net")
    loaded = Network.load(tmp_path / "net")
    assert loaded.neuron.firing_threshold == 99.0
    assert loaded.synapse.learning_rate == 0.25
    assert loaded.spec() == net.spec()


def test_live_value_changes_the_simulation():
    # Threshold 99 with weights <= 2 and 4 inputs: body neurons can never reach it (16 can).
    low, high = _network(), _network()
    high.neuron.firing_threshold = 99
    low.reset(), high.reset()
    for _ in range(20):
        low.tick(1), high.tick(1)
    n_in = low.n_inputs
    assert high.spike_log[:, n_in:].sum() == 0
    assert low.spike_log[:, n_in:].sum() > 0


def test_invalid_live_value_is_reported_by_spec_naming_the_field():
    net = _network()
    net.neuron.potential_decay = 1.5
    with pytest.raises(ConfigError, match=r"potential_decay: must be <= 1 \(got 1.5\)"):
        net.spec()


def test_modifier_schedule_shows_in_spec():
    net = _network(
        modifiers=[
            {"type": "linear_decay", "param": "synapse.learning_rate", "step_stop": 4, "value_stop": 0.0}
        ]
    )
    net.reset()
    for _ in range(2):
        net.tick(1)
    # value_start = the configured 0.04; the second update sets step 1 of 4: 0.04 * (1 - 1/4) = 0.03
    assert net.synapse.learning_rate == pytest.approx(0.03)
    assert net.spec()["synapse"]["learning_rate"] == pytest.approx(0.03)


def test_fields_used_only_at_build_are_not_attributes_that_could_drift():
    net = _network()
    # spike_delay sizes a buffer and polarities are drawn once: neither is a tunable copy
    assert net.neuron.polarities.shape == (6,)  # the drawn array, not the config's None
    assert net.spec()["neuron"]["polarities"] is None
    assert net.spec()["neuron"]["spike_delay"] == 0


@attrs.frozen(kw_only=True)
class _KnobConfig:
    gain: float = param(default=2, check=Real(gt=0), doc="a gain", tunable=True)
    count: int = param(default=3, check=Integer(ge=0), doc="a count", tunable=True)
    size: int = param(default=5, check=Integer(ge=1), doc="fixed at build")


class _Knob(Part):
    Config = _KnobConfig


def _knob(**settings):
    ctx = BuildContext(n_inputs=1, n_neurons=1, n_outputs=1, processing_time=1)
    return _Knob(_KnobConfig(**settings), ctx)


def test_part_copies_tunable_fields_as_python_numbers():
    knob = _knob(gain=np.float32(0.5), count=np.int64(7))
    assert type(knob.gain) is float and knob.gain == 0.5
    assert type(knob.count) is int and knob.count == 7
    assert not hasattr(knob, "size")


def test_config_reads_the_live_values_and_is_unchanged_when_nothing_moved():
    knob = _knob()
    built = knob.config
    assert knob.config is built  # 2 == 2.0: no rebuild when the live value equals the config's
    knob.gain = 4.0
    assert knob.config.gain == 4.0 and knob.config.size == 5
    knob.count = -1
    with pytest.raises(ConfigError, match=r"_Knob.config.count: must be >= 0 \(got -1\)"):
        _ = knob.config
