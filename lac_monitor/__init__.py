"""LAC Monitor: live status of looked-after children, missing episodes and alerts."""

__version__ = "0.1.0"
