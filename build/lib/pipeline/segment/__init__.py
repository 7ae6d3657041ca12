"""Segment: the normalized lines to a Skeleton (title, preamble, plan headers and periods,
overviews, captions, measures by their markers), every non-blank line with one role.
``grammar`` is the one module that applies rules/format.toml to a line; ``periods`` reads
plan periods; ``joining`` joins wrapped lines."""

from .joining import Joined, join_lines, join_parts, join_text
from .skeleton import segment

__all__ = ["Joined", "join_lines", "join_parts", "join_text", "segment"]
