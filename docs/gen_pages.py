"""Pages generated at build time (mkdocs-gen-files): the part catalogue and the tutorials.

The catalogue comes from the installed plugins' registry and every part's Config metadata, through
the same function as ``spikey describe`` (``spikey_core.catalogue``); the tutorials are the executed
notebooks of ``examples/``, rendered by mkdocs-jupyter.
"""

from pathlib import Path

import mkdocs_gen_files
from spikey_core.catalogue import catalogue_markdown

from spikey_core import get_registry

ROOT = Path(__file__).resolve().parent.parent

with mkdocs_gen_files.open("catalogue.md", "w") as page:
    page.write(catalogue_markdown(get_registry()))

for notebook in sorted((ROOT / "examples").glob("*.ipynb")):
    with mkdocs_gen_files.open(f"tutorials/{notebook.name}", "w") as copy:
        copy.write(notebook.read_text(encoding="utf-8"))
