"""Puts the reader's text size in every page, so the server renders it on first paint."""

from articles import fontsize


def font_size(request):
    step = fontsize.from_request(request)
    return {
        "font_size": step,
        "font_size_smaller": fontsize.smaller(step),
        "font_size_larger": fontsize.larger(step),
        "font_size_default": fontsize.DEFAULT,
        "font_size_steps": fontsize.STEPS,
    }
