"""Claim: hidden states of 64 mixed-length sentences, computed by embedviz, are faster than the
tutorial's one-sentence-at-a-time loop, with the same values. Baseline: the tutorial's loop
(tokenize, model(..., output_hidden_states=True), one sentence per call). Also shown: plain padded
batches sorted by length, the usual way to batch, which embedviz uses for non-BERT encoders."""

import numpy as np
import torch
from _common import report, rounds

import embedviz as ev

enc = ev.load_encoder(ev.BUNDLED)
rng = np.random.default_rng(0)
words = ev.load_vectors(encoder=enc).words[:5000]
sentences = [" ".join(rng.choice(words, size=int(n))) + "." for n in rng.integers(4, 60, size=64)]
toks = [enc.tokenize(s) for s in sentences]


def tutorial_loop():
    out = []
    with torch.no_grad():
        for s in sentences:
            t = enc.tokenizer(s, return_tensors="pt")
            res = enc.model(**t, output_hidden_states=True)
            out.append(torch.stack(res.hidden_states)[:, 0].numpy())
    return out


def padded():
    return ev.forward.run_batches(enc.model, toks, enc.tokenizer.pad_token_id, device="cpu", batch_tokens=1024, packed=False)


def embedviz():
    enc.clear_cache()  # new sentences: tokenized and run again
    return [h.array for h in enc.hidden_states_many(sentences)]


base, pad, ours = tutorial_loop(), padded(), embedviz()  # warm up
for result in (pad, ours):
    assert all(np.allclose(a, b, atol=1e-4) for a, b in zip(base, result)), "batched values differ"
times = rounds({"loop": tutorial_loop, "padded": padded, "packed": embedviz}, n=9)
ratios = np.array(times["loop"]) / np.array(times["packed"])
print(f"64 sentences, {sum(map(len, toks)):,} tokens, torch threads {torch.get_num_threads()}, 9 interleaved rounds, medians:")
report("hidden states of 64 sentences (padded batches)", "tutorial loop", np.median(times["loop"]), np.median(times["padded"]))
report("hidden states of 64 sentences (packed)", "tutorial loop", np.median(times["loop"]), np.median(times["packed"]), goal=2)
print(f"packed vs loop, round by round: {ratios.min():.2f}x to {ratios.max():.2f}x")
