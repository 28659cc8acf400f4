"""The classical conditioning loop of Izhikevich (2007), Fig. 2: one rewarded stimulus among 100."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
from spikey_core.config import Integer, param

from spikey_core import ConfigError, Network
from spikey_meta.experiments.long_run import LongRunLoop, save_figure


@attrs.frozen(kw_only=True)
class ClassicalConditioningConfig:
    duration: int = param(default=3600, check=Integer(ge=1), doc="simulated time, in seconds (game steps)")
    response_window: int = param(
        default=20,
        check=Integer(ge=1),
        doc="steps after the stimulated neurons fire in which the other neurons' spikes are the response",
    )
    phase: int = param(
        default=600, check=Integer(ge=1), doc="seconds at the start and at the end compared, each"
    )
    conditioned: int = param(default=0, check=Integer(ge=0), doc="input unit of the rewarded stimulus S1")


#: The results a classical-conditioning run adds (see :class:`ClassicalConditioningLoop`).
CONDITIONING_KEYS = (
    "response_s1_start",
    "response_others_start",
    "response_ratio_start",
    "response_s1_end",
    "response_others_end",
    "response_ratio_end",
    "weight_s1_out",
    "weight_others_out",
    "n_presentations",
    "n_s1_presentations",
    "n_rewards",
    "rate_excitatory_hz",
    "rate_inhibitory_hz",
)


class ResponseCounter:
    """The response to each presentation, counted one game step's spikes at a time.

    ``members`` bool (S, N): the neurons each stimulus drives. :meth:`add` takes the spike log of
    a game step (bool (P, U), inputs first); a presentation at absolute step ``t`` (its input
    unit spiking) is answered by the spikes of the neurons outside its set in steps ``t + 2 .. t
    + 1 + window``, which may run into the next game step. ``presentations``: ``(t, stimulus,
    response)`` of every presentation whose window is over.
    """

    def __init__(self, members: np.ndarray, window: int):
        self.members, self.window = members, int(window)
        self.presentations: list[tuple[int, int, int]] = []
        self._pending: list[tuple[int, int]] = []  # presentations whose window is not over yet
        self._tail = np.zeros((0, members.shape[1]), dtype=bool)  # the last steps already added
        self._start = 0  # the absolute step of the next log's first row

    def add(self, log: np.ndarray) -> None:
        n_in = self.members.shape[0]
        rows, units = np.nonzero(log[:, :n_in])
        self._pending += [(self._start + int(r), int(u)) for r, u in zip(rows, units, strict=True)]
        body = np.concatenate([self._tail, log[:, n_in:]])
        first = self._start - self._tail.shape[0]  # the absolute step of body's first row
        waiting = []
        for step, unit in self._pending:
            begin, end = step + 2 - first, step + 2 + self.window - first
            if end > body.shape[0]:
                waiting.append((step, unit))
                continue
            answered = body[begin:end].sum(axis=0)
            self.presentations.append((step, unit, int(answered[~self.members[unit]].sum())))
        self._pending = waiting
        self._tail = body[-(self.window + 2) :]
        self._start += log.shape[0]


class ClassicalConditioningLoop(LongRunLoop):
    """Run the network for ``duration`` seconds with stimuli, the reward tied to one of them.

    The input part presents stimuli (``stimuli``: input unit ``i`` drives the neurons of
    stimulus ``i``, its targets in the weight); the rewarder (``distal_reward`` with
    ``trigger = "pre"``) rewards every presentation of ``conditioned`` (S1) after a random delay.
    The response to a presentation at step ``t`` is the number of spikes of the neurons outside
    the stimulus' own set in steps ``t + 2 .. t + 1 + response_window`` (the stimulated neurons
    fire at ``t + 1``; the others can answer from ``t + 2``).

    ``results``: ``response_s1_start`` / ``response_others_start`` (mean response to S1 and to the
    other stimuli over the first ``phase`` seconds) and their ratio ``response_ratio_start``; the
    same over the last ``phase`` seconds (``..._end``); ``weight_s1_out`` / ``weight_others_out``
    (mean weight / max of the excitatory synapses leaving the excitatory neurons of S1, and of
    every other excitatory neuron, at the end); ``n_presentations``, ``n_s1_presentations``,
    ``n_rewards``; ``rate_excitatory_hz`` / ``rate_inhibitory_hz``. ``info``: every presentation
    (time in s, stimulus, response) and the histograms of the two outgoing weight groups.
    """

    Config = ClassicalConditioningConfig

    RESULT_KEYS = CONDITIONING_KEYS

    def build(self) -> Network:
        network = self.make_network()
        if not self.config.conditioned < network.n_inputs:
            raise ConfigError(
                f"$.loop.conditioned (ClassicalConditioningLoop): must be an input unit < n_inputs = "
                f"{network.n_inputs} (got {self.config.conditioned})"
            )
        _, pre, post = network.weight.synapses_from(np.arange(network.n_inputs))
        self.members = np.zeros((network.n_inputs, network.n_neurons), dtype=bool)
        self.members[pre, post] = True  # the neurons each stimulus drives
        return network

    def _outgoing_weights(self, network: Network) -> tuple[np.ndarray, np.ndarray]:
        """Weights / max of the synapses onto excitatory neurons leaving S1's excitatory neurons,
        and leaving every other excitatory neuron."""
        excitatory = network.polarities[network.n_inputs :] > 0
        in_s1 = self.members[self.config.conditioned] & excitatory

        def leaving(neurons: np.ndarray) -> np.ndarray:
            ids, _, post = network.weight.synapses_from(network.n_inputs + neurons)
            onto_excitatory = network.polarities[network.n_inputs + post] > 0
            return network.weight.values.reshape(-1)[ids[onto_excitatory]] / network.weight.max_weight

        return leaving(np.flatnonzero(in_s1)), leaving(np.flatnonzero(excitatory & ~in_s1))

    def __call__(self) -> tuple[Network, None, dict, dict]:
        config = self.config
        callback, network = self.start_run()
        counts = np.zeros(network.n_inputs + network.n_neurons)
        counter = ResponseCounter(self.members, config.response_window)
        for _ in range(config.duration):
            network.tick(0)
            counts += network.spike_log.sum(axis=0)
            counter.add(network.spike_log)
            if self.progress is not None:
                self.progress.update(1)
        network.synapse.sync()
        table = np.array(counter.presentations, dtype=np.int64).reshape(-1, 3)
        seconds = table[:, 0] / network.processing_time
        s1_out, others_out = self._outgoing_weights(network)
        results = callback.results
        results.update(self._responses(table, seconds))
        excitatory = network.polarities[network.n_inputs :] > 0
        body = counts[network.n_inputs :] / config.duration
        results.update(
            weight_s1_out=float(s1_out.mean()),
            weight_others_out=float(others_out.mean()),
            n_presentations=int(table.shape[0]),
            n_s1_presentations=int((table[:, 1] == config.conditioned).sum()),
            n_rewards=len(network.rewarder.reward_times),
            rate_excitatory_hz=float(body[excitatory].mean()),
            rate_inhibitory_hz=float(body[~excitatory].mean()),
        )
        bins = np.linspace(0.0, 1.0, 41)
        callback.info.update(
            presentation_s=seconds.tolist(),
            presentation_stimulus=table[:, 1].tolist(),
            presentation_response=table[:, 2].tolist(),
            conditioned=config.conditioned,
            histogram_bins=bins.tolist(),
            histogram_s1_out=np.histogram(s1_out, bins)[0].tolist(),
            histogram_others_out=np.histogram(others_out, bins)[0].tolist(),
        )
        callback.training_end()
        return network, None, results, callback.info

    def _responses(self, table: np.ndarray, seconds: np.ndarray) -> dict[str, float]:
        """Mean responses to S1 and to the others, and their ratio, over the first and last ``phase`` s."""
        config = self.config
        s1 = table[:, 1] == config.conditioned

        def mean_response(chosen: np.ndarray) -> float:
            return float(table[chosen, 2].mean()) if chosen.any() else float("nan")

        results: dict[str, float] = {}
        for name, phase in (
            ("start", seconds < config.phase),
            ("end", seconds >= config.duration - config.phase),
        ):
            to_s1, to_others = mean_response(phase & s1), mean_response(phase & ~s1)
            results[f"response_s1_{name}"] = to_s1
            results[f"response_others_{name}"] = to_others
            results[f"response_ratio_{name}"] = to_s1 / to_others if to_others > 0 else float("nan")
        return results


def plot_classical_conditioning(info: dict, results: dict, folder: Path, stem: str) -> list[Path]:
    """Two PNGs: the responses to S1 and to the other stimuli over time; the outgoing weights."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    seconds = np.asarray(info["presentation_s"])
    response = np.asarray(info["presentation_response"], dtype=float)
    s1 = np.asarray(info["presentation_stimulus"]) == info["conditioned"]
    figure, axis = plt.subplots(figsize=(7, 3.4))
    edges = np.arange(0.0, (seconds.max() if seconds.size else 0.0) + 60.0, 60.0)
    for chosen, label, colour in ((~s1, "other stimuli", "tab:gray"), (s1, "S1 (rewarded)", "tab:red")):
        totals = np.histogram(seconds[chosen], edges, weights=response[chosen])[0]
        number = np.histogram(seconds[chosen], edges)[0]
        means = np.divide(totals, number, out=np.full(totals.shape, np.nan), where=number > 0)
        axis.plot((edges[:-1] + edges[1:]) / 2, means, color=colour, label=f"{label}, mean per minute")
    axis.plot(seconds[s1], response[s1], ".", color="tab:red", ms=2, alpha=0.4)
    axis.set(xlabel="time (s)", ylabel="spikes of the other neurons", title="response to a stimulus")
    axis.legend(loc="upper left")
    paths.append(save_figure(figure, folder / f"{stem}-response.png"))

    bins = np.asarray(info["histogram_bins"])
    figure, axis = plt.subplots(figsize=(7, 3.2))
    centres, width = (bins[:-1] + bins[1:]) / 2, bins[1] - bins[0]
    for key, label in (
        ("histogram_others_out", "other excitatory neurons"),
        ("histogram_s1_out", "S1's neurons"),
    ):
        total = max(1, sum(info[key]))
        axis.bar(centres, np.asarray(info[key]) / total, width=width, alpha=0.5, label=label)
    axis.set(xlabel="weight / max", ylabel="fraction of their synapses", title="outgoing weights at the end")
    axis.legend()
    paths.append(save_figure(figure, folder / f"{stem}-weights.png"))
    return paths
