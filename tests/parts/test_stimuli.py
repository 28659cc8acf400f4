"""The stimuli input (Izhikevich 2007 Fig. 2): one stimulus at a time, at random intervals."""

from __future__ import annotations

import numpy as np
import pytest
from spikey_core.testing import check_part
from spikey_parts.inputs.stimuli import Stimuli

from spikey_core import BuildContext, ConfigError, from_dict


def stimuli(seed=0, processing_time=250, n_inputs=7, **settings):
    ctx = BuildContext(
        n_inputs=n_inputs, n_neurons=3, n_outputs=1, processing_time=processing_time,
        rng=np.random.default_rng(seed),
    )  # fmt: skip
    return Stimuli(from_dict(Stimuli.Config, {"interval_min": 20, "interval_max": 60, **settings}), ctx)


def stream(part, game_steps, by_block):
    rows = []
    for _ in range(game_steps):
        part.update(None)
        if by_block:
            block = np.zeros((part.processing_time, part.n_inputs), dtype=bool)
            part.spike_block(block)
            rows.append(block)
        else:
            rows.append(np.array([part.fire().copy() for _ in range(part.processing_time)]))
    return np.concatenate(rows)


def test_one_stimulus_at_a_time_at_intervals_within_the_range_across_game_steps():
    spikes = stream(stimuli(), 40, by_block=True)
    steps, units = np.nonzero(spikes)
    assert np.all(spikes.sum(axis=1) <= 1)  # never two stimuli in one step
    gaps = np.diff(steps)
    assert gaps.min() >= 20 and gaps.max() <= 60 and {20, 60} <= set(gaps)  # both ends included
    assert 20 <= steps[0] <= 60  # the first one interval after reset
    assert set(units) == set(range(7))  # every stimulus gets presented
    counts = np.bincount(units, minlength=7)
    assert counts.min() > 0.5 * counts.mean()  # uniform choice: no stimulus neglected


def test_the_same_numbers_step_by_step_or_as_a_block_and_from_the_same_seed():
    assert np.array_equal(stream(stimuli(3), 12, by_block=False), stream(stimuli(3), 12, by_block=True))
    assert not np.array_equal(stream(stimuli(3), 12, True), stream(stimuli(4), 12, True))


def test_reset_restarts_the_stream():
    part = stimuli(5)
    stream(part, 3, True)
    part.reset()
    assert part.presented.shape == (0, 2)
    first = np.flatnonzero(stream(part, 1, True).any(axis=1))[0]
    assert 20 <= first <= 60


def test_bad_settings_are_named():
    with pytest.raises(ConfigError, match=r"\$\.input\.interval_min \(Stimuli\): must be <= interval_max"):
        stimuli(interval_min=70)
    with pytest.raises(ConfigError, match=r"n_inputs \(Stimuli\)"):
        stimuli(n_inputs=0)


def test_conforms():
    check_part("input", Stimuli)
