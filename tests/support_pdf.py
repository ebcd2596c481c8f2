"""Reading printed documents back as a reader sees them: which glyphs a PDF draws for its
letters, and its lines in the order they appear on the page."""

from __future__ import annotations

import io
import re

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream


def _to_unicode(font) -> dict[int, str]:
    """A font's ToUnicode map: glyph code -> the text it stands for."""
    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    text = stream.get_object().get_data().decode("latin-1")
    mapping: dict[int, str] = {}

    def chars(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for source, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(source, 16)] = chars(target)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for first, last, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(target, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _font_program(font) -> TTFont | None:
    descendants = font.get("/DescendantFonts")
    descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
    if descriptor is None:
        return None
    descriptor = descriptor.get_object()
    program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
    return TTFont(io.BytesIO(program.get_object().get_data())) if program is not None else None


def _drawn(font: TTFont | None, glyph_id: int) -> bool:
    """Whether a glyph of an embedded TrueType font has an outline (is not blank)."""
    if font is None or "glyf" not in font:
        return False
    order = font.getGlyphOrder()
    if glyph_id >= len(order):
        return False
    glyph = font["glyf"][order[glyph_id]]
    return glyph.numberOfContours != 0


def glyphs_drawn(data: bytes) -> tuple[set[str], int]:
    """What a PDF really draws: the characters it shows with a glyph that has an outline in an
    embedded font, and how many times it fell back to the font's "missing glyph" (glyph 0, the
    empty box). Text is assumed in two-byte glyph codes (Identity-H), as WeasyPrint writes it."""
    drawn: set[str] = set()
    missing = 0
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
        maps = {name: _to_unicode(font) for name, font in fonts.items()}
        programs = {name: _font_program(font) for name, font in fonts.items()}
        current = None
        for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
            if operator == b"Tf":
                current = operands[0]
                continue
            if operator not in (b"Tj", b"TJ"):
                continue
            strings = operands[0] if operator == b"TJ" else operands
            for piece in strings:
                if not isinstance(piece, bytes | str):
                    continue  # a kerning number
                raw = piece if isinstance(piece, bytes) else piece.original_bytes
                for index in range(0, len(raw) - 1, 2):
                    glyph_id = int.from_bytes(raw[index : index + 2], "big")
                    if glyph_id == 0:
                        missing += 1
                        continue
                    text = maps[current].get(glyph_id, "")
                    if text.strip() and _drawn(programs[current], glyph_id):
                        drawn.update(text)
    return drawn, missing


#: An organisation's name in Arabic that ends in a bracket and a full stop.
ARABIC_ORGANISATION = "جمعية الجالية السورية (مستوى A1–B1)."
#: The same, as it is seen when laid out right to left, read from the left: the full stop, the
#: bracket, the level, then the words, each mirrored. (A mirrored bracket's glyph may be named
#: "(" or ")" in the PDF.) Laid out left to right, it would read "ةيروسلا ... (ىوتسم A1–B1).".
ARABIC_ORGANISATION_SEEN_RIGHT_TO_LEFT = re.compile(r"\.[()]A1–B1 ىوتسم[()] ةيروسلا ةيلاجلا ةيعمج")


def visual_lines(data: bytes) -> list[str]:
    """The PDF's lines as they are seen, left to right: pypdf's layout mode places the glyphs
    by their position, so a text laid out right to left comes out mirrored."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def x_position(data: bytes, needle: str, page_number: int = 1) -> float:
    """How far from the left edge of a page (in points) the line holding ``needle`` starts."""
    page = PdfReader(io.BytesIO(data)).pages[page_number - 1]
    lines: dict[tuple[float, float], list[str]] = {}

    def visit(text, cm, tm, font, size):
        start = (cm[0] * tm[4] + cm[2] * tm[5] + cm[4], cm[1] * tm[4] + cm[3] * tm[5] + cm[5])
        lines.setdefault(start, []).append(text)

    page.extract_text(visitor_text=visit)
    found = [x for (x, _y), pieces in lines.items() if needle in "".join(pieces)]
    assert found, f"{needle!r} is not on the page"
    return found[0]
