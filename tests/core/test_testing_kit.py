"""spikey_core.testing: the conformance check finds what the kernel relies on."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
import toy_parts as toy
from spikey_core.config import Real
from spikey_core.testing import check_config_class, check_part, conformance_problems

from spikey_core import Part, param


@pytest.mark.parametrize(
    "kind, cls, settings",
    [
        ("input", toy.BernoulliInput, {}),
        ("neuron", toy.ThresholdNeuron, {}),
        ("weight", toy.ConstantWeight, {"value": 0.5}),
        ("synapse", toy.CountingSynapse, {}),
        ("readout", toy.CountReadout, {}),
        ("rewarder", toy.ConstantRewarder, {}),
    ],
)
def test_toy_parts_conform(kind, cls, settings):
    check_part(kind, cls, settings=settings)


def test_undocumented_unchecked_mutable_config_is_reported():
    @attrs.define(kw_only=True)
    class Loose:
        a: float = attrs.field(default=1.0)

    class Part1(Part):
        Config = Loose

    problems = check_config_class(Part1)
    assert any(
        p.startswith("Part1.Config is a mutable attrs class; declare it @attrs.frozen") for p in problems
    )
    assert any("Part1.Config.a: has no doc" in p for p in problems)
    assert any("Part1.Config.a: has no check" in p for p in problems)


def test_unseeded_randomness_is_caught():
    class GlobalRandomInput(toy.BernoulliInput):
        def fire(self):
            self._spikes[:] = np.random.random(self._spikes.shape) < 0.5
            return self._spikes

    problems = conformance_problems("input", GlobalRandomInput)
    assert "GlobalRandomInput: same seed gave different spikes; draw only from self.rng" in problems


def test_learning_in_eval_is_caught():
    class Leaky(toy.CountingSynapse):
        def reward(self, reward):
            self.weight.matrix += 0.01
            self.weight.clip()

    problems = conformance_problems("synapse", Leaky)
    assert "Leaky: reward() changed weights after eval(); eval must freeze learning" in problems


def test_weight_that_touches_absent_synapses_is_caught():
    class Dense(toy.ConstantWeight):
        def clip(self):
            np.clip(self.matrix, 0, self.max_weight, out=self.matrix)

    class Masked(Dense):
        def __init__(self, config, ctx):
            super().__init__(config, ctx)
            self.mask[0, 0] = False

    problems = conformance_problems("weight", Masked, settings={"value": 0.5})
    assert "Masked: absent synapses (dense_mask() False) must be exactly 0" in problems


def test_missing_protocol_member_and_wrong_shapes():
    @attrs.frozen(kw_only=True)
    class C:
        x: float = param(default=1.0, check=Real(), doc="x")

    class NoFire(Part):
        Config = C

        def __init__(self, config, ctx):
            super().__init__(config, ctx)
            self.polarities = np.ones(ctx.n_neurons)
            self.magnitude = 1.0
            self.potentials = np.zeros(ctx.n_neurons)

        def integrate(self, current):
            pass

    [problem] = conformance_problems("neuron", NoFire)
    assert (
        problem.startswith("NoFire: does not implement the neuron protocol (missing: ") and "fire" in problem
    )

    class ShortPolarities(toy.ThresholdNeuron):
        def __init__(self, config, ctx):
            super().__init__(config, ctx)
            self.polarities = np.ones(ctx.n_neurons + 1)

    assert "ShortPolarities: polarities has shape (7,); expected (6,)" in conformance_problems(
        "neuron", ShortPolarities
    )


def test_check_part_raises_assertion_with_all_problems():
    with pytest.raises(AssertionError, match="conformance problem"):
        check_part("nonsense", toy.ThresholdNeuron)


def test_weight_propagating_without_polarity_is_caught():
    class Unsigned(toy.ConstantWeight):
        def propagate(self, spikes, emit, out):
            out[...] = spikes @ self.matrix  # ignores what each unit emits

    problems = conformance_problems("weight", Unsigned, settings={"value": 0.5})
    assert any(p.startswith("Unsigned: propagate() at step 0 gave") for p in problems)


def test_weight_clipping_twice_in_update_is_caught():
    class TwoClips(toy.ConstantWeight):
        def update(self, columns, column_change, rows, row_change):
            self.add_to_columns(columns, column_change)
            self.add_to_rows(rows, row_change)

    problems = conformance_problems("weight", TwoClips, settings={"value": 0.5})
    assert (
        "TwoClips: update() differs from clip(W + column term + row term) (one clip per synapse)" in problems
    )


def test_weight_with_wrong_synapse_ids_is_caught():
    class Shifted(toy.ConstantWeight):
        def synapses_from(self, rows):
            ids, pre, post = super().synapses_from(rows)
            return ids, pre, (post + 1) % self.shape[1]

    problems = conformance_problems("weight", Shifted, settings={"value": 0.5})
    assert any("Shifted: synapses_from()" in p or "Shifted: synapse ids" in p for p in problems)


def test_config_that_is_not_attrs_is_named_as_such():
    class Plain:
        pass

    class Part2(Part):
        Config = Plain

    (problem,) = check_config_class(Part2)
    assert problem.startswith("Part2.Config (") and "Plain) is not an attrs class" in problem


@attrs.frozen(kw_only=True)
class NeedsValue:
    value: float = param(check=Real(), doc="required")


class Needy(toy.ConstantWeight):
    Config = NeedsValue


def test_required_fields_point_to_settings():
    (problem,) = conformance_problems("weight", Needy)
    assert "required field missing" in problem
    assert problem.endswith("pass them as settings={'value': ...}")
    assert conformance_problems("weight", Needy, settings={"value": 0.5}) == []


def test_nan_potentials_are_reported_as_non_finite_not_as_nondeterminism():
    class Blowup(toy.ThresholdNeuron):
        def integrate(self, current):
            super().integrate(current)
            self.potentials[:] = np.nan

    problems = conformance_problems("neuron", Blowup)
    assert any("potentials became non-finite (NaN or inf)" in p for p in problems)
    assert not any("same seed gave different" in p for p in problems)
