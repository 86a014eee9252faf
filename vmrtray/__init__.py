"""vmrtray: a system-tray companion and a CLI for a cloud video-meeting service."""

__version__ = "0.1.0"
