"""unalpine: migrate Alpine-based Python Dockerfiles to Debian slim images."""

__version__ = "0.1.0"
