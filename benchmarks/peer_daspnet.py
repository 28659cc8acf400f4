"""A peer for ``izhikevich2007-distal-reward``: the algorithm of ModelDB 84167 ``daspnet.m`` written
out directly, with no Spikey part, to compare the experiment's statistics against.

Usage::

    python benchmarks/peer_daspnet.py --seed 0 [--duration 3600] [--out DIR]

Writes ``DIR/peer-daspnet-seed<S>.json`` with the experiment's result names and meanings
(``target_weight``; ``target_percentile`` and ``others_at_or_above_target`` among the other
excitatory-to-excitatory synapses; ``others_above_0.9``; firing rates; ``n_rewards``) and the
final weights in ``DIR/peer-daspnet-seed<S>-weights.npy``.

What it computes, per 1 ms step, in the order of ``daspnet.m`` (Izhikevich 2007, Fig. 1):

1. thalamic input ``I = 13 (U(0, 1) - 0.5)`` to every neuron;
2. neurons with ``v >= 30`` fire: ``v = -65``, ``u += d``, their STDP trace is set to 0.1;
3. LTP: each excitatory synapse onto a firing neuron gains its presynaptic trace one step old
   (``sd += STDP_pre(t - 1)``: the spike travels 1 ms);
4. each firing neuron's synapses deliver their weight to ``I`` in the same step and lose
   ``1.5 STDP_post(t)`` (LTD);
5. two 0.5 ms Euler half steps of ``v' = 0.04 v^2 + 5 v + 140 - u + I``, then
   ``u += a (0.2 v - u)``; the traces decay by 0.95, dopamine by 0.995;
6. every 10 ms, excitatory weights ``s = clip(s + (0.002 + DA) sd, 0, 4)`` and ``sd *= 0.99``;
7. when the chosen synapse's post neuron fires less than 20 ms after its pre neuron, ``DA += 0.5``
   is scheduled 1,001-3,000 ms later.

As in ``daspnet.m``, targets are drawn with replacement (self-synapses and repeats allowed) and
the 10 ms Euler updates of ``s`` and ``sd`` are kept; the chosen synapse is the first
excitatory-to-excitatory synapse of neuron 0 (``daspnet.m`` takes neuron 1's first synapse
whatever its target). Random numbers come from numpy, not MATLAB, so runs match the reference in
distribution, not spike for spike. Needs numba (``spikey-parts[fast]``).
"""

from __future__ import annotations

import json
import time

import numba
import numpy as np
from bench_distal_reward import run_arguments

N_EXC, N_INH, FAN_OUT = 800, 200, 100
MAX_WEIGHT = 4.0
WINDOW_MS = 20


