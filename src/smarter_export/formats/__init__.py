"""How rows become a file: one writer class per format behind the ExportWriter protocol."""
