"""The conformance kit over every part that the installed plugins register (new parts included).

A part whose Config has required fields needs an entry in SETTINGS (and, for inputs that read a
particular game state, in STATES); the failure message says so.
"""

from __future__ import annotations

import attrs
import pytest
from spikey_core.testing import PART_KINDS, conformance_problems

from spikey_core import load_registry

REGISTRY = load_registry()


def first_value(state):
    """A game's expected action: the first entry of the state (importable, so parts stay picklable)."""
    return int(state[0])


#: What games offer through network_params(): like a network, the kit fills required fields from it
GAME_PARAMS = {"expected_value": first_value}

#: (kind, name) -> settings for parts whose Config has required fields the game does not offer
SETTINGS: dict[tuple[str, str], dict] = {
    ("input", "rate_map"): {"state_rate_map": [[0.0] * 4, [1.0] * 4]},
    ("input", "static_map"): {"state_spike_map": [[0, 0, 0, 0], [1, 1, 0, 0]]},
    ("input", "spike_trains"): {"n_values": 2},
    ("weight", "manual"): {"matrix": [[0.5] * 6] * 10},
    ("input", "gaussian_fields"): {"n_fields": 2, "low": [-1.0, -1.0], "high": [1.0, 1.0]},
    ("readout", "population_vector"): {"n_actions": 2},
    ("readout", "top_action"): {"n_actions": 2},
    ("rewarder", "state_set"): {"rewarded_states": [(1, 0)]},
    ("modifier", "linear_decay"): {"param": "neuron.magnitude", "step_stop": 3, "value_stop": 2.0},
    ("modifier", "drop_off"): {"param": "neuron.magnitude", "step_stop": 3, "value_end": 2.0},
}
#: (kind, name) -> a game state the part accepts (default: (1, 0))
STATES: dict[tuple[str, str], object] = {
    ("input", "rate_map"): 1,
    ("input", "static_map"): 1,
    ("input", "spike_trains"): 1,
    ("input", "rbf"): (0.1, 0.0, 0.05, 0.0),
    ("input", "gaussian_fields"): (0.1, -0.2),
}
#: (kind, name) -> network sizes for parts that fix some of them (default: the kit's 4, 6, 2, 5)
SIZES: dict[tuple[str, str], dict] = {
    ("input", "rbf"): {"n_inputs": 7 * 15 * 15},
}


def _gaussian_input():
    """A gaussian_fields encoder of 2 dimensions x 2 fields = the kit's 4 inputs."""
    from spikey_core.config import from_dict

    from spikey_core import BuildContext

    cls = REGISTRY.get("input", "gaussian_fields")
    config = from_dict(cls.Config, SETTINGS[("input", "gaussian_fields")])
    return cls(config, BuildContext(n_inputs=4, n_neurons=6, n_outputs=2, processing_time=5))


#: (kind, name) -> factory of the parts to offer in ctx.parts, for parts that need particular ones
PARTS: dict[tuple[str, str], object] = {
    ("rewarder", "td_critic"): lambda: {"input": _gaussian_input()},
}
STATES[("rewarder", "td_critic")] = (0.1, -0.2)

#: (kind, name) -> why the kit cannot exercise the part alone (it is tested through a network)
NEEDS_A_NETWORK: dict[tuple[str, str], str] = {
    ("rewarder", "distal_reward"): "reads network.step_spikes when called; the kit builds parts without one",
}

CASES = [(kind, entry.name) for kind in PART_KINDS for entry in REGISTRY.entries(kind)]


def _required_fields(cls) -> list[str]:
    config = getattr(cls, "Config", None)
    if config is None or not attrs.has(config):
        return []
    return [f.name for f in attrs.fields(config) if f.init and f.default is attrs.NOTHING]


def test_every_kind_has_registered_parts():
    kinds = {kind for kind, _ in CASES}
    assert {"input", "neuron", "weight", "synapse", "readout", "rewarder", "modifier"} <= kinds


@pytest.mark.parametrize(("kind", "name"), CASES, ids=[f"{k}:{n}" for k, n in CASES])
def test_registered_part_conforms(kind, name):
    if (kind, name) in NEEDS_A_NETWORK:
        pytest.skip(NEEDS_A_NETWORK[(kind, name)])
    entry = REGISTRY.entry(kind, name)
    cls = entry.obj
    settings = dict(SETTINGS.get((kind, name), {}))
    for field in _required_fields(cls):
        if field not in settings and field in GAME_PARAMS:
            settings[field] = GAME_PARAMS[field]
    missing = [f for f in _required_fields(cls) if f not in settings]
    assert not missing, (
        f"{kind} {name!r} ({entry.provider.distribution}) has required config fields {missing}: add "
        f"an entry for ({kind!r}, {name!r}) to SETTINGS in {__file__} so the kit can build it"
    )
    offered = PARTS.get((kind, name))
    problems = conformance_problems(
        kind,
        cls,
        settings=settings,
        state=STATES.get((kind, name)),
        sizes=SIZES.get((kind, name)),
        parts=offered() if offered is not None else None,
    )
    assert not problems, (
        f"{kind} {name!r} from {entry.provider} breaks the part contract "
        "(spikey_core.testing.check_part):\n  " + "\n  ".join(problems)
    )
