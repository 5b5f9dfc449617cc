"""The views layer: the ipywidgets/anywidget widgets built on adapter, records, render."""
