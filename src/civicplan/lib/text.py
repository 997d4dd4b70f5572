"""Text folding for search and matching: the same words whatever their case and accents."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lowercase, accents stripped ("ñ" becomes "n"), anything but letters and digits dropped, one space apart."""
    text = text.casefold()
    if not text.isascii():
        # NFKD splits "é" into "e" + a combining accent; dropping the marks keeps the letters. Emoji and
        # punctuation are not word characters and go with the regex below.
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_WORD.sub(" ", text).split())
