"""Builds the package with its translation catalogues compiled (.po -> .mo).

The .mo files are not kept in git (``make`` compiles them in a checkout); compiling them here,
while the package is built, puts them in every wheel, so that ``pip install .`` gives an
installation that speaks every language without a compile step of its own and with a
read-only package folder. Everything else is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo  # a build requirement (pyproject.toml)
        from babel.messages.pofile import read_po

        for po_path in sorted(Path("oep/translations").glob("*/LC_MESSAGES/messages.po")):
            mo_path = Path(self.build_lib) / po_path.with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po:
                catalog = read_po(po)
            with mo_path.open("wb") as mo:
                write_mo(mo, catalog)


setup(cmdclass={"build_py": BuildWithCatalogues})
