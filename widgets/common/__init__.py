"""What several widgets share; plain Python, no display library.

    style.py     Okabe-Ito colours, node shapes, font sizes (`set_presentation(True)`)
    view.py      the display side: stock controls at a widget's size (`sized`)
    png.py       small, quick PNG bytes from a matplotlib canvas (race and monitor pictures)
    numbers.py   numbers as short text (4 digits; min / mean / max when big), to_numpy

Read next: style.py.
"""
