import numpy as np
import pytest

import embedviz as ev

BANK = ("After stealing money from the bank vault, the bank robber was seen fishing on the Mississippi "
        "river bank.")


def test_bundled_model_facts(enc):
    f = enc.facts()
    assert (f["layers"], f["hidden size"], f["vocabulary"], f["tokenizer"]) == (6, 384, 30522, "WordPiece")
    assert f["max tokens"] == 512


def test_default_is_bundled_offline(monkeypatch):
    monkeypatch.delenv("EMBEDVIZ_MODEL", raising=False)
    assert ev.default_model_name() == ev.BUNDLED  # no bert-base-uncased in this machine's cache
    monkeypatch.setenv("EMBEDVIZ_MODEL", "my-model")
    assert ev.default_model_name() == "my-model"


def test_loaded_once_per_process(enc):
    assert ev.load_encoder(ev.BUNDLED) is enc
    assert ev.load_encoder("bundled") is enc


def test_hidden_states_shape_and_cache(enc):
    hs = enc.hidden_states(BANK)
    assert hs.array.shape == (enc.num_layers + 1, 22, enc.hidden_size)
    assert not hs.array.flags.writeable
    assert enc.hidden_states(BANK) is hs  # a rerun does not run the model again


def test_hidden_states_match_a_direct_forward_pass(enc):
    import torch

    hs = enc.hidden_states(BANK)
    with torch.no_grad():
        out = enc.model(torch.tensor([hs.tokenization.ids]), output_hidden_states=True)
    direct = torch.stack(out.hidden_states)[:, 0].numpy()
    assert np.allclose(hs.array, direct, atol=1e-5)


def _one_at_a_time(model, tok):
    """The tutorial's way: one input per forward pass, through the model's own code."""
    import torch

    kwargs = {"input_ids": torch.tensor([tok.ids])}
    if getattr(model.config, "type_vocab_size", 0) > 1:
        kwargs["token_type_ids"] = torch.tensor([tok.segment_ids])
    with torch.no_grad():
        out = model(**kwargs, output_hidden_states=True)
    return torch.stack(out.hidden_states)[:, 0].numpy()


MIXED = ["A bat flew out of the cave.", "He swung the baseball bat.", "Short.", "Tiny.", "Also tiny.",
         "A much longer sentence about a river bank and a bank robber who went fishing on a sunny day.",
         "Naïve café owners rarely unbelievably antidisestablishmentarianise.", "A."]


@pytest.mark.parametrize("batch_tokens", [4096, 24])  # one chunk; many chunks of at most 24 tokens
def test_batched_equals_one_at_a_time(enc, batch_tokens):
    enc.clear_cache()
    many = enc.hidden_states_many(MIXED, batch_tokens=batch_tokens)
    for t, hs in zip(MIXED, many):
        assert hs.tokens == enc.tokenize(t).tokens
        assert np.allclose(hs.array, _one_at_a_time(enc.model, enc.tokenize(t)), atol=1e-4), t


def test_more_inputs_than_the_cache_holds(enc, monkeypatch):
    monkeypatch.setattr(ev.models, "CACHE_SIZE", 3)
    enc.clear_cache()
    texts = MIXED + MIXED[:2]  # repeats are computed once and returned twice
    many = enc.hidden_states_many(texts)
    assert [h.tokens for h in many] == [enc.tokenize(t).tokens for t in texts]
    assert many[0] is many[len(MIXED)] and len(enc._cache) == 3
    enc.clear_cache()


def test_packed_pairs_keep_their_segments(enc):
    toks = [enc.tokenize("The bank was closed.", "They sat on the river bank."),
            enc.tokenize("A bat flew out.", "He swung the bat."), enc.tokenize("One alone.")]
    assert ev.hidden._packable(enc.model)
    for tok, arr in zip(toks, ev.hidden.run_batches(enc.model, toks, 0)):
        assert np.allclose(arr, _one_at_a_time(enc.model, tok), atol=1e-4)


