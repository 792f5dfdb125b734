"""topics: topic models of Chinese policy reports on township governance."""

__version__ = "0.1.0"
