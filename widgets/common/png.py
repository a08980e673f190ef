"""PNG bytes from a matplotlib Agg canvas, small and quick: what the widgets put in an Image.

A plot has few colours (white, the palette, antialiased edges), so a 256-colour palette
image looks the same as the full RGB one, is about a third of the size, and encodes faster.
Smaller pictures matter twice: every frame of Play travels from the kernel to the browser,
and the last one is saved in the notebook.

Read next: ../optimizer_race/plot.py, ../monitor/view.py (the two users).
"""

import io

import numpy as np
from PIL import Image


def png_bytes(canvas):
    """The canvas's current pixels as PNG bytes (palette of 256 colours, no dithering)."""
    rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
    palette = rgb.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", compress_level=1)  # level 1: fast, nearly as small
    return buffer.getvalue()
