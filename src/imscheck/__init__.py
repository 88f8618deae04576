"""imscheck: compliance-as-code for integrated ISO 9001 / ISO/IEC 20000-1 management systems."""

__version__ = "0.1.0"
