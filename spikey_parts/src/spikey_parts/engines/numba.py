"""The ``numba`` engine: the parts' own kernels compiled into one call per game step.

For each combination of part kernels (neuron, weight, learning rule, per-step rewarder) the
engine writes a small Python module that imports those kernel functions, wraps them with
``numba.njit`` and defines ``run_steps``, the loop over the network steps of a game step in the
order of :mod:`spikey_core.protocols`. The module lives in the kernel cache folder
(``SPIKEY_KERNEL_CACHE``, default ``~/.cache/spikey/kernels``) under a name that hashes the source
of every module holding one of the kernels, so numba's on-disk cache (``cache=True``) is reused
across processes and invalidated whenever a kernel changes. A process compiles each combination
once; later processes load it from the cache.

Per game step the engine asks the parts, in Python, for what the kernels need: the input's
spikes (``spike_block``), the neuron's random numbers (``kernel_noise``, drawn from the neuron's
own generator), every part's state arrays and parameters, and the rewarder's parameters for the
state. Then:

* fused (the usual case): one compiled call runs all ``processing_time`` steps, rewards included;
* handing back: with ``reward_mode = "step"`` and a custom ``step_action`` or a rewarder without
  a kernel, the engine runs one compiled call per network step and calls ``step_action``, the
  rewarder and the rule's ``reward`` in Python in between (about 2-5 us of Python per step).

Install with ``pip install 'spikey-parts[fast]'``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
from spikey_core.kernels import kernel_of
from spikey_core.network import default_step_action

#: Compiled modules of this process by key.
_MODULES: dict[str, Any] = {}
_LOCK = threading.Lock()
_TEMPLATE_VERSION = "2"


def numba_missing() -> str | None:
    """Why numba cannot be used here, or None."""
    if importlib.util.find_spec("numba") is None:
        return "numba is not installed (pip install 'spikey-parts[fast]')"
    return None


def cache_folder() -> Path:
    """Where generated kernel modules (and numba's cache of them) live; created on demand."""
    configured = os.environ.get("SPIKEY_KERNEL_CACHE")
    if configured:
        folder = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(base) / "spikey" / "kernels"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError:  # read-only home: fall back to a private temporary folder
        folder = Path(tempfile.gettempdir()) / f"spikey-kernels-{os.getuid() if hasattr(os, 'getuid') else 0}"
        folder.mkdir(parents=True, exist_ok=True)
    return folder


class NumbaEngine:
    """Compiled engine: the parts' kernels run inside numba, one call per game step.

    Identical to the numpy engine spike for spike: the same random numbers (drawn by the parts'
    own generators, one block per game step), the same element-wise arithmetic (weights equal to
    rounding, bit for bit where the operation order is the same); synaptic currents are summed
    in unit order, which differs from BLAS only in rounding.
    """

    priority = 10

    @classmethod
    def check(cls, network: Any) -> str | None:
        missing = numba_missing()
        if missing is not None:
            return missing
        if network.dtype != np.float64:
            return f"{network.dtype} state runs on the numpy engine (the compiled kernels are float64)"
        for slot in ("input", "neuron", "weight"):
            kernel, reason = kernel_of(getattr(network, slot), slot)
            if kernel is None:
                return reason
        if network.synapse is not None:
            kernel, reason = kernel_of(network.synapse, "synapse")
            if kernel is None:
                return reason
            weight_kernel = kernel_of(network.weight, "weight")[0]
            missing = [r for r in kernel.weight_roles if r not in weight_kernel.functions]
            if missing:
                return (
                    f"synapse {type(network.synapse).__name__} needs {', '.join(missing)} of the weight "
                    f"kernel, which {type(network.weight).__name__} does not provide"
                )
        return None

    def __init__(self, network: Any):
        self.fused_reward = network.reward_mode == "step" and self._rewarder_compiles(network)
        self.key, self.source = _module_source(network, self.fused_reward)
        self.signed = np.zeros(network.n_inputs + network.n_neurons, dtype=np.float64)
        self.run_steps = None

    @staticmethod
    def _rewarder_compiles(network: Any) -> bool:
        if network.step_action is not default_step_action or network.rewarder is None:
            return False
        return kernel_of(network.rewarder, "rewarder")[0] is not None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["run_steps"] = None  # compiled functions stay in their process
        return state

    def __deepcopy__(self, memo: dict) -> NumbaEngine:
        clone = object.__new__(NumbaEngine)
        clone.__dict__.update(self.__dict__)
        return clone

    def _compiled(self, network: Any) -> Any:
        if self.run_steps is None:
            import numba
            from spikey_core.kernels import register_numba, register_weight_kernel

            register_numba()
            weight_kernel = kernel_of(network.weight, "weight")[0]
            register_weight_kernel(numba.typeof(network.weight.kernel_state()), weight_kernel)
            self.run_steps = compiled_module(self.key, self.source).run_steps
        return self.run_steps

    def run(self, network: Any, state: Any) -> None:
        run_steps = self._compiled(network)
        steps = network.processing_time
        n_in, log = network.n_inputs, network.spike_log
        network.input.spike_block(log[:, :n_in])
        neuron, weight, synapse = network.neuron, network.weight, network.synapse
        noise = neuron.kernel_noise(steps)
        learn = network.training and synapse is not None
        rule_state = synapse.kernel_state() if synapse is not None else ()
        rule_params = synapse.kernel_params() if synapse is not None else ()
        arguments = [
            log,
            n_in,
            network.n_outputs,
            network._emit,
            network._current,
            self.signed,
            noise,
            neuron.kernel_state(),
            neuron.kernel_params(),
            weight.kernel_state(),
            weight.kernel_params(),
            rule_state,
            rule_params,
            learn,
        ]
        if self.fused_reward:
            rewarder = network.rewarder
            reward_state, reward_params = rewarder.kernel_state(), rewarder.kernel_params(state)
            run_steps(0, steps, *arguments, reward_state, reward_params, network.tick_rewards)
            network._step = steps - 1
            return
        if network.reward_mode != "step":
            run_steps(0, steps, *arguments)
            network._step = steps - 1
            return
        for t in range(steps):  # hand control back after every step for the Python rewarder
            run_steps(t, t + 1, *arguments)
            network._step = t
            network._step_reward(state, t, learn)


# -- code generation --------------------------------------------------------------------------
def _function(kernel: Any, role: str) -> tuple[str, str]:
    function = kernel.functions[role]
    return function.__module__, function.__qualname__


def _module_source(network: Any, fused_reward: bool) -> tuple[str, str]:
    """``(key, source)`` of the generated module for this network's kernels."""
    kernels = {slot: kernel_of(getattr(network, slot), slot)[0] for slot in ("neuron", "weight")}
    roles = {
        "neuron_fire": _function(kernels["neuron"], "fire"),
        "neuron_integrate": _function(kernels["neuron"], "integrate"),
        "weight_propagate": _function(kernels["weight"], "propagate"),
    }
    has_rule = network.synapse is not None
    refresh = False
    if has_rule:
        kernels["synapse"] = kernel_of(network.synapse, "synapse")[0]
        roles["synapse_step"] = _function(kernels["synapse"], "step")
        roles["synapse_reward"] = _function(kernels["synapse"], "reward")
        refresh = "refresh" in kernels["synapse"].functions
        if refresh:
            roles["synapse_refresh"] = _function(kernels["synapse"], "refresh")
    reward_spikes = "row[first_output:]"
    if fused_reward:
        kernels["rewarder"] = kernel_of(network.rewarder, "rewarder")[0]
        roles["rewarder_step_reward"] = _function(kernels["rewarder"], "step_reward")
        if kernels["rewarder"].spikes == "units":
            reward_spikes = "row"
    lines = [
        '"""Generated by spikey_parts.engines.numba: one compiled game step (do not edit)."""',
        "import numba",
        "from spikey_core.kernels import register_numba",
        "",
        "register_numba()",
    ]
    # every kernel is a registered jitable called by name and compiled inline: no function
    # pointers, so numba can cache run_steps on disk
    for name, (module, qualname) in sorted(roles.items()):
        lines.append(f"from {module} import {qualname} as {name}")
    signature = (
        "t0, t1, log, n_in, n_out, emit, current, signed, noise, neuron_state, neuron_params, "
        "weight_state, weight_params, rule_state, rule_params, learn"
    )
    if fused_reward:
        signature += ", reward_state, reward_params, rewards"
    body = [
        "",
        "",
        "@numba.njit(cache=True, nogil=True)",
        f"def run_steps({signature}):",
        "    first_output = log.shape[1] - n_out",
        "    for t in range(t0, t1):",
        "        row = log[t]",
        "        neuron_fire(neuron_state, neuron_params, noise[t], row[n_in:])",
    ]
    rule_call = "rule_state, rule_params, weight_state, weight_params"
    if refresh:  # a lazy rule brings the spiking units' synapses up to date before they are read
        body += ["        if learn:", f"            synapse_refresh({rule_call}, row)"]
    body += [
        "        weight_propagate(weight_state, weight_params, emit, row, signed, current)",
        "        neuron_integrate(neuron_state, neuron_params, current)",
    ]
    if has_rule:
        body += ["        if learn:", f"            synapse_step({rule_call}, row)"]
    if fused_reward:
        body += [
            f"        reward = rewarder_step_reward(reward_state, reward_params, {reward_spikes})",
            "        rewards[t] = reward",
        ]
        if has_rule:
            body += ["        if learn:", f"            synapse_reward({rule_call}, reward)"]
    source = "\n".join(lines + body) + "\n"
    digest = hashlib.sha256(_TEMPLATE_VERSION.encode())
    digest.update(source.encode())
    for kernel in kernels.values():
        digest.update(kernel.sources().encode())
    import numba

    digest.update(numba.__version__.encode())
    return "spikey_kernel_" + digest.hexdigest()[:20], source


def compiled_module(key: str, source: str) -> Any:
    """Import (writing it first if needed) the generated module ``key``; once per process."""
    with _LOCK:
        module = _MODULES.get(key)
        if module is not None:
            return module
        path = cache_folder() / f"{key}.py"
        if not path.exists() or path.read_text() != source:
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(source)
            os.replace(partial, path)  # atomic: concurrent workers never import half a file
        spec = importlib.util.spec_from_file_location(key, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
        _MODULES[key] = module
        return module
