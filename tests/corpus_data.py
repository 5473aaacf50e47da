"""Seeds plus the test sources of tests/corpus (TEST DATA), copied to a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT, SEEDS

#: The test source sets: written with the code, and held out (written after it).
CORPUS = ROOT / "tests" / "corpus"
HELDOUT = ROOT / "tests" / "corpus-heldout"


def seeds_with(folder: Path, *sets: Path) -> Path:
    """A copy of ``seeds/`` under ``folder`` with the test sets' texts, entities and sheets added
    (the test register always, since every set uses its invented publisher)."""
    root = folder / "seeds"
    shutil.copytree(SEEDS, root)
    for part in ("articles", "entities", "facts"):
        for each in (CORPUS, *sets) if part == "entities" else sets:
            for path in sorted((each / part).glob("*")) if (each / part).is_dir() else []:
                shutil.copy(path, root / part / path.name)
    return root
