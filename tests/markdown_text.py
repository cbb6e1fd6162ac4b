"""What a reader sees of markdown written by plaintext.markdown_text, for assertions on Streamlit elements."""

from __future__ import annotations

import re

from socialwork.present.words.plaintext import WORD_JOINER

ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """The text of markdown made by markdown_text: escapes resolved, word joiners invisible."""
    return ESCAPE.sub(r"\1", markdown).replace(WORD_JOINER, "")


def unescaped_punctuation(markdown: str) -> str:
    """ASCII punctuation left without a backslash (markup to a markdown renderer)."""
    return re.sub(r"[^!-/:-@\[-`{-~]", "", ESCAPE.sub("", markdown))
