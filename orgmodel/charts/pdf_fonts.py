"""One embedded font for a whole book, instead of one per page.

cairo (graphviz's PDF renderer) embeds a subset of the CJK font in every page it draws, and
each subset carries all of the font's subroutines (~80 KB) however few glyphs the page uses:
a 101-page book held the font 202 times, 16 MB. Here each page's glyphs are traced back to the
installed font by their outline program and font dict (cairo copies both unchanged, so equal
bytes mean the same glyph, width included), one subset of every glyph the document uses is made
per face with fontTools, embedded once, and every page's text is re-encoded to it (Identity-H:
the code of a glyph is its CID in the installed font). A font that cannot be traced — another
font, an outline not found — is left as the page had it: the page still prints, only bigger.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

from fontTools import subset
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

# The tables a CFF subset needs for its outlines and widths; the rest (GSUB, GPOS, vmtx …) is
# dropped before subsetting, which would otherwise spend seconds on a CJK font's layout tables.
KEPT_TABLES = {"CFF ", "head", "hhea", "hmtx", "maxp", "OS/2", "post", "name", "cmap"}
_HEX_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_HEX_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")

GlyphKey = tuple[str | None, bytes]  # (the font dict's name, the charstring's bytes)


@dataclass
class InstalledFace:
    """A font file on this machine, its glyphs indexed by outline."""

    path: str
    index: int
    glyph_of: dict[GlyphKey, str]


@dataclass
class _Usage:
    """What the document uses of one installed face."""

    face: InstalledFace
    glyphs: set[str] = field(default_factory=set)
    text: dict[str, str] = field(default_factory=dict)  # glyph name → the text it stands for
    widths: dict[str, float] = field(default_factory=dict)  # glyph name → width the pages were set with
    descriptor: DictionaryObject | None = None


def _charstring_bytes(charstring: Any) -> bytes:
    if charstring.bytecode is None:
        charstring.compile()
    return bytes(charstring.bytecode)


def _glyph_keys(top: Any) -> dict[str, GlyphKey]:
    """Each glyph of a CID-keyed CFF font → (its font dict's FontName, its charstring)."""
    names = [getattr(fd, "FontName", None) for fd in top.FDArray] if hasattr(top, "FDArray") else [None]
    keys = {}
    for name in top.charset:
        charstring, selector = top.CharStrings.getItemAndSelector(name)
        keys[name] = (names[selector or 0], _charstring_bytes(charstring))
    return keys


@functools.cache
def installed_face(postscript_name: str) -> InstalledFace | None:
    """The installed font whose PostScript name a PDF font names (after its subset tag), or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    found = subprocess.run([fc_list, f":postscriptname={postscript_name}", "file", "index"],
                           capture_output=True, text=True, timeout=30).stdout.splitlines()
    match = re.match(r"(.+?): :index=(\d+)", found[0]) if found else None
    if match is None:
        return None
    path, index = match.group(1), int(match.group(2))
    font = TTFont(path, fontNumber=index, lazy=True)
    if "CFF " not in font:
        return None
    keys = _glyph_keys(font["CFF "].cff.topDictIndex[0])
    glyph_of: dict[GlyphKey, str] = {}
    for name, key in keys.items():
        glyph_of.setdefault(key, name)
    return InstalledFace(path, index, glyph_of)


def _to_unicode(data: bytes) -> dict[int, str]:
    """A ToUnicode CMap's code → text (bfchar entries and simple bfranges)."""
    found: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in _HEX_RANGE.findall(block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[code] = chr(first + offset)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in _HEX_PAIR.findall(block):
            found[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    return found


def _widths(w: Any) -> dict[int, float]:
    """A CIDFont's /W array (`c [w1 w2 …]` and `c_first c_last w` entries): code → width."""
    items, found, i = list(w or []), {}, 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1].get_object(), ArrayObject):
            found.update({first + k: float(v) for k, v in enumerate(items[i + 1].get_object())})
            i += 2
        else:
            found.update(dict.fromkeys(range(first, int(items[i + 1]) + 1), float(items[i + 2])))
            i += 3
    return found


@dataclass
class _Traced:
    name: str  # the installed face's PostScript name
    glyphs: dict[int, str]  # code → installed glyph
    text: dict[int, str]  # code → text
    widths: dict[int, float]  # code → width
    descriptor: DictionaryObject


def _traced(font: Any) -> _Traced | None:
    """A cairo CJK font of a page, traced to the installed face; None when it is not one or a
    glyph is not found."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" or "/ToUnicode" not in font:
        return None
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else None
    if descendant.get("/Subtype") != "/CIDFontType0" or descriptor is None or "/FontFile3" not in descriptor:
        return None
    face = installed_face(str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    if face is None:
        return None
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(descriptor["/FontFile3"].get_object().get_data()), None)
    top = cff[cff.fontNames[0]]
    if not hasattr(top, "ROS"):
        return None
    glyphs: dict[int, str] = {}
    for name, key in _glyph_keys(top).items():
        installed = face.glyph_of.get(key)
        if installed is None:
            return None
        glyphs[0 if name == ".notdef" else int(name.removeprefix("cid"))] = installed
    text = _to_unicode(font["/ToUnicode"].get_object().get_data())
    return _Traced(str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1], glyphs, text,
                   _widths(descendant.get("/W")), descriptor)


def _cid(glyph: str) -> int:
    return 0 if glyph == ".notdef" else int(glyph.removeprefix("cid"))


def _subset_cff(usage: _Usage) -> tuple[bytes, dict[int, float], list[int]]:
    """The CFF of the used glyphs of a face (CIDs kept); each CID's width in 1/1000 em: the
    width the pages were set with (cairo's rounding, which the text's kerning assumes), else the
    font's; and the whole face's bounding box (a page's own covers only its glyphs)."""
    font = TTFont(usage.face.path, fontNumber=usage.face.index)
    for tag in list(font.keys()):
        if tag not in KEPT_TABLES and tag != "GlyphOrder":
            del font[tag]
    options = subset.Options()
    options.notdef_outline = True
    options.layout_features = []
    options.name_IDs = ["*"]
    options.glyph_names = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=sorted(usage.glyphs | {".notdef"}))
    subsetter.subset(font)
    scale = 1000 / font["head"].unitsPerEm
    widths = {_cid(name): usage.widths.get(name, round(font["hmtx"][name][0] * scale)) for name in font.getGlyphOrder()}
    head = font["head"]
    box = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
    out = io.BytesIO()
    font["CFF "].cff.compile(out, font)
    return out.getvalue(), widths, box


def _cmap(text: dict[int, str]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <ffff>", "endcodespacerange"]
    items = sorted(text.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04x}> <{value.encode('utf-16-be').hex()}>" for code, value in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _stream(writer: PdfWriter, data: bytes, **entries: Any) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return writer._add_object(stream.flate_encode())


def _embed(writer: PdfWriter, name: str, usage: _Usage) -> IndirectObject:
    """The shared Type0 font of one face: its subset embedded once, widths, ToUnicode."""
    data, widths, box = _subset_cff(usage)
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
    base = NameObject(f"/{tag}+{name}")
    descriptor = DictionaryObject({NameObject(k): v for k, v in (usage.descriptor or {}).items()
                                   if k not in ("/FontFile", "/FontFile2", "/FontFile3", "/CIDSet")})
    descriptor[NameObject("/Type")] = NameObject("/FontDescriptor")
    descriptor[NameObject("/FontName")] = base
    descriptor[NameObject("/FontBBox")] = ArrayObject(NumberObject(v) for v in box)
    descriptor[NameObject("/FontFile3")] = _stream(writer, data, Subtype=NameObject("/CIDFontType0C"))
    w = ArrayObject()
    for cid, width in sorted(widths.items()):
        w += [NumberObject(cid), ArrayObject([NumberObject(width) if width == int(width) else FloatObject(width)])]
    cid_font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType0"),
        NameObject("/BaseFont"): base,
        NameObject("/CIDSystemInfo"): DictionaryObject({NameObject("/Registry"): TextStringObject("Adobe"),
                                                        NameObject("/Ordering"): TextStringObject("Identity"),
                                                        NameObject("/Supplement"): NumberObject(0)}),
        NameObject("/FontDescriptor"): writer._add_object(descriptor), NameObject("/W"): w})
    text = {_cid(glyph): value for glyph, value in usage.text.items()}
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): base, NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
        NameObject("/ToUnicode"): _stream(writer, _cmap(text))}))


