"""Analytics: the firm's metrics in SQL (`source`: the rows; `model`: the rounding)."""

from smarter_export.sources.analytics.source import Analytics

__all__ = ["Analytics"]
