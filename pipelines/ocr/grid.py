"""Ruled tables on a page image → grids of cell rectangles (with row/column spans). OpenCV only.

Long horizontal and vertical strokes are kept by morphological opening of the inverted, adaptively
thresholded page (uneven light does not matter). A table is a connected group of such rules; its row
and column boundaries are the rules' positions, and two neighbouring slots are one merged cell where
the rule between them is missing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True, slots=True)
class GridCell:
    r0: int
    c0: int
    r1: int  # exclusive
    c1: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels (inside the rules)


@dataclass
class Grid:
    box: tuple[int, int, int, int]
    xs: list[int]  # column rule positions
    ys: list[int]  # row rule positions
    cells: list[GridCell]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink = 255. The background (paper under uneven light) is estimated by a wide closing and divided
    out, then one Otsu threshold: shadows stay paper, blurred strokes do not thicken."""
    k = max(15, (min(gray.shape[:2]) // 60) | 1)
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k // 4 | 1,) * 2))
    bg = cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    norm = cv2.divide(gray, np.maximum(bg, 1), scale=255)
    _, ink = cv2.threshold(norm, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def rule_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = ink.shape[:2]
    hlen, vlen = max(20, w // 30), max(20, h // 60)
    # close small gaps first (broken, blurred or dashed printing), then keep only long strokes
    horiz = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1)))
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hlen, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    vert = cv2.morphologyEx(vert, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vlen)))
    return horiz, vert


def skew_angle(gray: np.ndarray) -> float:
    """Degrees the page is rotated by, from its long near-horizontal strokes (table rules, underlines)."""
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)  # angles survive, work quarters
    ink = binarize(small)
    w = ink.shape[1]
    lines = cv2.HoughLinesP(ink, 1, np.pi / 1800, threshold=max(50, w // 6), minLineLength=w // 4, maxLineGap=4)
    angles = []
    for x0, y0, x1, y1 in np.asarray(lines if lines is not None else []).reshape(-1, 4):
        if x1 != x0:
            a = float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))
            if abs(a) < 5:
                angles.append(a)
    return float(np.median(angles)) if angles else 0.0


def deskew(image: np.ndarray, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    angle = skew_angle(gray)
    if abs(angle) < 0.1:
        return image, gray, 0.0
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rot = lambda a: cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)  # noqa: E731
    return rot(image), rot(gray), angle


def _positions(profile: np.ndarray, min_fill: float) -> list[int]:
    """Centres of runs where the projection profile is at least `min_fill` of its maximum."""
    if profile.size == 0 or profile.max() == 0:
        return []
    on = profile >= min_fill
    out, start = [], None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    if start is not None:
        out.append((start + len(on) - 1) // 2)
    merged: list[int] = []
    for p in out:
        if merged and p - merged[-1] < 8:
            merged[-1] = (merged[-1] + p) // 2
        else:
            merged.append(p)
    return merged


def _covered(mask: np.ndarray, horizontal: bool, at: int, a: int, b: int, band: int = 4) -> bool:
    """Is there a rule at `at` (row for horizontal, column for vertical) between a and b?"""
    lo, hi = max(0, at - band), at + band + 1
    seg = mask[lo:hi, a:b] if horizontal else mask[a:b, lo:hi]
    if seg.size == 0:
        return False
    line = seg.max(axis=0 if horizontal else 1)
    return bool((line > 0).mean() >= 0.6)


def find_grids(gray: np.ndarray, min_cells: int = 4) -> list[Grid]:
    """Every ruled table on the page, top to bottom."""
    ink = binarize(gray)
    horiz, vert = rule_masks(ink)
    both = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    grids = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < gray.shape[1] // 5 or h < 40:
            continue
        hm = horiz[y:y + h, x:x + w]
        ys = _positions((hm > 0).sum(axis=1), 0.25 * w)
        if len(ys) < 2:
            continue
        # a column rule runs unbroken through at least one whole row: longer than any character stroke
        run = max(10, int(0.75 * min(b - a for a, b in itertools.pairwise(ys) if b - a >= 10)))
        vm = cv2.morphologyEx(ink[y:y + h, x:x + w], cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
        vm = cv2.morphologyEx(vm, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, run)))
        xs = _positions((vm > 0).sum(axis=0), run)
        if len(xs) < 2:
            continue
        grid = _cells(hm, vm, xs, ys, (x, y))
        if len(grid.cells) >= min_cells:
            grids.append(grid)
    return sorted(grids, key=lambda g: g.box[1])


def _cells(hm: np.ndarray, vm: np.ndarray, xs: list[int], ys: list[int], origin: tuple[int, int]) -> Grid:
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covered(vm, False, xs[c + 1], ys[r] + 3, ys[r + 1] - 3):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not _covered(hm, True, ys[r + 1], xs[c] + 3, xs[c + 1] - 3):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    ox, oy = origin
    cells = []
    for members in groups.values():
        r0, c0 = min(m[0] for m in members), min(m[1] for m in members)
        r1, c1 = max(m[0] for m in members) + 1, max(m[1] for m in members) + 1
        if len(members) != (r1 - r0) * (c1 - c0):  # not a rectangle (a broken rule): split back into slots
            for r, c in members:
                cells.append(GridCell(r, c, r + 1, c + 1, (ox + xs[c], oy + ys[r], ox + xs[c + 1], oy + ys[r + 1])))
            continue
        cells.append(GridCell(r0, c0, r1, c1, (ox + xs[c0], oy + ys[r0], ox + xs[c1], oy + ys[r1])))
    cells.sort(key=lambda g: (g.r0, g.c0))
    box = (ox + xs[0], oy + ys[0], ox + xs[-1], oy + ys[-1])
    return Grid(box, [ox + v for v in xs], [oy + v for v in ys], cells)
