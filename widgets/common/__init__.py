"""What several widgets share; plain Python, no display library.

    style.py     Okabe-Ito colours, node shapes, font sizes (`set_default(font_scale=1.6)`)
    png.py       small, quick PNG bytes from a matplotlib canvas (race and monitor pictures)

Read next: style.py.
"""
