"""Webcare: the backoffice in which a Dutch municipality answers its citizens on social media."""

__version__ = "0.1.0"
