"""The distal-reward loop of Izhikevich (2007), Fig. 1: one rewarded synapse in a 1,000-neuron network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import numpy as np
from spikey_core.config import Integer, Real, param

from spikey_core import Network, seeding
from spikey_meta.experiments.long_run import LongRunLoop, save_figure


@attrs.frozen(kw_only=True)
class DistalRewardConfig:
    duration: int = param(default=3600, check=Integer(ge=1), doc="simulated time, in seconds (game steps)")
    target_weight: float = param(
        default=0.0, check=Real(ge=0), doc="starting weight of the chosen synapse (daspnet.m: 0)"
    )
    raster_second: int = param(
        default=-1, check=Integer(), doc="which second's spikes to keep for the raster (-1 = the last)"
    )


#: The results a distal-reward run adds (see :class:`DistalRewardLoop`).
DISTAL_REWARD_KEYS = (
    "target_weight",
    "target_percentile",
    "others_at_or_above_target",
    "others_mean",
    "others_median",
    "others_p99",
    "others_above_0.9",
    "rate_excitatory_hz",
    "rate_inhibitory_hz",
    "n_rewards",
    "target_pre",
    "target_post",
    "target_delay",
)


class DistalRewardLoop(LongRunLoop):
    """Run the network for ``duration`` seconds with the reward tied to one chosen synapse.

    The chosen synapse is drawn with a generator derived from the seed, uniformly among the
    existing synapses between excitatory neurons, and set to ``target_weight``; the rewarder
    (``distal_reward``) is told its pre and post neuron. Each second the chosen weight is recorded
    (after bringing it up to date with the rule's ``sync(ids)``; the others at the end).

    ``results``: ``target_weight`` (final weight of the chosen synapse / max_weight),
    ``target_percentile`` (percentage of the other excitatory-to-excitatory synapses strictly weaker
    than it: 100 = stronger than every other; a tie at the bound does not count as beaten),
    ``others_at_or_above_target`` (fraction of the others at least as strong), ``others_mean`` /
    ``others_median`` / ``others_p99`` (the other excitatory weights / max_weight),
    ``others_above_0.9`` (their fraction >= 0.9 max), ``rate_excitatory_hz`` /
    ``rate_inhibitory_hz`` (mean firing rates over the run), ``n_rewards``, ``target_pre`` /
    ``target_post`` / ``target_delay`` (the chosen synapse's neurons and its delay in steps).
    ``info``: the chosen weight per second, excitatory weight histograms at the start and end, the
    raster of one second.
    """

    Config = DistalRewardConfig
    #: Optional ``f(second, network, trajectory)`` called after every simulated second (progress files).
    on_second: Any = None

    RESULT_KEYS = DISTAL_REWARD_KEYS

    def build(self) -> Network:
        network = self.make_network()
        weight = network.weight
        excitatory_units = np.flatnonzero(network.polarities > 0)
        ids, pre, post = weight.synapses_from(excitatory_units)
        to_excitatory = network.polarities[network.n_inputs + post] > 0
        ids, pre, post = ids[to_excitatory], pre[to_excitatory], post[to_excitatory]
        rng = seeding.generator(self.spec.get("seed"), "distal-reward", "target")
        choice = int(rng.integers(ids.size))
        self.target = (int(ids[choice]), int(pre[choice]), int(post[choice]))
        self.excitatory_ids = ids
        weight.add_at(
            ids[choice : choice + 1],
            np.array([self.config.target_weight - weight.values.reshape(-1)[ids[choice]]]),
        )
        network.rewarder.pre, network.rewarder.post = self.target[1], self.target[2]
        network.rewarder.delay = self._delay_of(network, self.target[0])
        return network

    @staticmethod
    def _delay_of(network: Network, synapse_id: int) -> int:
        """The conduction delay of one synapse, in steps (1 for a weight that has no delays)."""
        synapse_delays = getattr(network.weight, "synapse_delays", None)
        return int(synapse_delays()[synapse_id]) if callable(synapse_delays) else 1

    def _excitatory_weights(self, network: Network) -> np.ndarray:
        network.synapse.sync()
        return network.weight.values.reshape(-1)[self.excitatory_ids] / network.weight.max_weight

    def __call__(self) -> tuple[Network, None, dict, dict]:
        config = self.config
        callback, network = self.start_run()
        target_id = self.target[0]
        start = self._excitatory_weights(network)
        trajectory = [float(network.weight.values.reshape(-1)[target_id] / network.weight.max_weight)]
        counts = np.zeros(network.n_inputs + network.n_neurons)
        raster_second = config.duration - 1 if config.raster_second < 0 else config.raster_second
        raster: list[list[int]] = [[], []]
        target = np.array([target_id], dtype=np.intp)
        for second in range(config.duration):
            network.tick(0)
            # a few spikes: their flat indices cost a fraction of a (P, U) sum or a 2-D nonzero
            times, units = np.divmod(np.flatnonzero(network.spike_log), counts.size)
            counts += np.bincount(units, minlength=counts.size)
            if second == raster_second:
                raster = [times.tolist(), (units - network.n_inputs).tolist()]
            network.synapse.sync(target)  # only the recorded synapse: O(1), not O(synapses)
            trajectory.append(float(network.weight.values.reshape(-1)[target_id] / network.weight.max_weight))
            if self.progress is not None:
                self.progress.update(1)
            if self.on_second is not None:
                self.on_second(second + 1, network, trajectory)
        end = self._excitatory_weights(network)
        choice = int(np.flatnonzero(self.excitatory_ids == target_id)[0])
        others = np.delete(end, choice)
        body = counts[network.n_inputs :] / config.duration
        excitatory = network.polarities[network.n_inputs :] > 0
        results = callback.results
        results.update(
            target_weight=float(end[choice]),
            target_percentile=float(100.0 * np.mean(others < end[choice])),
            others_at_or_above_target=float(np.mean(others >= end[choice])),
            others_mean=float(others.mean()),
            others_median=float(np.median(others)),
            others_p99=float(np.percentile(others, 99)),
            **{"others_above_0.9": float(np.mean(others >= 0.9))},
            rate_excitatory_hz=float(body[excitatory].mean()),
            rate_inhibitory_hz=float(body[~excitatory].mean()),
            n_rewards=len(network.rewarder.reward_times),
            target_pre=self.target[1],
            target_post=self.target[2],
            target_delay=self._delay_of(network, target_id),
        )
        bins = np.linspace(0.0, 1.0, 41)
        callback.info.update(
            target_trajectory=trajectory,
            histogram_bins=bins.tolist(),
            histogram_start=np.histogram(start, bins)[0].tolist(),
            histogram_end=np.histogram(end, bins)[0].tolist(),
            raster_second=raster_second,
            raster=raster,
            n_neurons=network.n_neurons,
            n_excitatory=int(excitatory.sum()),
            reward_times_s=[t / 1000.0 for t in network.rewarder.reward_times],
        )
        callback.training_end()
        return network, None, results, callback.info


def plot_distal_reward(info: dict, results: dict, folder: Path, stem: str) -> list[Path]:
    """Three PNGs: the chosen weight over time, the weight histograms, one second's raster."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    trajectory = np.asarray(info["target_trajectory"])
    figure, axis = plt.subplots(figsize=(7, 3.2))
    axis.plot(np.arange(trajectory.size), trajectory, color="tab:blue", label="chosen synapse")
    rewards = np.asarray(info["reward_times_s"])
    if rewards.size:
        axis.plot(rewards, np.full(rewards.size, -0.03), "|", color="tab:red", ms=6, label="rewards")
    axis.set(xlabel="time (s)", ylabel="weight / max", ylim=(-0.06, 1.05), title="chosen synapse")
    axis.legend(loc="upper left")
    paths.append(save_figure(figure, folder / f"{stem}-target.png"))

    bins = np.asarray(info["histogram_bins"])
    figure, axis = plt.subplots(figsize=(7, 3.2))
    centres, width = (bins[:-1] + bins[1:]) / 2, bins[1] - bins[0]
    axis.bar(centres, info["histogram_start"], width=width, alpha=0.5, label="start")
    axis.bar(centres, info["histogram_end"], width=width, alpha=0.5, label="end")
    axis.axvline(results["target_weight"], color="tab:red", lw=1.5, label="chosen synapse (end)")
    axis.set(xlabel="weight / max", ylabel="exc -> exc synapses", yscale="log", title="weight distribution")
    axis.legend()
    paths.append(save_figure(figure, folder / f"{stem}-histogram.png"))

    times, units = info["raster"]
    figure, axis = plt.subplots(figsize=(7, 3.6))
    axis.plot(times, units, ".", color="black", ms=1.5)
    axis.set(
        xlabel=f"time in second {info['raster_second']} (ms)",
        ylabel="neuron",
        xlim=(0, 1000),
        ylim=(0, info["n_neurons"]),
    )
    axis.axhline(info["n_excitatory"], color="tab:red", lw=0.5)
    axis.set_title("spikes of one second (excitatory below the line)")
    paths.append(save_figure(figure, folder / f"{stem}-raster.png"))
    return paths
