"""Registrations of spikey-meta."""

from spikey_core import hookimpl
from spikey_meta import meta_cli, report
from spikey_meta.backends.multiprocessing import MultiprocessingBackend
from spikey_meta.backends.ray import RayBackend
from spikey_meta.callbacks.experiment import ExperimentCallback
from spikey_meta.callbacks.rl import RLCallback
from spikey_meta.experiments import classical_conditioning, control, distal_reward, reference, rule_comparison
from spikey_meta.metagames import METAGAMES
from spikey_meta.metrics.conditioning import Conditioning
from spikey_meta.metrics.florian_xor import FlorianXOR


@hookimpl
def spikey_register_parts(registry):
    registry.add("callback", "experiment", ExperimentCallback)
    registry.add("callback", "rl", RLCallback)
    registry.add("backend", "multiprocessing", MultiprocessingBackend)
    registry.add("backend", "ray", RayBackend)
    registry.add("loop", "rule_comparison", rule_comparison.RuleComparisonLoop)
    registry.add("loop", "distal_reward", distal_reward.DistalRewardLoop)
    registry.add("loop", "classical_conditioning", classical_conditioning.ClassicalConditioningLoop)
    registry.add("experiment", "florian-fig1", reference.FlorianFig1)
    registry.add("experiment", "florian-rate-xor", reference.FlorianRateXOR)
    registry.add("experiment", "florian-rate-xor-control", reference.FlorianRateXORControl)
    registry.add("experiment", "florian-temporal-xor", reference.FlorianTemporalXOR)
    registry.add("experiment", "florian-temporal-xor-control", reference.FlorianTemporalXORControl)
    registry.add("experiment", "spikey05-rate-xor", reference.Spikey05RateXOR)
    registry.add("experiment", "spikey05-temporal-xor", reference.Spikey05TemporalXOR)
    registry.add("experiment", "spikey05-conditioning", reference.Spikey05Conditioning)
    registry.add("experiment", "spikey05-conditioning-control", reference.Spikey05ConditioningControl)
    registry.add("experiment", "izhikevich2007-distal-reward", reference.Izhikevich2007DistalReward)
    registry.add(
        "experiment", "izhikevich2007-distal-reward-delays", reference.Izhikevich2007DistalRewardDelays
    )
    registry.add("experiment", "izhikevich2007-conditioning", reference.Izhikevich2007Conditioning)
    registry.add("experiment", "cartpole-balance", control.CartpoleBalance)
    registry.add("experiment", "mountaincar-fields", control.MountainCarFields)
    registry.add("metric", "florian_xor", FlorianXOR)
    registry.add("metric", "conditioning", Conditioning)
    for name, metagame in METAGAMES.items():  # what `spikey evolve` files name in [metagame] type
        registry.add("metagame", name, metagame)


@hookimpl
def spikey_register_commands(registry):
    registry.add_command("report", help=report.HELP, setup=report.setup, run=report.run)
    registry.add_command(
        "series", help=meta_cli.SERIES_HELP, setup=meta_cli.setup_series, run=meta_cli.run_series
    )
    registry.add_command(
        "evolve", help=meta_cli.EVOLVE_HELP, setup=meta_cli.setup_evolve, run=meta_cli.run_evolve
    )
    registry.add_command("tune", help=meta_cli.TUNE_HELP, setup=meta_cli.setup_tune, run=meta_cli.run_tune)
