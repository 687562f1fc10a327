"""The live workshop: widget-free session state (answers in, file saved) and a thin ipywidgets layer."""
