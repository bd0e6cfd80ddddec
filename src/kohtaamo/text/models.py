"""Tables of the text domain."""

from __future__ import annotations
