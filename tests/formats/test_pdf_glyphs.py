"""Every character of the demo firms' data has a glyph in the font the PDF writer draws it with.

The characters are read from a real demo database (every text column of every table, every
firm); the writer's own font choice (TextFitter.runs) names the font for each, and that font's
file is opened with fontTools, an independent reader, to look the character up in its cmap.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from sqlalchemy import String, Text, select

from smarter_export.domain.database import make_engine
from smarter_export.domain.demo_data import DemoSize, load_demo_data
from smarter_export.domain.schema import upgrade
from smarter_export.domain.tables import metadata
from smarter_export.formats.pdf_layout import BODY_SIZE
from smarter_export.formats.pdf_text import BOLD, FALLBACK, FONT_FILES, REGULAR, TextFitter

# Every firm profile of the generator, so every name list and place is drawn from.
DEMO = DemoSize(tenants=5, time_entries=2_000, seed=7)


@pytest.fixture(scope="module")
def demo_characters(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    path = tmp_path_factory.mktemp("glyphs") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_demo_data(engine, DEMO)
    characters: set[str] = set()
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String | Text):
                    for (value,) in connection.execute(select(column).distinct()):
                        characters.update(value or "")
    engine.dispose()
    return characters


def _cmap(font_name: str) -> set[int]:
    fonts = resources.files("smarter_export") / "fonts"
    with resources.as_file(fonts / FONT_FILES[font_name]) as path:
        return set(TTFont(Path(path), lazy=True).getBestCmap())


def test_each_character_has_a_glyph_in_the_font_that_draws_it(demo_characters: set[str]) -> None:
    cmaps = {name: _cmap(name) for name in FONT_FILES}
    # Line breaks and tabs are drawn as spaces (pdf_text._one_line).
    drawn = {character for character in demo_characters if character.isprintable()}
    assert "山" in drawn and "Ø" in drawn and "ễ" in drawn  # the data really is varied
    used: set[str] = set()
    for font_name in (REGULAR, BOLD):  # body cells, and headers and totals
        fitter = TextFitter(font_name, BODY_SIZE)
        for character in sorted(drawn):
            ((font, run),) = fitter.runs(character)
            used.add(font)
            assert ord(run) in cmaps[font], f"{character!r} U+{ord(character):04X} in {font}"
    assert FALLBACK in used
