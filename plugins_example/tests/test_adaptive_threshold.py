"""The example plugin: discoverable, conformant, correct, and usable inside a Network."""

import numpy as np
from spikey_core.testing import check_part
from spikey_core.weights import DenseWeight
from spikey_example import AdaptiveThreshold

from spikey_core import EmptyConfig, Network, Part, load_registry


def test_discoverable_through_the_entry_point():
    registry = load_registry(env={})
    entry = registry.entry("neuron", "adaptive_threshold")
    assert entry.obj is AdaptiveThreshold
    assert (entry.provider.plugin, entry.provider.distribution) == ("example", "spikey-example")


def test_passes_the_conformance_check():
    check_part("neuron", AdaptiveThreshold)
    check_part("neuron", AdaptiveThreshold, settings={"pct_inhibitory": 0.5}, dtype="float32")


def test_threshold_adapts_hand_computed():
    # theta_0 = 1, increment 1, adaptation decay 0.5, no leak, constant input 1 per step.
    # step: V, excess -> fire?   (fire when V >= 1 + excess)
    # t0: V=0, a=0 -> no;  V=1, a=0
    # t1: V=1, a=0 -> yes; V=0+1=1, a=0*0.5+1=1
    # t2: V=1, a=1 -> no;  V=2, a=0.5
    # t3: V=2, a=0.5 -> yes; V=1, a=0.25+1=1.25
    # t4: V=1, a=1.25 -> no; V=2, a=0.625
    # t5: V=2, a=0.625 -> yes
    from spikey_core.config import from_dict
    from spikey_core.part import BuildContext

    config = from_dict(
        AdaptiveThreshold.Config,
        {
            "firing_threshold": 1.0,
            "threshold_increment": 1.0,
            "adaptation_decay": 0.5,
            "potential_decay": 0.0,
        },
    )
    neuron = AdaptiveThreshold(config, BuildContext(n_inputs=0, n_neurons=1, n_outputs=1, processing_time=1))
    fired = []
    for _ in range(6):
        fired.append(bool(neuron.fire()[0]))
        neuron.integrate(np.ones(1))
    assert fired == [False, True, False, True, False, True]


class AlwaysOn(Part):
    """Every input unit spikes at every step."""

    Config = EmptyConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.polarities = np.ones(ctx.n_inputs)
        self.magnitude = 1.0
        self._spikes = np.ones(ctx.n_inputs, dtype=bool)

    def update(self, state):
        pass

    def fire(self):
        return self._spikes


class InputToAll(DenseWeight):
    """Weight 1 from every input to every neuron, no recurrent synapses."""

    Config = EmptyConfig

    def __init__(self, config, ctx):
        super().__init__(config, ctx)
        self.matrix[: ctx.n_inputs] = 1.0
        self.mask[...] = self.matrix > 0


class SpikeCount(Part):
    Config = EmptyConfig

    def __call__(self, spikes, polarities):
        return int(spikes.sum())


def test_runs_inside_a_network_and_adapts():
    network = Network(
        n_inputs=1,
        n_neurons=2,
        n_outputs=1,
        processing_time=30,
        input=AlwaysOn,
        neuron={
            "type": "adaptive_threshold",
            "firing_threshold": 1.0,
            "threshold_increment": 1.0,
            "adaptation_decay": 0.05,
            "potential_decay": 0.0,
        },
        weight=InputToAll,
        readout=SpikeCount,
        seed=0,
    )
    network.reset()
    counts = [network.tick(None) for _ in range(4)]
    # the output neuron fires every other step at first, then ever less often as its threshold grows
    assert counts[0] >= 5
    assert counts[0] > counts[-1] > 0