def test_padded_batches_equal_one_at_a_time(enc):
    toks = [enc.tokenize(t) for t in MIXED]
    for tok, arr in zip(toks, ev.hidden._run_padded(enc.model, toks, 0, device="cpu", batch_tokens=64)):
        assert np.allclose(arr, _one_at_a_time(enc.model, tok), atol=1e-4)


def test_other_encoders_run_padded(enc):
    import torch
    from transformers import DistilBertConfig, DistilBertModel

    torch.manual_seed(0)
    model = DistilBertModel(DistilBertConfig(dim=64, n_layers=2, n_heads=2, hidden_dim=128)).eval()
    assert not ev.hidden._packable(model)
    toks = [enc.tokenize(t) for t in MIXED]
    for tok, arr in zip(toks, ev.hidden.run_batches(model, toks, 0)):
        assert arr.shape == (3, len(tok), 64)
        assert np.allclose(arr, _one_at_a_time(model, tok), atol=1e-4)


def test_plan_batches_is_least_cost():
    import itertools

    rng = np.random.default_rng(1)
    for _ in range(30):
        lengths = rng.integers(1, 40, size=int(rng.integers(1, 9))).tolist()
        plan = ev.hidden.plan_batches(lengths, max_tokens=64, overhead=10)
        assert sorted(i for b in plan for i in b) == list(range(len(lengths)))
        assert all(len(b) == 1 or lengths[b[-1]] * len(b) <= 64 for b in plan)

        def cost(batches):
            return sum(10 + max(lengths[i] for i in b) * len(b) for b in batches)

        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        best = min(  # every way of cutting the sorted list into runs that fit
            cost(runs) for cuts in itertools.product([0, 1], repeat=len(order) - 1)
            for runs in [[order[a:b] for a, b in itertools.pairwise(
                [0, *[k + 1 for k, c in enumerate(cuts) if c], len(order)])]]
            if all(len(r) == 1 or max(lengths[i] for i in r) * len(r) <= 64 for r in runs))
        assert cost(plan) == best


@pytest.mark.parametrize("name, words", [
    ("http://example.com/model", "web address"),
    ("/nonexistent/folder/model", "no model folder"),
    ("no-such-org/no-such-model-xyz", "not on this machine, and this machine is offline"),
    ("", "empty"),
])
def test_bad_model_names_give_plain_messages(name, words):
    with pytest.raises(ev.ModelLoadError, match=words):
        ev.load_encoder(name) if name else ev.models._resolve(name)


