"""Device changes along a recording: splice detection and mains-hum tracking."""

from ._detector import DeviceChangeDetector
from ._enf import track_enf

__all__ = ["DeviceChangeDetector", "track_enf"]
