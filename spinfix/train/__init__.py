"""Training and fitting: the synthetic spinner and the data it makes, the detector's and the
rewriter's training, the LM tagger's head, the fitted settings. Nothing used at inference imports
this package."""
