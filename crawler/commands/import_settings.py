"""`nianbao import -s NAME=VALUE`: the crawl's bounds on what one document may cost, for local files.

The values are read the way the crawl reads them: settings/base.py, overridden by `-s`. Honoured:
the `pipelines.bounds.Limits` settings (ZIP_*, PAGE_MAX_CHARS, HTML_MAX_DEPTH, TABLES_MAX_PER_PAGE,
PDF_MAX_PAGES, DOCUMENT_SOFT_TIMEOUT_S), DOCUMENT_TIMEOUT_S (the parse worker is killed past it) and
the OCR_* settings (docs/hostile-input.md, docs/ocr.md). Any other name, or a value that is not a
number ≥ 0, is a ValueError with one line to print.
"""

from __future__ import annotations

from scrapy.settings import Settings

from pipelines.bounds import SETTINGS, Limits, setting_number

OCR_SETTINGS = {"OCR_ENABLED": bool, "OCR_MAX_PAGES": int, "OCR_MAX_PIXELS": int, "OCR_TIMEOUT_S": float,
                "OCR_DPI": int, "OCR_MIN_CONFIDENCE": float}
HONOURED: dict[str, type] = {
    **{name: float if name.endswith("_S") else int for name in SETTINGS.values()},
    "DOCUMENT_TIMEOUT_S": float,
    **OCR_SETTINGS,
}
_BOOLS = {"1": True, "true": True, "0": False, "false": False}


def import_settings(pairs: list[str]) -> tuple[Limits, float]:
    """(`Limits` for `pipelines.process.process`, DOCUMENT_TIMEOUT_S) from `-s NAME=VALUE` pairs; the
    OCR_* settings are put in the environment the parse worker inherits, as the crawl does."""
    from crawler.item_pipelines import _configure_ocr  # the crawl's OCR_* → OcrLimits, one definition

    settings = Settings()
    settings.setmodule("settings.base", priority="project")
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"-s {pair}: give NAME=VALUE, e.g. -s PDF_MAX_PAGES=50")
        kind = HONOURED.get(name)
        if kind is None:
            raise ValueError(f"-s {name}: not a setting nianbao import uses (it uses {', '.join(HONOURED)})")
        value: object
        if kind is bool:
            if raw.strip().lower() not in _BOOLS:
                raise ValueError(f"{name}={raw}: must be True or False")
            value = _BOOLS[raw.strip().lower()]
        else:
            value = setting_number(name, raw.strip(), kind)
        settings.set(name, value, priority="cmdline")
    _configure_ocr(settings)
    return Limits.from_settings(settings.get), setting_number("DOCUMENT_TIMEOUT_S", settings.get("DOCUMENT_TIMEOUT_S"))
