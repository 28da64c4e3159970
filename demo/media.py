"""Demo images: coloured gradients with a listing's initials (Pillow), stored as Wagtail images.

Small PNGs at low compression, written to storage and inserted in one ``bulk_create`` per
listing (no per-image signals: demo images stay out of the admin's image search index), so
150 listings with a logo and up to four screenshots take a few seconds.

Encoding was a third of a small seed's CPU (580 PNGs, ~8 ms each), so the encoded bytes are
kept for the process (:data:`MEMO_BYTES` at most): the same picture asked again — a listing's
third and fourth screenshots are its first and second, and a reseed after ``--reset`` (or the
test suite's reset test) asks for every one again — is the same bytes without drawing or
encoding it again. They are also kept between runs in ``var/demo-png/`` (like ``var/pycache``:
a file per picture, named by a hash of what is drawn, this module's code and the Pillow
version, written once and renamed into place), so a later process — the next test run,
``make run`` after a reset — reads the bytes instead of drawing them. A directory that cannot
be written is only not used.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import PIL
from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont
from wagtail.images import get_image_model

LOGO_SIZE = (240, 240)
SCREENSHOT_SIZE = (640, 400)
PALETTE = (
    ("#0ea5e9", "#1e3a8a"),
    ("#22c55e", "#065f46"),
    ("#f59e0b", "#9a3412"),
    ("#a855f7", "#3b0764"),
    ("#ef4444", "#7f1d1d"),
    ("#14b8a6", "#134e4a"),
    ("#6366f1", "#1e1b4b"),
    ("#ec4899", "#831843"),
)


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or (name[:2].upper() if name else "?")


@lru_cache(maxsize=8)
def _font(size: int):
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=4)
def _mask(size: tuple[int, int]):
    return Image.linear_gradient("L").rotate(45, expand=False).resize(size)


@lru_cache(maxsize=64)
def _background(colours: tuple[str, str], size: tuple[int, int]):
    """The gradient without text (8 palettes × 2 directions × 2 sizes): drawn on a copy."""
    start, end = colours
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), _mask(size))


MEMO_BYTES = 96 * 1024 * 1024  # a small seed's pictures are ~40 MB; beyond this they are not kept
_memo: dict[tuple, bytes] = {}
_memo_size = 0


def gradient_png(text: str, colours: tuple[str, str], size: tuple[int, int], *, caption: str = "") -> bytes:
    global _memo_size
    key = (text, tuple(colours), tuple(size), caption)
    png = _memo.get(key)
    if png is None:
        png = _stored(key)
        if _memo_size + len(png) <= MEMO_BYTES:
            _memo[key] = png
            _memo_size += len(png)
    return png


def _store_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "demo-png"


def _stored(key: tuple) -> bytes | None:
    """The bytes of ``key``'s picture from ``var/demo-png`` (drawn and stored there when missing)."""
    name = hashlib.sha1(repr((key, PIL.__version__, _DRAWING)).encode()).hexdigest() + ".png"
    path = _store_dir() / name
    try:
        return path.read_bytes()
    except OSError:
        pass
    png = _draw(*key)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            tmp.write(png)
        os.replace(tmp.name, path)  # whole or not at all, also with two processes at once
    except OSError:
        if tmp is not None:
            Path(tmp.name).unlink(missing_ok=True)
    return png


# What is drawn depends on this module's code (drawing, palette, fonts): a change to it names every
# picture anew, so a stored picture of an older drawing is never read.
_DRAWING = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:16]


def _draw(text: str, colours: tuple[str, str], size: tuple[int, int], caption: str) -> bytes:
    image = _background(tuple(colours), tuple(size)).copy()
    draw = ImageDraw.Draw(image)
    font = _font(max(24, min(size) // 3))
    draw.text((size[0] / 2, size[1] / 2), text, fill="white", font=font, anchor="mm")
    if caption:
        draw.text((24, size[1] - 24), caption, fill="white", font=_font(22), anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def make_images(items, *, collection, user=None) -> list:
    """``items``: (title, filename, png bytes, (width, height)). Files go to the image storage."""
    Image_ = get_image_model()
    images = []
    for title, filename, png, (width, height) in items:
        image = Image_(
            title=title[:255],
            collection=collection,
            file_size=len(png),
            file_hash=hashlib.sha1(png).hexdigest(),
            uploaded_by_user=user,
        )
        image.file.save(filename, ContentFile(png), save=False)
        image.width, image.height = width, height  # after the save, which clears them
        images.append(image)
    return Image_.objects.bulk_create(images)
