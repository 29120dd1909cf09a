"""A child's photo as stored: checked, shrunk and re-encoded (Pillow, which reportlab needs
anyway), so the database holds a small JPEG with no camera metadata (location, device)."""

from __future__ import annotations

import io
import warnings

from lac_monitor.domain.errors import ValidationError

MAX_INPUT_BYTES = 15_000_000
MAX_PIXELS = 60_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 800  # long side of the stored photo, enough for a printed profile
MAX_STORED_BYTES = 300_000


def reencode(data: bytes) -> bytes:
    """A JPEG of at most MAX_SIDE pixels on its long side; ValidationError("photo", ...) for
    anything that is not a readable image."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise ValidationError("photo", "the file is empty")
    if len(data) > MAX_INPUT_BYTES:
        raise ValidationError("photo", f"must be smaller than {MAX_INPUT_BYTES // 1_000_000} MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                raise ValidationError("photo", "is too large in pixels (at most 60 megapixels)")
            img.load()
            img = ImageOps.exif_transpose(img) or img
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ValidationError("photo", "is not an image that can be read (use a JPEG, PNG, GIF, BMP or WebP)") from None
    if img.mode not in ("RGB", "L"):
        background = Image.new("RGB", img.size, "white")
        rgba = img.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        img = background
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    quality = 85
    while True:
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= MAX_STORED_BYTES or quality <= 40:
            return out.getvalue()
        quality -= 15
