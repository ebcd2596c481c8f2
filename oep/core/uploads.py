"""Uploaded images (emblems, logos, signatures): checked, re-encoded and stored by a random name
in the storage layer (``uploads/<name>``)."""

from __future__ import annotations

import io
import secrets

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from oep.core import storage
from oep.core.errors import InvalidInput

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg"}
MAX_PIXELS = 4000 * 4000


def store_image(file_storage, field: str) -> str:
    """Check that an upload is a PNG or JPEG picture of sensible size and store a clean copy.

    The picture is decoded and encoded again, so that nothing but pixels is kept (no script in
    a disguised file, no metadata). Returns the stored file name.
    """
    data = file_storage.read()
    if not data:
        raise InvalidInput(_("The file is empty."), field=field)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in ALLOWED_FORMATS:
                raise InvalidInput(_("Please upload a PNG or JPEG picture."), field=field)
            if width * height > MAX_PIXELS:
                raise InvalidInput(_("The picture is too large (at most 4000 × 4000 pixels)."), field=field)
            probe.load()
            image = probe.copy()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidInput(
            _("This file is not a picture OEP can read. Please upload a PNG or JPEG."), field=field
        ) from None
    name = f"{secrets.token_hex(16)}.{ALLOWED_FORMATS[fmt]}"
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=90)
    else:
        image.save(out, "PNG", optimize=True)
    storage.current().write(key_of(name), out.getvalue())
    return name


def key_of(name: str | None) -> str | None:
    """The storage key of an upload's stored name; ``None`` for no name or one that names no
    upload (a path, a hidden name)."""
    if not name or "/" in name or not storage.is_valid(f"uploads/{name}"):
        return None
    return f"uploads/{name}"
