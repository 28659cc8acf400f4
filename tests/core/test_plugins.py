"""Discovery with injected entry points: order, provenance, failures and opt-outs."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import pytest
from installed import requires
from spikey_core.plugins import AUTOLOAD_ENV, BLOCK_ENV

from spikey_core import PluginConflictError, PluginError, UnknownNameError, hookimpl, load_registry


class FakeDist:
    def __init__(self, name, version):
        self.name, self.version = name, version


class FakeEntryPoint:
    """Stands in for importlib.metadata.EntryPoint: name, value, dist and load()."""

    def __init__(self, name, plugin=None, error=None, dist=("spikey-fake", "1.2.3")):
        self.name, self.value = name, f"fake_{name}.plugin"
        self.dist = FakeDist(*dist)
        self._plugin, self._error = plugin, error
        self.loaded = False

    def load(self):
        self.loaded = True
        if self._error is not None:
            raise self._error
        return self._plugin


class Dummy:
    pass


def plugin_registering(*entries, replace=False):
    module = types.SimpleNamespace()

    @hookimpl
    def spikey_register_parts(registry):
        for kind, name, obj in entries:
            registry.add(kind, name, obj, replace=replace)

    module.spikey_register_parts = spikey_register_parts
    return module


def test_happy_path_order_and_provenance():
    b = FakeEntryPoint(
        "bravo", plugin_registering(("neuron", "b_neuron", Dummy)), dist=("spikey-bravo", "2.0")
    )
    a = FakeEntryPoint(
        "alpha", plugin_registering(("neuron", "a_neuron", Dummy)), dist=("spikey-alpha", "1.0")
    )
    registry = load_registry(entry_points=[b, a], env={})
    assert [p.plugin for p in registry.providers] == ["core", "alpha", "bravo"]
    entry = registry.entry("neuron", "b_neuron")
    assert (entry.provider.plugin, entry.provider.distribution, entry.provider.version) == (
        "bravo",
        "spikey-bravo",
        "2.0",
    )
    assert registry.get("backend", "serial").__name__ == "SerialBackend"
    assert registry.names("neuron") == ["a_neuron", "b_neuron"]


@requires("spikey-example")
def test_discovery_is_lazy_nothing_loaded_until_asked():
    code = (
        "import sys, spikey_core, spikey_core.registry as r\n"
        "assert r._loaded is None\n"
        "assert 'spikey_parts.plugin' not in sys.modules and 'spikey_example' not in sys.modules\n"
        "spikey_core.get_registry()\n"
        "assert 'spikey_example' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(__file__))


def test_broken_import_names_plugin_distribution_version_and_fix():
    broken = FakeEntryPoint(
        "broken", error=ModuleNotFoundError("No module named 'scipyy'"), dist=("spikey-broken", "0.3")
    )
    with pytest.raises(PluginError) as caught:
        load_registry(entry_points=[broken], env={})
    message = str(caught.value)
    assert "plugin 'broken' (spikey-broken 0.3)" in message
    assert "No module named 'scipyy'" in message
    assert f"{BLOCK_ENV}=broken" in message
    assert isinstance(caught.value, ImportError)


def test_blocked_plugin_is_not_even_imported():
    broken = FakeEntryPoint("broken", error=RuntimeError("boom"))
    good = FakeEntryPoint("good", plugin_registering(("neuron", "good", Dummy)))
    registry = load_registry(entry_points=[broken, good], env={BLOCK_ENV: " broken , other"})
    assert not broken.loaded
    assert registry.names("neuron") == ["good"]


def test_autoload_disabled_uses_only_builtins_and_explicit_plugins(monkeypatch):
    monkeypatch.setenv(AUTOLOAD_ENV, "1")
    registry = load_registry(plugins=[("inline", plugin_registering(("neuron", "inline", Dummy)))])
    assert [p.plugin for p in registry.providers] == ["core", "inline"]
    assert registry.names("neuron") == ["inline"]


@requires("spikey-parts", "spikey-games", "spikey-meta", "spikey-example")
def test_installed_plugins_are_found_through_the_entry_point_group():
    registry = load_registry(env={})
    names = [p.plugin for p in registry.providers]
    assert names[0] == "core"
    assert {"parts", "games", "meta", "example"} <= set(names)
    assert names[1:] == sorted(names[1:])


def test_clash_names_both_providers_and_how_to_fix():
    one = FakeEntryPoint("one", plugin_registering(("neuron", "lif", Dummy)), dist=("spikey-one", "1.0"))
    two = FakeEntryPoint("two", plugin_registering(("neuron", "lif", Dummy)), dist=("spikey-two", "2.0"))
    with pytest.raises(PluginConflictError) as caught:
        load_registry(entry_points=[one, two], env={})
    message = str(caught.value)
    assert "neuron 'lif' is registered twice" in message
    assert "plugin 'one' (spikey-one 1.0)" in message and "plugin 'two' (spikey-two 2.0)" in message
    assert f"{BLOCK_ENV}=two" in message and "replace=True" in message


def test_deliberate_replace_warns_and_wins():
    class Better:
        pass

    one = FakeEntryPoint("one", plugin_registering(("neuron", "lif", Dummy)))
    two = FakeEntryPoint("two", plugin_registering(("neuron", "lif", Better), replace=True))
    with pytest.warns(UserWarning, match="replaces neuron 'lif'"):
        registry = load_registry(entry_points=[one, two], env={})
    assert registry.get("neuron", "lif") is Better


def test_misspelled_hook_is_reported_with_suggestion():
    module = types.SimpleNamespace()

    @hookimpl
    def spikey_register_part(registry):  # missing the final s
        pass

    module.spikey_register_part = spikey_register_part
    with pytest.raises(PluginError) as caught:
        load_registry(entry_points=[FakeEntryPoint("typo", module)], env={})
    message = str(caught.value)
    assert "'spikey_register_part', which is not a Spikey hook" in message
    assert "did you mean 'spikey_register_parts'" in message


def test_wrong_hook_argument_name_is_reported():
    module = types.SimpleNamespace()

    @hookimpl
    def spikey_register_parts(reg):
        pass

    module.spikey_register_parts = spikey_register_parts
    with pytest.raises(PluginError, match="invalid hook implementation"):
        load_registry(entry_points=[FakeEntryPoint("badarg", module)], env={})


def test_unknown_kind_and_unknown_name():
    bad_kind = FakeEntryPoint("odd", plugin_registering(("nueron", "x", Dummy)))
    with pytest.raises(ValueError, match="unknown kind 'nueron'"):
        load_registry(entry_points=[bad_kind], env={})
    registry = load_registry(
        entry_points=[
            FakeEntryPoint(
                "ok", plugin_registering(("neuron", "lif", Dummy), ("neuron", "izhikevich", Dummy))
            )
        ],
        env={},
    )
    with pytest.raises(UnknownNameError) as caught:
        registry.get("neuron", "lfi")
    assert str(caught.value) == "no neuron named 'lfi'; did you mean 'lif'? (installed: 'izhikevich', 'lif')"
    assert isinstance(caught.value, LookupError)


def command_plugin():
    class CommandPlugin:  # a fresh class each call: pluggy refuses the same plugin object twice
        @staticmethod
        @hookimpl
        def spikey_register_commands(registry):
            registry.add_command("hello", help="say hello", setup=lambda parser: None, run=lambda args: 0)

    return CommandPlugin()


def test_commands_hook_contributes_subcommands():
    registry = load_registry(entry_points=[FakeEntryPoint("cmd", command_plugin())], env={})
    assert registry.commands["hello"].provider.plugin == "cmd"
    assert registry.commands["hello"].help == "say hello"
    with pytest.raises(PluginConflictError, match="command 'hello' is registered twice"):
        load_registry(
            entry_points=[FakeEntryPoint("cmd", command_plugin()), FakeEntryPoint("cmd2", command_plugin())],
            env={},
        )


def plugin_raising(error):
    module = types.SimpleNamespace()

    @hookimpl
    def spikey_register_parts(registry):
        registry.add("neuron", "half_done", Dummy)  # registered before the failure: must not survive
        raise error

    module.spikey_register_parts = spikey_register_parts
    return module


def test_hook_that_raises_names_plugin_distribution_version_and_how_to_block():
    bad = FakeEntryPoint("flaky", plugin_raising(KeyError("tau")), dist=("spikey-flaky", "0.3"))
    with pytest.raises(PluginError) as caught:
        load_registry(entry_points=[bad], env={})
    message = str(caught.value)
    assert "plugin 'flaky' (spikey-flaky 0.3)" in message
    assert "spikey_register_parts raised KeyError: 'tau'" in message
    assert f"{BLOCK_ENV}=flaky" in message and "uninstall 'spikey-flaky'" in message
    assert isinstance(caught.value.__cause__, KeyError)


def test_skip_broken_keeps_the_good_plugins_and_lists_the_broken_ones():
    good = FakeEntryPoint("good", plugin_registering(("neuron", "fine", Dummy)))
    unimportable = FakeEntryPoint("gone", error=ImportError("no module named 'gone'"))
    raising = FakeEntryPoint("flaky", plugin_raising(RuntimeError("boom")))
    registry = load_registry(entry_points=[good, unimportable, raising], env={}, skip_broken=True)
    assert registry.names("neuron") == ["fine"]  # nothing of the plugin that failed half-way
    assert sorted(b.provider.plugin for b in registry.broken) == ["flaky", "gone"]
    assert [p.plugin for p in registry.providers] == ["core", "good"]
    errors = {b.provider.plugin: b.error for b in registry.broken}
    assert "no module named 'gone'" in errors["gone"] and f"{BLOCK_ENV}=gone" in errors["gone"]
    assert "RuntimeError: boom" in errors["flaky"]


@pytest.mark.parametrize("replacer_name", ["aaa", "zzz"])
def test_replace_wins_whatever_the_entry_point_names_sort_to(replacer_name):
    class Better:
        pass

    original = FakeEntryPoint("mmm", plugin_registering(("neuron", "lif", Dummy)), dist=("spikey-mmm", "1"))
    replacer = FakeEntryPoint(
        replacer_name, plugin_registering(("neuron", "lif", Better), replace=True), dist=("spikey-r", "2")
    )
    with pytest.warns(UserWarning, match=rf"plugin '{replacer_name}' \(spikey-r 2\) replaces neuron 'lif'"):
        registry = load_registry(entry_points=[original, replacer], env={})
    assert registry.get("neuron", "lif") is Better
    assert registry.entry("neuron", "lif").provider.plugin == replacer_name


def test_two_replacements_of_one_name_conflict():
    one = FakeEntryPoint("one", plugin_registering(("neuron", "lif", Dummy), replace=True))
    two = FakeEntryPoint("two", plugin_registering(("neuron", "lif", Dummy), replace=True))
    with pytest.raises(PluginConflictError, match="replaced twice"):
        load_registry(entry_points=[one, two], env={})


def test_conflict_advice_is_what_a_plugin_author_can_do():
    one = FakeEntryPoint("one", plugin_registering(("neuron", "lif", Dummy)), dist=("spikey-one", "1.0"))
    two = FakeEntryPoint("two", plugin_registering(("neuron", "lif", Dummy)), dist=("spikey-two", "2.0"))
    with pytest.raises(PluginConflictError) as caught:
        load_registry(entry_points=[one, two], env={})
    message = str(caught.value)
    assert "registry.add('neuron', 'lif', YourClass, replace=True)" in message
    assert "'two_lif'" in message  # a concrete other name
    assert "spikey_parts" not in message  # no advice pointing at a first-party package


def test_set_registry_replaces_what_none_means_and_none_reloads(toy_registry):
    from spikey_core import get_registry, set_registry

    loaded = get_registry()
    try:
        set_registry(toy_registry)
        assert get_registry() is toy_registry and "echo" in get_registry().names("game")
        set_registry(None)
        reloaded = get_registry()
        assert reloaded is not toy_registry and reloaded is not loaded  # loaded again, from entry points
        assert reloaded.names("neuron") == loaded.names("neuron")
    finally:
        set_registry(loaded)