@numba.njit(cache=True)
def simulate_second(
    second,
    v,
    u,
    s,
    sd,
    post,
    incoming_ptr,
    incoming_syn,
    a,
    d,
    trace,
    state,
    noise,
    delay_draws,
    pending,
    spike_counts,
    pre_neuron,
    post_neuron,
):
    """Advance the network by 1,000 steps of 1 ms.

    ``state`` holds ``[dopamine, last pre spike (ms), last post spike (ms), delay draws used]``;
    ``pending[ms]`` counts the rewards due at that millisecond; ``trace`` is the STDP trace at the
    end of the previous step.
    """
    n, fan_out = post.shape
    current = np.empty(n)
    trace_now = np.empty(n)
    fired = np.empty(n, dtype=np.int64)
    for step in range(1000):
        now = second * 1000 + step
        for i in range(n):
            current[i] = 13.0 * (noise[step, i] - 0.5)
            trace_now[i] = trace[i]
        n_fired = 0
        for i in range(n):
            if v[i] >= 30.0:
                fired[n_fired] = i
                n_fired += 1
        for f in range(n_fired):
            k = fired[f]
            v[k] = -65.0
            u[k] += d[k]
            trace_now[k] = 0.1
        for f in range(n_fired):
            k = fired[f]
            for p in range(incoming_ptr[k], incoming_ptr[k + 1]):
                synapse = incoming_syn[p]
                sd.flat[synapse] += trace[synapse // fan_out]
        for f in range(n_fired):
            k = fired[f]
            for j in range(fan_out):
                target = post[k, j]
                current[target] += s[k, j]
                sd[k, j] -= 1.5 * trace_now[target]
        for i in range(n):
            v[i] += 0.5 * ((0.04 * v[i] + 5.0) * v[i] + 140.0 - u[i] + current[i])
            v[i] += 0.5 * ((0.04 * v[i] + 5.0) * v[i] + 140.0 - u[i] + current[i])
            u[i] += a[i] * (0.2 * v[i] - u[i])
            trace[i] = 0.95 * trace_now[i]
        for f in range(n_fired):
            spike_counts[fired[f]] += 1
        state[0] *= 0.995
        if (step + 1) % 10 == 0:
            for i in range(N_EXC):
                for j in range(fan_out):
                    s[i, j] = min(MAX_WEIGHT, max(0.0, s[i, j] + (0.002 + state[0]) * sd[i, j]))
            for i in range(n):
                for j in range(fan_out):
                    sd[i, j] *= 0.99
        pre_fired = False
        post_fired = False
        for f in range(n_fired):
            pre_fired = pre_fired or fired[f] == pre_neuron
            post_fired = post_fired or fired[f] == post_neuron
        if pre_fired:
            state[1] = now
        if post_fired:
            state[2] = now
            if now - state[1] < WINDOW_MS and state[2] > state[1]:
                due = now + 1000 + int(np.ceil(2000.0 * delay_draws[int(state[3])]))
                state[3] += 1
                if due < pending.shape[0]:
                    pending[due] += 1
        if pending[now] > 0:
            state[0] += 0.5 * pending[now]


def build(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Targets with replacement (inhibitory neurons project onto excitatory ones only), weights 1 / -1."""
    n = N_EXC + N_INH
    post = np.concatenate(
        [rng.integers(0, n, size=(N_EXC, FAN_OUT)), rng.integers(0, N_EXC, size=(N_INH, FAN_OUT))]
    )
    weights = np.concatenate([np.ones((N_EXC, FAN_OUT)), -np.ones((N_INH, FAN_OUT))])
    flat_post = post.ravel()
    excitatory_synapses = np.flatnonzero(weights.ravel() > 0)
    incoming_syn = excitatory_synapses[np.argsort(flat_post[excitatory_synapses], kind="stable")]
    incoming_ptr = np.concatenate([[0], np.cumsum(np.bincount(flat_post[incoming_syn], minlength=n))])
    return {"post": post, "s": weights, "incoming_syn": incoming_syn, "incoming_ptr": incoming_ptr}


def run(seed: int, duration: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    n = N_EXC + N_INH
    net = build(rng)
    post, s = net["post"], net["s"]
    synapse = int(np.flatnonzero(post[0] < N_EXC)[0])
    pre_neuron, post_neuron = 0, int(post[0, synapse])
    s[pre_neuron, synapse] = 0.0
    a = np.concatenate([np.full(N_EXC, 0.02), np.full(N_INH, 0.1)])
    d = np.concatenate([np.full(N_EXC, 8.0), np.full(N_INH, 2.0)])
    v = np.full(n, -65.0)
    u = 0.2 * v
    sd, trace, spike_counts = np.zeros_like(s), np.zeros(n), np.zeros(n)
    state = np.array([0.0, -100.0, -1.0, 0.0])
    pending = np.zeros(duration * 1000 + 4000, dtype=np.int64)
    delay_draws = rng.random(duration * 100 + 1000)
    trajectory = []
    start = time.perf_counter()
    for second in range(duration):
        noise = rng.random((1000, n))
        simulate_second(
            second,
            v,
            u,
            s,
            sd,
            post,
            net["incoming_ptr"],
            net["incoming_syn"],
            a,
            d,
            trace,
            state,
            noise,
            delay_draws,
            pending,
            spike_counts,
            pre_neuron,
            post_neuron,
        )
        trajectory.append(float(s[pre_neuron, synapse] / MAX_WEIGHT))
    wall = time.perf_counter() - start
    chosen = pre_neuron * FAN_OUT + synapse
    to_excitatory = (post[:N_EXC] < N_EXC).ravel()
    to_excitatory[chosen] = False
    others = s[:N_EXC].ravel()[to_excitatory] / MAX_WEIGHT
    target = s[pre_neuron, synapse] / MAX_WEIGHT
    return {
        "seed": seed,
        "duration_s": duration,
        "wall_s": wall,
        "target_weight": float(target),
        "target_percentile": float(100.0 * np.mean(others < target)),
        "others_at_or_above_target": float(np.mean(others >= target)),
        "others_mean": float(others.mean()),
        "others_above_0.9": float(np.mean(others >= 0.9)),
        "rate_excitatory_hz": float(spike_counts[:N_EXC].mean() / duration),
        "rate_inhibitory_hz": float(spike_counts[N_EXC:].mean() / duration),
        "n_rewards": int(state[3]),
        "target_trajectory": trajectory,
        "weights": s,
    }


def main() -> None:
    args = run_arguments(__doc__.splitlines()[0])
    document = run(args.seed, args.duration)
    np.save(args.out / f"peer-daspnet-seed{args.seed}-weights.npy", document.pop("weights"))
    (args.out / f"peer-daspnet-seed{args.seed}.json").write_text(json.dumps(document, indent=1))
    print(json.dumps({k: v for k, v in document.items() if k != "target_trajectory"}))


if __name__ == "__main__":
    main()
