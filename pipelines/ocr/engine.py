"""The OCR engine: RapidOCR 3.x (ONNX Runtime) with the PP-OCRv6 small models its wheel ships.

Nothing is ever downloaded: the model files are passed by path and checked before the engine starts,
so a missing file is an error ("reinstall the extra"), not a fetch. Optional: `pip install .[ocr]`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

ENGINE = "rapidocr"
MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx"}
NOT_INSTALLED = "OCR not installed: scans are archived without text or cells (pip install '.[ocr]')"


@dataclass(frozen=True, slots=True)
class Glyph:
    """One recognised character (or Latin word) with its box (page pixels) and the engine's confidence."""
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True, slots=True)
class Line:
    """One detected text line: its glyphs in reading order."""
    glyphs: tuple[Glyph, ...]

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (min(g.x0 for g in self.glyphs), min(g.y0 for g in self.glyphs),
                max(g.x1 for g in self.glyphs), max(g.y1 for g in self.glyphs))


def missing() -> str | None:
    """None when OCR can run; else the one-line reason (the extra is not installed, models missing)."""
    try:
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401
        import rapidocr
    except ImportError:
        return NOT_INSTALLED
    root = Path(rapidocr.__file__).parent / "models"
    absent = [m for m in MODELS.values() if not (root / m).is_file()]
    return f"OCR models missing from the rapidocr wheel ({', '.join(absent)}): reinstall '.[ocr]'" if absent else None


def versions() -> tuple[str, str]:
    """(engine with version, model names) as recorded on each report read by OCR."""
    try:
        version = metadata.version("rapidocr")
    except metadata.PackageNotFoundError:
        version = "?"
    return f"{ENGINE} {version}", "+".join(m.removesuffix(".onnx") for m in MODELS.values())


_lock = threading.Lock()


@cache
def _engine(threads: int) -> Any:
    import rapidocr
    from rapidocr import RapidOCR

    root = Path(rapidocr.__file__).parent / "models"
    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.use_cls": False,  # pages are upright; deskew is ours
        "Global.model_root_dir": str(root),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    for task, name in MODELS.items():  # by path: RapidOCR never looks for (or fetches) anything else
        path = root / name
        if not path.is_file():
            raise RuntimeError(f"OCR model missing: {path}")
        params[f"{task}.model_path"] = str(path)
    return RapidOCR(params=params)


def _glyphs(items: Any, offset: tuple[float, float]) -> tuple[Glyph, ...]:
    out = []
    ox, oy = offset
    for text, conf, box in items:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        out.append(Glyph(str(text), min(xs) + ox, min(ys) + oy, max(xs) + ox, max(ys) + oy, float(conf)))
    return tuple(g for g in out if g.text.strip())


def read_lines(image: Any, threads: int = 1) -> list[Line]:
    """Detect and recognise the text lines of one page image (numpy array, BGR or gray)."""
    with _lock:
        result = _engine(threads)(image, return_word_box=True, use_cls=False)
    if not result.txts:
        return []
    lines = []
    for i, words in enumerate(result.word_results or ()):
        try:
            glyphs = _glyphs(words, (0.0, 0.0))
        except (TypeError, ValueError):  # no per-character boxes for this line
            glyphs = ()
        if not glyphs:  # no per-character boxes: the whole line as one glyph
            box, txt, conf = result.boxes[i], result.txts[i], result.scores[i]
            glyphs = _glyphs([(txt, conf, box)], (0.0, 0.0))
        if glyphs:
            lines.append(Line(glyphs))
    return lines


def read_crop(image: Any, threads: int = 1) -> tuple[str, float] | None:
    """Recognise one small crop (a table cell) without detection: (text, confidence), or None."""
    with _lock:
        result = _engine(threads)(image, use_det=False, use_cls=False)
    if not result.txts or not str(result.txts[0]).strip():
        return None
    return str(result.txts[0]).strip(), float(result.scores[0])
