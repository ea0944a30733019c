"""Renderers of the SOP model for people: flow diagrams (DOT, Mermaid, SVG/PNG/PDF) and the handbook."""
