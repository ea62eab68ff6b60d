"""What spinners draw on, and what restoration inverts: the Moby thesaurus with an inverse index,
morphology and word frequency, WordNet and GloVe substitution sources, the phrases spinners put in
whole, and the tortured-phrase swaps learned from real paper-mill text."""
