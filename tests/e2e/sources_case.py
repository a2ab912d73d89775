"""A small case of the project's own writing with known dates, for find, source and timeline."""

from __future__ import annotations

from pathlib import Path

ARTICLES = {
    "alpha.md": """# Orion Labs sells spyware to Veldoria

## Information:
+ Source: Test Wire
+ Date: March 3, 2019
+ Author: Casegraph Tests

## Article:
Orion Labs sold its Nightjar spyware to the government of Veldoria. Nightjar is a zero-click
implant. Researchers said Nightjar infected phones of journalists.

Orion Labs denied the report.
""",
    "bravo.md": """# Nightjar returns

## Information:
+ Source: Test Wire
+ Date: 2021-06-01
+ Author: Casegraph Tests

## Article:
Researchers found Nightjar again. Orion Labs hired Kestrel Partners to defend Nightjar in court.
The zero-click exploit chain targeted messaging apps.
""",
    "charlie.txt": """LONDON, 3 March 2022 — Kestrel Partners opened an office in Veldoria.

The firm said spying claims against its clients were false. Spyware vendors were not named.
""",
    "delta.txt": """Notes without a date

Orion Labs appears here with no date at all. Spies and spyware are mentioned once.
""",
}
DATES = {"alpha.md": "2019-03-03", "bravo.md": "2021-06-01", "charlie.txt": "2022-03-03",
         "delta.txt": None}  # fmt: skip


def write_case(folder: Path) -> list[Path]:
    """The articles written into folder, in name order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in sorted(ARTICLES.items()):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
