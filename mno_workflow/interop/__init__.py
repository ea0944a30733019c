"""Interoperability with the tools field partners already use: XLSForm for KoboToolbox/ODK
and the intake of their submissions."""
