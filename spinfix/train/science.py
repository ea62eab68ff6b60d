"""Science-register training sentences: real tortured phrases in sentences written for spinfix.

The news corpora hold little technical prose, so a detector trained on them alone mistakes any
technical term for a spun one. Each correct phrase of the *spinner share* of the dev tortured
phrases is placed in a template twice: as written (clean, all labels 0) and tortured (the
phrase's words labelled 1). The held-out share and the evaluation templates (spinfix.eval) are
never used here, so the tortured-phrase evaluation measures phrases and sentences the model never
saw.
"""
from __future__ import annotations

import random

from spinfix.eval.tortured_pairs import TorturedPair
from spinfix.text.tokens import tokenize

# Written for spinfix; disjoint from spinfix.eval.tortured.TEMPLATES. The last DEV_TEMPLATES are kept
# for the dev split (calibration), the rest for training.
TEMPLATES = (
    "We used {} to process the images collected during the field campaign.",
    "Their study found that {} was the main source of error in earlier estimates.",
    "The proposed framework combines {} with a simple voting scheme.",
    "Section four describes the experimental setup and the role of {} in it.",
    "Many hospitals have started to test {} on anonymised patient data.",
    "The authors argue that {} deserves more attention from policy makers.",
    "Compared with earlier designs, {} reduced the energy use of the device by a third.",
    "The committee asked for a review of {} before the next funding round.",
    "A short introduction to {} is given in the appendix.",
    "In the second experiment, {} was replaced by a linear baseline.",
    "Engineers at the plant rely on {} to detect faults early.",
    "The survey covers more than two hundred papers on {} published since 2010.",
    "Students learn the basics of {} in the first year of the program.",
    "This article explains why {} matters for small farms in dry regions.",
    "The software package implements {} and several related methods.",
    "Critics say that {} has been oversold by its commercial backers.",
    "Our results suggest that {} is robust to noise in the input signal.",
    "The grant will fund a new laboratory for research on {}.",
    "We report the effect of {} on the accuracy of the final model.",
    "The paper closes with open questions about {} and its limits.",
    "Data for the analysis of {} were gathered from three regional hospitals.",
    "Several teams have since reproduced the findings on {}.",
    "The workshop brought together experts on {} from eleven countries.",
    "A simple example shows how {} can be applied in practice.",
    "The agency plans to publish guidance on {} later this year.",
    "Most of the errors we observed were related to {}.",
    "Table 2 lists the parameters of {} used in each run.",
    "The new standard defines how {} should be documented.",
    "Early versions of the system did not include {} at all.",
    "We thank the reviewers for their comments on {}.",
    "The course ends with a project that applies {} to real measurements.",
    "Funding for {} has doubled over the past decade.",
)
DEV_TEMPLATES = 8


def placed_examples(pairs: list[TorturedPair], templates: tuple[str, ...], rng: random.Random) -> list[dict]:
    """Clean and tortured sentences for each pair, as training records (see train.data)."""
    out = []
    for p in pairs:
        tpl = rng.choice(templates)
        at = tpl.index("{}")
        clean = tpl.format(p.correct)
        spun = tpl.format(p.tortured)
        start, end = at, at + len(p.tortured)
        toks = tokenize(spun)
        labels = [int(start <= t.start and t.end <= end) for t in toks]
        if clean[:1].islower():
            continue
        base = {"article": f"tortured:{p.correct}", "rate": 0.0}
        out.append({**base, "text": clean, "labels": [0] * len(tokenize(clean)), "spun": False, "clean": clean, "edits": []})
        out.append({**base, "text": spun, "labels": labels, "spun": True, "clean": clean,
                    "edits": [[start, end, p.correct, p.tortured, "tortured-placed"]]})
    return out
