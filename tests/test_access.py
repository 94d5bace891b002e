"""A server's visitors read only what its owner allowed: vector and question files from named folders,
model folders the owner listed; a refusal says the same whether or not the path exists."""

import os
import shutil

import pytest

import embedviz as ev
from embedviz import access
from embedviz.vector_files import write_glove


@pytest.fixture
def serving(monkeypatch, tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    monkeypatch.setenv("EMBEDVIZ_VECTOR_DIRS", str(allowed))
    monkeypatch.delenv("EMBEDVIZ_LOCAL_FILES", raising=False)
    monkeypatch.delenv("EMBEDVIZ_VECTORS", raising=False)
    ev.serve_visitors()
    return allowed


def refused(path):
    with pytest.raises(ev.InputError) as e:
        ev.load_vectors(path)
    return str(e.value)


def test_only_named_folders_are_read_and_refusals_reveal_nothing(serving, tmp_path, small_vectors):
    words, m = small_vectors
    write_glove(serving / "ok.txt", words, m)
    assert len(ev.load_vectors(serving / "ok.txt")) == len(words)
    (tmp_path / "secret.env").write_text("API_KEY 12345\nOTHER 678\n")
    (tmp_path / "folder").mkdir()
    os.symlink(tmp_path / "secret.env", serving / "link.txt")  # a link inside that points outside
    messages = {refused(p) for p in [tmp_path / "secret.env", "/etc/passwd", "/etc/shadow", "/no/such/file",
                                     tmp_path / "folder", "~/.bashrc", str(serving / ".." / "secret.env"),
                                     serving / "link.txt", "https://example.com/x.txt"]}
    assert messages == {access.REFUSED_FILE}  # one message: nothing learned about what exists
    assert "12345" not in access.REFUSED_FILE
    assert not any((ev.cache_dir() / "vectors").glob("*")) or all(
        "secret" not in p.name for p in (ev.cache_dir() / "vectors").glob("*"))


def test_over_long_paths_get_a_message(serving):
    assert "3,000 characters long" in refused("x" * 3000)


def test_glove_and_the_cache_stay_readable(serving):
    assert len(ev.load_vectors()) == 400_000
    assert ev.evaluate_analogies(ev.load_vectors(), ev.benchmark_file("questions-words.txt"), restrict_vocab=2000).total


def test_question_files_follow_the_same_rule(serving, tmp_path, small_vectors):
    (tmp_path / "q.txt").write_text(": s\nman king woman queen\n")
    with pytest.raises(ev.InputError, match="does not read that path"):
        ev.evaluate_analogies(ev.StaticVectors(*small_vectors, "t"), tmp_path / "q.txt")


def test_the_owner_can_open_everything_on_their_own_machine(serving, tmp_path, small_vectors, monkeypatch):
    words, m = small_vectors
    write_glove(tmp_path / "mine.txt", words, m)
    monkeypatch.setenv("EMBEDVIZ_LOCAL_FILES", "1")
    assert len(ev.load_vectors(tmp_path / "mine.txt")) == len(words)
    ev.serve_visitors(False)
    monkeypatch.delenv("EMBEDVIZ_LOCAL_FILES")
    assert len(ev.load_vectors(tmp_path / "mine.txt")) == len(words)  # a notebook is its owner's


def test_model_folders_only_when_listed(serving, tmp_path, monkeypatch):
    copy = tmp_path / "model"
    shutil.copytree(ev.models.bundled_model_path(), copy)
    msgs = set()
    for name in [str(copy), str(tmp_path / "nothing-here"), "/etc", "../../etc", "~/"]:
        with pytest.raises(ev.ModelLoadError) as e:
            ev.load_encoder(name)
        msgs.add(str(e.value).replace(repr(name), "NAME"))
    assert len(msgs) == 1 and "not available on this server" in msgs.pop()
    monkeypatch.setenv("EMBEDVIZ_ALLOWED_MODELS", str(copy))
    assert ev.load_encoder(str(copy)).num_layers == 6


def test_over_long_model_names_get_a_message():
    with pytest.raises(ev.ModelLoadError, match="300 characters long"):
        ev.load_encoder("m" * 300)


def test_leftovers_in_the_cache_are_swept_and_never_loadable(monkeypatch, tmp_path, small_vectors):
    """Issue 26, item 8: a raw upload and a half-written .npy a crash left in the cache are removed when
    the server starts, and a visitor cannot load either by its name meanwhile."""
    words, m = small_vectors
    cache = tmp_path / "cache"
    monkeypatch.setenv("EMBEDVIZ_CACHE", str(cache))
    monkeypatch.delenv("EMBEDVIZ_LOCAL_FILES", raising=False)
    (cache / "tmp").mkdir(parents=True)
    (cache / "vectors").mkdir()
    upload = cache / "tmp" / "abc123.upload"
    write_glove(upload, words, m)
    partial = cache / "vectors" / "0123456789abcdef.npy9x8y.tmp"
    partial.write_bytes(b"\x93NUMPY half a file")
    fresh = cache / "tmp" / "fresh.upload"
    write_glove(fresh, words, m)
    old = os.path.getmtime(upload) - 3600
    for p in (upload, partial):
        os.utime(p, (old, old))
    monkeypatch.setattr(access, "_swept", False)
    ev.serve_visitors()  # the server starts
    assert not upload.exists() and not partial.exists() and fresh.exists()  # one being written right now stays
    assert "does not read that path" in refused(fresh)  # ... but is not loadable by name
    keep = cache / "vectors" / "kept.txt.tmp"
    write_glove(keep, words, m)
    assert "does not read that path" in refused(keep)


def test_hub_shaped_names_say_nothing_of_the_working_folder(serving, tmp_path, monkeypatch):
    """Issue 26, item 10: "owner/model" was read as a folder of the server's working directory when one
    existed (refused one way) and as a hub id otherwise (refused another): an existence oracle."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ev.models.bundled_model_path(), tmp_path / "acme" / "secret-model")
    msgs = set()
    for name in ["acme/secret-model", "acme/no-such-model"]:
        with pytest.raises(ev.ModelLoadError) as e:
            ev.load_encoder(name)
        msgs.add(str(e.value).replace(name, "NAME"))
    assert len(msgs) == 1, msgs


def test_messages_name_no_server_path(serving, tmp_path):
    """Item 10: "There is no file at /home/…/.cache/embedviz/maps" told a visitor the server's folders."""
    missing = ev.cache_dir() / "maps" / "nothing.txt"
    msg = refused(str(missing))
    assert str(ev.cache_dir()) not in msg and "nothing.txt" in msg
