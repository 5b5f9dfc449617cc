"""The render layer: records -> DOT/SVG, HTML, text tables and pictures; no widgets."""
