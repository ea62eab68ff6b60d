"""Text as spinfix reads it: documents split into sentences and words, with character offsets into
the untouched input."""
