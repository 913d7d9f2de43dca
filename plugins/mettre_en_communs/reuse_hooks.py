"""Hook implementations of the reuse part (licence checks, credits, exports)."""

from __future__ import annotations

__all__: list[str] = []