def _recode(value: Any, codes: dict[int, int]) -> ByteStringObject:
    raw = value.original_bytes if isinstance(value, TextStringObject) else bytes(value)
    out = bytearray()
    for i in range(0, len(raw) - 1, 2):
        out += codes.get(int.from_bytes(raw[i:i + 2], "big"), 0).to_bytes(2, "big")
    return ByteStringObject(bytes(out))


def _rewrite(page: PageObject, writer: PdfWriter, recoded: dict[str, dict[int, int]]) -> None:
    """Re-encode the text shown in the fonts of `recoded` (resource name → old code → new code)."""
    content = ContentStream(page.get_contents(), writer)
    font: str | None = None
    saved: list[str | None] = []
    for operands, operator in content.operations:
        if operator == b"Tf":
            font = str(operands[0])
        elif operator == b"q":
            saved.append(font)
        elif operator == b"Q" and saved:
            font = saved.pop()
        elif font in recoded and operator in (b"Tj", b"'"):
            operands[0] = _recode(operands[0], recoded[font])
        elif font in recoded and operator == b'"':
            operands[2] = _recode(operands[2], recoded[font])
        elif font in recoded and operator == b"TJ":
            operands[0] = ArrayObject(_recode(item, recoded[font]) if isinstance(item, (TextStringObject, ByteStringObject))
                                      else item for item in operands[0])
    page.replace_contents(content)


