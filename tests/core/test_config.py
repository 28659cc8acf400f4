import attrs
import numpy as np
import pytest
from spikey_core.config import AnyOf, ArrayLike, Boolean, Integer, OneOf, Optional, Real, String, probability

from spikey_core import ConfigError, describe, from_dict, param


@attrs.frozen(kw_only=True)
class LeakConfig:
    potential_decay: float = param(check=probability(), doc="fraction of (V - rest) lost per step, in [0, 1]")
    refractory_period: int = param(default=0, check=Integer(ge=0), doc="steps blocked after a spike")
    mode: str = param(default="fast", check=OneOf(("fast", "exact")), doc="integration scheme")
    threshold: object = param(default=1.0, check=AnyOf(Real(gt=0), OneOf(("mean",))), doc="fixed or 'mean'")


def test_from_dict_accepts_numpy_scalars_and_builds():
    config = from_dict(LeakConfig, {"potential_decay": np.float32(0.25), "refractory_period": np.int64(3)})
    assert config.potential_decay == pytest.approx(0.25)
    assert config.refractory_period == 3


def test_from_dict_collects_every_problem_with_addresses():
    with pytest.raises(ConfigError) as caught:
        from_dict(
            LeakConfig,
            {"potental_decay": 0.1, "refractory_period": -1, "mode": "fsat", "threshold": "median"},
            address="$.neuron",
        )
    lines = caught.value.problems
    assert "$.neuron.potental_decay: unknown key; did you mean 'potential_decay'?" in lines
    assert (
        "$.neuron.potential_decay: required field missing (fraction of (V - rest) lost per step, in [0, 1])"
        in lines
    )
    assert "$.neuron.refractory_period: must be >= 0 (got -1)" in lines
    assert any(
        line.startswith("$.neuron.mode: must be one of 'fast', 'exact'") and "did you mean 'fast'" in line
        for line in lines
    )
    assert any(line.startswith("$.neuron.threshold: must be") for line in lines)
    assert len(lines) == 5
    assert str(caught.value).startswith("5 configuration problems:")


def test_single_problem_message_is_exactly_the_addressed_line():
    with pytest.raises(ConfigError) as caught:
        from_dict(LeakConfig, {"potential_decay": 1.5}, address="$.neuron")
    assert str(caught.value) == "$.neuron.potential_decay: must be <= 1 (got 1.5)"


@pytest.mark.parametrize("value", [True, np.bool_(False), "0.5", None, [0.5]])
def test_bools_strings_and_containers_are_not_numbers(value):
    assert Real().problem(value) is not None
    assert Integer().problem(value) is not None


def test_integer_rejects_float_and_nan_is_rejected_by_real():
    assert Integer().problem(2.0) == "must be an integer (got 2.0)"
    assert Real().problem(float("nan")) == "must be a finite number (got nan)"


@pytest.mark.parametrize("value", [float("inf"), -float("inf"), np.float32("inf"), np.float64("-inf")])
def test_real_rejects_infinity_unless_the_field_allows_it(value):
    assert "must be a finite number" in Real().problem(value)
    assert "must be a finite number" in Real(le=1e300).problem(value)
    assert Real(allow_inf=True).problem(value) is None
    assert Real(allow_inf=True).problem(float("nan")) is not None


def test_direct_construction_validates_too():
    with pytest.raises(ConfigError, match=r"LeakConfig.potential_decay: must be <= 1 \(got 2\)"):
        LeakConfig(potential_decay=2)
    with pytest.raises(ValueError):  # ConfigError is a ValueError
        LeakConfig(potential_decay=-1)


def test_other_checks():
    assert Boolean().problem(1) == "must be true or false (got 1)"
    assert String(non_empty=True).problem("") == "must not be empty"
    assert Optional(Real()).problem(None) is None
    assert ArrayLike(ndim=2).problem([1, 2]) == "must have 2 dimension(s) (got shape (2,))"
    assert ArrayLike(ge=0).problem([[1, -2]]) == "entries must be >= 0 (found -2.0)"
    assert ArrayLike().problem([1, float("inf")]) == "must contain only finite numbers (found NaN or inf)"
    assert ArrayLike().problem([[1, 2], [3, 4]]) is None


def test_cross_field_problems_are_readdressed():
    @attrs.frozen(kw_only=True)
    class Window:
        low: int = param(check=Integer(), doc="low")
        high: int = param(check=Integer(), doc="high")

        def __attrs_post_init__(self):
            if self.high <= self.low:
                raise ConfigError(f"Window.high: must be > low ({self.low}) (got {self.high})")

    with pytest.raises(ConfigError) as caught:
        from_dict(Window, {"low": 3, "high": 1}, address="$.synapse")
    assert caught.value.problems == ["$.synapse.high: must be > low (3) (got 1)"]


def test_not_a_mapping():
    with pytest.raises(ConfigError, match=r"^\$\.neuron: must be a table of settings \(got 3\)$"):
        from_dict(LeakConfig, 3, address="$.neuron")


def test_describe_lists_fields_ranges_defaults_and_docs():
    text = describe(LeakConfig, title="settings:")
    lines = text.splitlines()
    assert lines[0] == "settings:"
    row = next(line for line in lines if line.strip().startswith("potential_decay"))
    assert "real number in [0, 1]" in row and "(required)" in row and "fraction of (V - rest)" in row
    row = next(line for line in lines if line.strip().startswith("refractory_period"))
    assert "integer in [0, inf)" in row and " 0 " in row
    assert "one of 'fast', 'exact'" in text
