"""What people read: plain-text summaries, did-you-mean for kinds, describe, generated Config docs."""

from __future__ import annotations

import attrs
import pytest
from spikey_core.cli import main
from spikey_core.config import Integer, Real, document, param

from spikey_core import catalogue


def test_plain_text_drops_rest_markup():
    text = (
        "Uses ``len_episode`` steps of :class:`~spikey_core.loops.GenericLoop` and :func:`a.b`; *then* stops."
    )
    assert catalogue.plain_text(text) == "Uses len_episode steps of GenericLoop and a.b; then stops."


def test_summary_joins_the_first_paragraph_and_fit_cuts_only_when_asked():
    class Part:
        """A part whose first paragraph
        runs over two lines.

        Second paragraph."""

    assert catalogue.summary(Part) == "A part whose first paragraph runs over two lines."
    assert catalogue.fit("abcdef", None) == "abcdef"
    assert catalogue.fit("abcdef", 4) == "abc…"


def test_parts_prints_whole_descriptions_when_not_a_terminal(toy_registry, capsys):
    long = "x" * 120

    class Verbose:
        __doc__ = f"Starts with ``code`` and {long}."

    toy_registry.add("neuron", "verbose", Verbose)
    assert main(["parts", "neuron"], registry=toy_registry) == 0
    out = capsys.readouterr().out
    assert f"Starts with code and {long}." in out and "``" not in out and "..." not in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["parts", "neurons"], "no kind named 'neurons'; did you mean 'neuron'?"),
        (["describe", "games", "logic"], "no kind named 'games'; did you mean 'game'?"),
    ],
)
def test_misspelled_kind_gets_a_suggestion(toy_registry, args, message, capsys):
    assert main(args, registry=toy_registry) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_describe_works_for_loops_and_objects_without_config(toy_registry, capsys):
    assert main(["describe", "loop", "generic"], registry=toy_registry) == 0
    out = capsys.readouterr().out
    assert "len_episode" in out and "integer in [1, inf)" in out and "``" not in out

    class Plain:
        """Something without settings.

        Parameters
        ----------
        x : int
            Explained in full because there is no settings table.
        """

    toy_registry.add("backend", "plain", Plain)
    assert main(["describe", "backend", "plain"], registry=toy_registry) == 0
    assert "Explained in full" in capsys.readouterr().out


def test_config_docstring_is_generated_from_field_metadata():
    @attrs.frozen(kw_only=True)
    class LeakConfig:
        decay: float = param(default=0.05, check=Real(ge=0, le=1), doc="fraction lost per step")
        steps: int = param(check=Integer(ge=1), doc="how many steps")

    document(LeakConfig)
    assert LeakConfig.__doc__ == (
        "Settings of Leak.\n\nParameters\n----------\n"
        "decay : real number in [0, 1], default 0.05\n    fraction lost per step\n"
        "steps : integer in [1, inf), required\n    how many steps\n"
    )
    document(LeakConfig)  # idempotent
    assert LeakConfig.__doc__.count("Parameters") == 1


def test_hand_written_summary_is_kept_and_registration_documents(toy_registry):
    @attrs.frozen(kw_only=True)
    class OwnConfig:
        """Settings with a summary of their own."""

        rate: float = param(default=1.0, check=Real(gt=0), doc="events per step")

    class Own:
        Config = OwnConfig

    toy_registry.add("rewarder", "own", Own)
    assert OwnConfig.__doc__.startswith("Settings with a summary of their own.\n\nParameters\n")
    assert "rate : real number in (0, inf), default 1.0\n    events per step" in OwnConfig.__doc__


def test_catalogue_markdown_lists_every_kind_with_settings(toy_registry):
    page = catalogue.catalogue_markdown(toy_registry)
    assert "## loop" in page and "### `generic`" in page
    assert "| `len_episode` | integer in [1, inf) | `100` | maximum game steps per episode |" in page
