"""Plots render to PNG files; the numbers behind them match hand counts."""

from __future__ import annotations

import builtins

import numpy as np
import pytest
from spikey_meta.viz import data

from spikey_meta import viz

PNG = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    assert path.read_bytes()[:8] == PNG and path.stat().st_size > 1000


def test_spike_raster_tints_inhibitory_units_and_draws_rewards(tmp_path):
    ticks = [np.array([[1, 0, 1], [0, 1, 1]], dtype=bool), np.array([[0, 0, 1], [1, 1, 0]], dtype=bool)]
    figure = viz.spike_raster(ticks, polarities=[1, -1, 1], rewards=[1.0, -1.0], path=tmp_path / "raster.png")
    assert_png(tmp_path / "raster.png")
    raster, strip = figure.axes
    (key,) = strip.child_axes  # the reward strip's colour key, beside it
    assert key.get_ylabel() == "reward"
    assert [t.get_text() for t in raster.get_legend().get_texts()][1] == "spike (inhibitory unit)"
    image = raster.images[0].get_array()
    assert image.shape == (3, 4, 3)  # units x steps x RGB
    np.testing.assert_allclose(image[1, 1], viz.spikes.INHIBITORY)  # unit 1 (inhibitory) spiked at step 1
    np.testing.assert_allclose(image[1, 0], viz.spikes.INHIBITORY_ROW)  # ... and was silent at step 0
    np.testing.assert_allclose(image[0, 0], viz.spikes.EXCITATORY)
    np.testing.assert_allclose(image[0, 1], (1, 1, 1))
    rewards = strip.images[0].get_array()[0]  # one reward per tick spread over its 2 steps: + + - -
    np.testing.assert_allclose(rewards, [1.0, 1.0, -1.0, -1.0])
    assert strip.images[0].get_clim() == (-1.0, 1.0)  # a symmetric scale: 0 is the middle colour


def test_spike_raster_rejects_mismatched_rewards():
    with pytest.raises(ValueError, match="3 rewards cannot be laid under 4 network steps"):
        viz.spike_raster(np.zeros((4, 2), dtype=bool), rewards=[1, 2, 3])


def test_rates_per_state(tmp_path):
    states = [[(0, 1), (1, 1)], [(0, 1)]]
    inrates, outrates, sysrates = [[0.1, 0.2], [0.3]], [[0.5, 0.6], [0.7]], [[0, 0], [0]]
    viz.rates_per_state(states, inrates, outrates, sysrates, path=tmp_path / "r.png")
    assert_png(tmp_path / "r.png")
    keys, means = data.rates_by_state(states, [[0.1, 0.2], [0.3]], [[0.5, 0.6], [0.7]])
    assert keys == [(0, 1), (1, 1)]
    np.testing.assert_allclose(means, [[0.2, 0.6], [0.2, 0.6]])  # (0.1+0.3)/2, (0.5+0.7)/2; then 0.2, 0.6


@pytest.mark.parametrize("rewards", [[[1, 2], [3, 4], [0]], [1.0, 0.0, 1.0, 1.0]])
def test_learning_curve(rewards, tmp_path):
    figure = viz.learning_curve(rewards, window=2, path=tmp_path / "lc.png")
    assert_png(tmp_path / "lc.png")
    points = figure.axes[0].lines[0].get_ydata()
    expected = [3, 7, 0] if isinstance(rewards[0], list) else rewards  # per-episode totals or per-step values
    np.testing.assert_allclose(points, expected)


def test_moving_average_is_trailing():
    np.testing.assert_allclose(data.moving_average([2, 4, 6, 8], 2), [2, 3, 5, 7])


def test_state_action_counts_with_array_states(tmp_path):
    states = [np.array([0, 1]), np.array([1, 1]), np.array([0, 1])]
    viz.state_action_counts(states, [0, 1, 0], path=tmp_path / "sa.png")
    assert_png(tmp_path / "sa.png")
    state_keys, action_keys, counts = data.state_action_matrix([[(0, 1), (1, 1)], [(0, 1)]], [[0, 1], [1]])
    assert state_keys == [(0, 1), (1, 1)] and action_keys == [0, 1]
    np.testing.assert_array_equal(counts, [[1, 1], [0, 1]])


def test_state_transition_matrix_counts_within_episodes(tmp_path):
    viz.state_transition_matrix([[(0, 0), (0, 1)], [(1, 1), (0, 0)]], path=tmp_path / "st.png")
    assert_png(tmp_path / "st.png")
    keys, counts = data.transition_matrix([[1, 2, 1], [2, 2]])
    assert keys == [1, 2]
    # pairs: 1->2, 2->1 in episode 1; 2->2 in episode 2; the 1 -> 2 across episodes is not a transition
    np.testing.assert_array_equal(counts, [[0, 1], [1, 1]])


@pytest.mark.parametrize("dimensions", [2, 3])
def test_delay_embedding(dimensions, tmp_path):
    viz.delay_embedding(np.sin(np.arange(50) / 3), lag=2, dimensions=dimensions, path=tmp_path / "de.png")
    assert_png(tmp_path / "de.png")
    np.testing.assert_array_equal(data.delay_vectors([0, 1, 2, 3, 4], 2, 2), [[0, 2], [1, 3], [2, 4]])
    with pytest.raises(ValueError, match="too short"):
        data.delay_vectors([0, 1], 2, 2)


def test_missing_matplotlib_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(viz.PlotDependencyError, match=r"pip install spikey-meta\[plot\]"):
        viz.learning_curve([1, 2])


def test_heat_map_numbers_are_dark_on_light_cells_and_light_on_dark_ones():
    figure = viz.state_action_counts([0, 0, 0, 0, 1, 1, 2], [0, 0, 0, 0, 0, 1, 1])
    axes = figure.axes[0]
    ink = {text.get_text(): text.get_color() for text in axes.texts}
    assert ink["4"] == "white" and ink["0"] == "black"  # the maximum is the darkest cell, 0 the lightest
    labels = {(round(t.get_position()[0]), round(t.get_position()[1])): t.get_text() for t in axes.texts}
    assert labels[(0, 0)] == "4" and labels[(1, 2)] == "1"


def test_continuous_states_are_binned_never_one_row_per_value(tmp_path):
    rng = np.random.default_rng(0)
    states = [float(x) for x in rng.normal(size=500)]
    actions = [int(a) for a in rng.integers(0, 2, 500)]
    keys, _, counts = data.state_action_matrix(states, actions)
    assert 2 <= len(keys) <= data.MAX_CATEGORIES and counts.sum() == 500  # empty bins are not drawn
    assert [k.low for k in keys] == sorted(k.low for k in keys)  # bins in numeric order
    assert keys[0].low == pytest.approx(min(states)) and keys[-1].high == pytest.approx(max(states))
    vectors = [list(rng.normal(size=4)) for _ in range(300)]
    keys, counts = data.transition_matrix([vectors])
    assert len(keys) <= data.MAX_CATEGORIES and counts.sum() == 299
    figure = viz.state_transition_matrix([vectors], path=tmp_path / "t.png")
    width, height = figure.get_size_inches() * figure.dpi
    assert width < 2000 and height < 2000


def test_learning_curve_legend_sits_beside_the_data(tmp_path):
    figure = viz.learning_curve([float(x) for x in range(50)], path=tmp_path / "lc.png")
    figure.canvas.draw()
    axes = figure.axes[0]
    legend = axes.get_legend().get_window_extent()
    assert legend.x0 >= axes.get_window_extent().x1
