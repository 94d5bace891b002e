"""Claim: hidden states of 64 mixed-length sentences, batched by length, are faster than the
tutorial's one-sentence-at-a-time loop, with the same values. Baseline: the tutorial's loop
(tokenize, model(..., output_hidden_states=True), one sentence per call)."""

import numpy as np
import torch
from _common import best_of, report

import embedviz as ev

enc = ev.load_encoder(ev.BUNDLED)
rng = np.random.default_rng(0)
words = ev.load_vectors(encoder=enc).words[:5000]
sentences = [" ".join(rng.choice(words, size=int(n))) + "." for n in rng.integers(4, 60, size=64)]


def tutorial_loop():
    out = []
    with torch.no_grad():
        for s in sentences:
            t = enc.tokenizer(s, return_tensors="pt")
            res = enc.model(**t, output_hidden_states=True)
            out.append(torch.stack(res.hidden_states)[:, 0].numpy())
    return out


def batched():
    fresh = ev.models.Encoder(enc.name, enc.source, enc.tokenizer, enc.model, enc.device)  # empty caches
    return [h.array for h in fresh.hidden_states_many(sentences)]


tutorial_loop(), batched()  # warm up
base_s, base = best_of(tutorial_loop, 5)
ours_s, ours = best_of(batched, 5)
assert all(np.allclose(a, b, atol=1e-4) for a, b in zip(base, ours)), "batched values differ"
print(f"64 sentences, {sum(len(enc.tokenize(s)) for s in sentences):,} tokens, torch threads {torch.get_num_threads()}")
report("hidden states of 64 sentences", "tutorial loop", base_s, ours_s, goal=2)