def _drop(writer: PdfWriter, value: Any) -> None:
    """Forget a replaced font's objects (its dicts, descriptor, font file, CMap), which pypdf would
    otherwise still write: they are the page's own, nothing else refers to them."""
    if isinstance(value, IndirectObject):
        target = value.get_object()
        writer._objects[value.idnum - 1] = None
        _drop(writer, target)
    elif isinstance(value, (DictionaryObject, ArrayObject)):
        for item in value.values() if isinstance(value, DictionaryObject) else value:
            _drop(writer, item)


def share_fonts(writer: PdfWriter) -> None:
    """Give every page of `writer` one shared subset per font face instead of its own."""
    usages: dict[str, _Usage] = {}
    plans: list[tuple[PageObject, dict[str, tuple[str, dict[int, str]]]]] = []
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        plan = {}
        for resource, ref in fonts.items():
            traced = _traced(ref.get_object())
            if traced is None:
                continue
            face = installed_face(traced.name)
            assert face is not None
            usage = usages.setdefault(traced.name, _Usage(face))
            usage.descriptor = usage.descriptor or traced.descriptor
            usage.glyphs.update(traced.glyphs.values())
            for code, glyph in traced.glyphs.items():
                if code in traced.text:
                    usage.text.setdefault(glyph, traced.text[code])
                if code in traced.widths:
                    usage.widths.setdefault(glyph, traced.widths[code])
            plan[str(resource)] = (traced.name, traced.glyphs)
        plans.append((page, plan))
    shared = {name: _embed(writer, name, usage) for name, usage in usages.items()}
    for page, plan in plans:
        if not plan:
            continue
        resources: Any = page["/Resources"]
        fonts = resources["/Font"].get_object()
        recoded = {}
        for resource, (name, glyphs) in plan.items():
            _drop(writer, fonts.raw_get(NameObject(resource)))
            fonts[NameObject(resource)] = shared[name]
            recoded[resource] = {code: _cid(glyph) for code, glyph in glyphs.items()}
        _rewrite(page, writer, recoded)
