"""Extract: each measure's program list found and split into programs (``lists``), the plans
and the Document made (``document``); ``tokens`` holds the one Sudachi tokenizer."""

from .document import extract

__all__ = ["extract"]