def test_folder_without_safetensors_is_refused(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    (tmp_path / "pytorch_model.bin").write_bytes(b"not really")
    with pytest.raises(ev.ModelLoadError, match="safetensors"):
        ev.load_encoder(str(tmp_path))


def test_decoder_is_refused(tmp_path):
    import shutil

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text('{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}')
    shutil.copy(ev.models.bundled_model_path() / "model.safetensors", tmp_path / "m" / "model.safetensors")
    with pytest.raises(ev.ModelLoadError, match="not an encoder"):
        ev.load_encoder(str(tmp_path / "m"))


def test_broken_config_is_a_plain_error(tmp_path):
    import shutil

    (tmp_path / "config.json").write_text("{ this is not json")
    shutil.copy(ev.models.bundled_model_path() / "model.safetensors", tmp_path / "model.safetensors")
    with pytest.raises(ev.ModelLoadError):
        ev.load_encoder(str(tmp_path))


def test_local_folder_copy_of_bundled_model_loads(tmp_path):
    import shutil

    dest = tmp_path / "copy"
    shutil.copytree(ev.models.bundled_model_path(), dest)
    enc2 = ev.load_encoder(str(dest))
    assert enc2.num_layers == 6 and enc2.name == str(dest)


def test_allowlist(monkeypatch):
    monkeypatch.setenv("EMBEDVIZ_ALLOWED_MODELS", "bert-base-uncased")
    assert ev.allowed_models() == [ev.BUNDLED, "bert-base-uncased"]
    with pytest.raises(ev.ModelLoadError, match="only offers"):
        ev.load_encoder("roberta-base")
    assert ev.load_encoder(ev.BUNDLED).num_layers == 6


def test_backend_never_imports_streamlit():
    from pathlib import Path

    for p in (Path(ev.__file__).parent).glob("*.py"):
        src = p.read_text()
        assert "import streamlit" not in src and "from streamlit" not in src, p


def test_one_model_under_many_spellings_and_at_most_n_loaded(tmp_path, monkeypatch, enc):
    import os
    import shutil

    dest = tmp_path / "copy"
    shutil.copytree(ev.models.bundled_model_path(), dest)
    os.symlink(dest, tmp_path / "link")
    monkeypatch.chdir(tmp_path)
    first = ev.load_encoder(str(dest))
    for spelling in [str(dest) + "/", "copy", "./copy", "../" + tmp_path.name + "/copy", str(tmp_path / "link")]:
        assert ev.load_encoder(spelling) is first, spelling
    monkeypatch.setenv("EMBEDVIZ_MAX_MODELS", "1")
    ev.load_encoder(ev.BUNDLED)  # the least recently used (the copy) makes room
    assert not ev.model_is_loaded(str(dest)) and ev.model_is_loaded("bundled")


def test_a_model_that_is_not_here_says_so_at_once_and_how_to_add_it(monkeypatch):
    calls = []
    monkeypatch.setattr(ev.models, "_load", lambda *a: calls.append(a))
    assert ev.model_availability("bert-large-cased") is not None  # offline, not in the cache
    with pytest.raises(ev.ModelLoadError, match="offline .* Hugging Face cache.*EMBEDVIZ_MODEL"):
        ev.load_encoder("bert-large-cased")
    assert calls == []  # decided without trying to load
    assert ev.model_availability(ev.BUNDLED) is None


def test_a_failed_model_is_not_tried_again(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text("{ this is not json")
    (tmp_path / "model.safetensors").write_bytes(b"x")
    with pytest.raises(ev.ModelLoadError):
        ev.load_encoder(str(tmp_path))
    monkeypatch.setattr(ev.models, "_load", lambda *a: pytest.fail("tried again"))
    with pytest.raises(ev.ModelLoadError):
        ev.load_encoder(str(tmp_path))
    assert ev.model_availability(str(tmp_path)) is not None


def test_result_cache_is_bounded_in_bytes(enc, monkeypatch):
    enc.clear_cache()
    one = enc.hidden_states("A sentence of moderate length for the cache test.").array.nbytes
    monkeypatch.setattr(ev.models, "CACHE_BYTES", one * 3)
    for i in range(10):
        enc.hidden_states(f"A sentence of moderate length for the cache test number {i}.")
    assert sum(h.array.nbytes for h in enc._cache.values()) <= one * 4 and len(enc._cache) < 10
    enc.clear_cache()


def test_an_evicted_model_is_freed(tmp_path, monkeypatch, enc):
    import gc
    import shutil
    import weakref

    dest = tmp_path / "copy2"
    shutil.copytree(ev.models.bundled_model_path(), dest)
    other = ev.load_encoder(str(dest))
    ev.load_vectors("encoder", encoder=other)  # memoised results must not keep it alive
    ev.reference_baseline(other)
    ref = weakref.ref(other)
    del other
    monkeypatch.setenv("EMBEDVIZ_MAX_MODELS", "1")
    ev.load_encoder(ev.BUNDLED)
    gc.collect()
    assert ref() is None


def test_a_hub_nobody_reaches_marks_its_models_unavailable_at_once(monkeypatch):
    """Without HF_HUB_OFFLINE, a hub that does not answer (here: a closed local port) is found in one
    short check, the list says so, and loading fails with the reason instead of retrying downloads."""
    from embedviz import models

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    try:
        assert models.hub_reachable(refresh=True) is False
        why = ev.model_availability("no-such-org/no-such-model")
        assert why and "cannot be reached" in why
        with pytest.raises(ev.ModelLoadError, match="cannot be reached"):
            ev.load_encoder("no-such-org/no-such-model")
        assert ev.model_availability(ev.BUNDLED) is None  # the bundled model needs no hub
    finally:
        monkeypatch.undo()
        models.hub_reachable(refresh=True)
