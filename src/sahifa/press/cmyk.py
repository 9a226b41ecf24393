"""RGB to the plant's CMYK: images and the odd RGB colour, with littleCMS (Pillow's ImageCms).

Pictures go through the plant's ICC profile (perceptual intent), so the profile's total ink
limit and black generation apply, as the plant expects. Neutral greys and black become black
ink only: text and rules set in a grey must not print in four inks that never register on
newsprint. Alpha is flattened onto white paper (PDF/X-1a has no transparency).
"""

from __future__ import annotations

import io
import zlib
from functools import cached_property

import pikepdf
from PIL import Image, ImageCms

RGB_SPACES = ("/DeviceRGB", "/CalRGB")


class Converter:
    """sRGB → the output profile's CMYK."""

    def __init__(self, icc: bytes) -> None:
        self.icc = icc

    @cached_property
    def _profiles(self) -> tuple[ImageCms.ImageCmsProfile, ImageCms.ImageCmsProfile]:
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        return srgb, ImageCms.ImageCmsProfile(io.BytesIO(self.icc))

    @cached_property
    def _image_transform(self) -> ImageCms.ImageCmsTransform:
        srgb, cmyk = self._profiles
        return ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK",
                                       renderingIntent=ImageCms.Intent.PERCEPTUAL)  # fmt: skip

    @cached_property
    def _color_transform(self) -> ImageCms.ImageCmsTransform:
        srgb, cmyk = self._profiles
        intent = ImageCms.Intent.RELATIVE_COLORIMETRIC
        return ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", renderingIntent=intent)

    def color(self, r: float, g: float, b: float) -> tuple[float, float, float, float]:
        """One RGB colour (0-1) → CMYK (0-1); greys → black ink only."""
        if abs(r - g) < 1e-6 and abs(g - b) < 1e-6:
            return 0.0, 0.0, 0.0, round(1.0 - r, 4)
        pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in (r, g, b)))
        c, m, y, k = ImageCms.applyTransform(pixel, self._color_transform).getpixel((0, 0))
        return tuple(round(v / 255, 4) for v in (c, m, y, k))  # type: ignore[return-value]

    def image(self, picture: Image.Image) -> Image.Image:
        """A decoded picture (any mode, alpha flattened by the caller) → CMYK."""
        if picture.mode == "CMYK":
            return picture
        return ImageCms.applyTransform(picture.convert("RGB"), self._image_transform)


def is_rgb_space(space: object) -> bool:
    """DeviceRGB, CalRGB, an ICC-based RGB, or an indexed palette over one of them."""
    if isinstance(space, pikepdf.Name):
        return str(space) in RGB_SPACES
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if family in ("/Indexed", "/I"):
            return is_rgb_space(space[1])
        return family in RGB_SPACES
    return False


def flatten(picture: Image.Image, mask: Image.Image | None) -> Image.Image:
    """Composite ``picture`` over white paper through its soft mask."""
    if mask is None:
        return picture
    if mask.size != picture.size:
        mask = mask.resize(picture.size, Image.Resampling.BILINEAR)
    base = picture.convert("RGB") if picture.mode not in ("L", "RGB", "CMYK") else picture
    white = Image.new(base.mode, base.size, 0 if base.mode == "CMYK" else "white")
    return Image.composite(base, white, mask.convert("L"))


def convert_image(xobject: pikepdf.Stream, converter: Converter) -> bool:
    """Make one image XObject CMYK (or grey) without transparency. True if it changed."""
    space = xobject.get("/ColorSpace")
    smask = xobject.get("/SMask")
    if xobject.get("/ImageMask", False):
        return False  # a stencil: painted in the fill colour, no colour of its own
    if not is_rgb_space(space) and smask is None:
        return False
    picture = pikepdf.PdfImage(xobject).as_pil_image()
    mask = pikepdf.PdfImage(smask).as_pil_image() if smask is not None else None
    picture = flatten(picture, mask)
    if picture.mode in ("L", "1"):  # grey stays grey: one black plate
        out, space_name = picture.convert("L"), "/DeviceGray"
    else:
        out, space_name = converter.image(picture), "/DeviceCMYK"
    # Flate, not JPEG: lossless, and no doubt about inverted Adobe CMYK JPEGs.
    data = zlib.compress(out.tobytes(), 6)
    for key in ("/SMask", "/Decode", "/DecodeParms", "/Interpolate", "/Intent", "/Mask"):
        if key in xobject:
            del xobject[key]
    xobject.write(data, filter=pikepdf.Name.FlateDecode)
    xobject.ColorSpace = pikepdf.Name(space_name)
    xobject.BitsPerComponent = 8
    xobject.Width, xobject.Height = out.size
    return True
