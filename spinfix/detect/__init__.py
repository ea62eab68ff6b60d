"""Detection: the MiniLM token classifier, the LM's second reading of uncertain sentences with its
tagger, neighbours in the same text, and the marks a flagged sentence shows."""
