"""Pure helpers, one topic per file. A leaf: nothing here imports from civicplan."""
