"""The referrer's poster as a PNG (A4 at 150 dpi), drawn with Pillow; the QR code comes from segno."""

import io
import textwrap
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
MARGIN = 100
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _font(size: int, bold: bool = False):
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:  # no DejaVu on this machine: Pillow's own scalable font
        return ImageFont.load_default(size=size)


def _centered(draw, y: int, text: str, font, width_chars: int, fill="#111111", spacing=10) -> int:
    for line in textwrap.wrap(text, width=width_chars) or [""]:
        box = draw.textbbox((0, 0), line, font=font)
        draw.text(((WIDTH - (box[2] - box[0])) / 2, y), line, font=font, fill=fill)
        y += box[3] - box[1] + spacing
    return y


def qr_image(url: str, size: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB").resize((size, size), Image.Resampling.NEAREST)


def render_png(*, title: str, lead: str, structure_name: str, phone: str, url: str, footer: str) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    y = _centered(draw, MARGIN, title, _font(58, bold=True), 30, spacing=16) + 30
    y = _centered(draw, y, lead, _font(34), 52) + 30
    size = 620
    image.paste(qr_image(url, size), ((WIDTH - size) // 2, y))
    y += size + 40
    y = _centered(draw, y, f"C'est gratuit. {structure_name}", _font(34), 52) + 10
    if phone:
        y = _centered(draw, y, phone, _font(64, bold=True), 30) + 10
    y = _centered(draw, y, url, _font(20), 95, fill="#333333") + 10
    _centered(draw, y, footer, _font(22), 80, fill="#333333")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
