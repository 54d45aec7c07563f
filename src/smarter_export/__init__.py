"""Smarter Export: the data export service of the Smarter Firms platform."""

__version__ = "0.1.0"
