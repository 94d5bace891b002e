import numpy as np
import pytest

import embedviz as ev
from embedviz.vector_files import write_glove, write_word2vec_binary


def test_encoder_table_is_whole_words_and_solves_king_queen(enc):
    v = ev.load_vectors("encoder", encoder=enc)
    assert all(w.isalpha() and w == w.lower() for w in v.words)
    assert "##s" not in v and "[CLS]" not in v and "[unused0]" not in v
    assert v.analogy("man", "king", "woman", topn=1)[0][0] == "queen"
    assert v.analogy("man", "king", "woman", topn=1, method="3cosmul")[0][0] == "queen"
    assert ev.load_vectors("encoder", encoder=enc) is v  # built once per encoder


def test_questions_answered_like_gensim(tmp_path, small_vectors):
    gensim = pytest.importorskip("gensim")
    words, m = small_vectors
    p = tmp_path / "v.txt"
    write_glove(p, words, m)
    ours = ev.load_vectors(p)
    kv = gensim.models.KeyedVectors(m.shape[1])
    kv.add_vectors(words, m)
    assert ours.analogy("man", "king", "woman", topn=1)[0][0] == "queen"
    for w in ("king", "apple", "dog"):
        theirs = kv.most_similar(w, topn=5)
        mine = ours.most_similar(w, topn=5)
        assert [x for x, _ in mine] == [x for x, _ in theirs]
        assert np.allclose([s for _, s in mine], [s for _, s in theirs], atol=1e-5)
    got = ours.analogy("man", "king", "woman", topn=3)
    exp = kv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    assert [w for w, _ in got] == [w for w, _ in exp]
    assert ours.doesnt_match(["apple", "pear", "car", "king"])[0] == kv.doesnt_match(["apple", "pear", "car", "king"])
    assert np.isclose(ours.similarity("cat", "dog"), kv.similarity("cat", "dog"), atol=1e-6)


def test_input_ranks_and_arithmetic(small_vectors, tmp_path):
    words, m = small_vectors
    v = ev.StaticVectors(words, m, "test")
    ranks = v.input_ranks("man", "king", "woman")
    assert set(ranks) == {"man", "king", "woman"} and all(1 <= r <= len(words) for r in ranks.values())
    res, terms = v.arithmetic("king - man + woman", topn=2)
    assert res[0][0] == "queen" and terms == [(1, "king"), (-1, "man"), (1, "woman")]


def test_unknown_words_named_with_suggestions(small_vectors):
    v = ev.StaticVectors(*small_vectors, "test")
    with pytest.raises(ev.InputError, match="'kingg'.*did you mean king"):
        v.most_similar("kingg")
    with pytest.raises(ev.InputError, match="empty"):
        v.analogy("man", "", "woman")
    assert v.most_similar("KING", 1)  # case is forgiven for a lowercase table


@pytest.mark.parametrize("fmt", ["glove", "w2v_text", "w2v_binary"])
def test_formats_detected_and_equal(tmp_path, small_vectors, fmt):
    words, m = small_vectors
    p = tmp_path / f"v.{fmt}"
    if fmt == "w2v_binary":
        write_word2vec_binary(p, words, m)
    else:
        write_glove(p, words, m, header=fmt == "w2v_text")
    v = ev.load_vectors(p, use_cache=False)
    assert v.words == words
    assert np.allclose(v.matrix, m, atol=1e-4 if fmt != "w2v_binary" else 0)


def test_glove_840b_words_with_spaces(tmp_path):
    p = tmp_path / "g.txt"
    p.write_text("the 0.1 0.2 0.3\n. . . 0.4 0.5 0.6\nat name@domain.com 0.7 0.8 0.9\n")
    v = ev.load_vectors(p, use_cache=False)
    assert v.words == ["the", ". . .", "at name@domain.com"] and v.dim == 3


def test_disk_cache_is_memory_mapped_and_keyed_by_file(tmp_path, small_vectors):
    words, m = small_vectors
    p = tmp_path / "vecs.txt"
    write_glove(p, words, m)
    first = ev.load_vectors(p)
    assert first.source == "vecs.txt (12 words)"
    ev.vectors.forget_files()
    again = ev.load_vectors(p)
    assert isinstance(again.matrix, np.memmap) and again.words == first.words and again.source == "vecs.txt (12 words, cached)"
    write_glove(p, words[:5], m[:5])  # the file changes: its key changes
    ev.vectors.forget_files()
    assert len(ev.load_vectors(p)) == 5


BAD = {
    "inconsistent": ("a 1 2 3\nb 1 2\nc 1 2 3\n", "line 2: 2 values"),
    "extra values": ("a 1 2 3\nb 1 2 3 4\n", "line 2: 4 values"),
    "nan": ("a 1 2 3\nb nan 2 3\n", "line 2.*NaN"),
    "inf": ("a 1 2 3\nb inf 2 3\n", "NaN or infinite"),
    "header too big": ("999999999 3\na 1 2 3\n", "more than"),
    "header short": ("5 3\na 1.5 2.5 3.5\nb 1.5 2.5 3.5\n", "header says 5"),
    "not numbers": ("hello world\nfoo bar\n", "word followed by numbers"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_text_files_name_the_problem(tmp_path, case):
    text, msg = BAD[case]
    p = tmp_path / "bad.txt"
    p.write_text(text)
    with pytest.raises(ev.VectorFileError, match=msg):
        ev.load_vectors(p, use_cache=False)


def test_not_utf8_and_binary_and_paths(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes(b"a 1 2 3\ncaf\xe9 1 2 3\n")
    with pytest.raises(ev.VectorFileError, match="line 2: bytes that are not UTF-8"):
        ev.load_vectors(p, use_cache=False)
    b = tmp_path / "blob.bin"
    b.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ev.VectorFileError, match="binary"):
        ev.load_vectors(b, use_cache=False)
    with pytest.raises(ev.VectorFileError, match="not a file"):
        ev.load_vectors(tmp_path)
    with pytest.raises(ev.VectorFileError, match="no file"):
        ev.load_vectors(tmp_path / "missing.txt")
    with pytest.raises(ev.VectorFileError, match="web address"):
        ev.load_vectors("https://example.com/glove.txt")
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ev.VectorFileError, match="empty"):
        ev.load_vectors(tmp_path / "empty.txt")
    big = tmp_path / "big.txt"
    big.write_text("a 1 2 3\n" * 100)
    with pytest.raises(ev.VectorFileError, match="over this server's limit"):
        ev.load_vectors(big, max_bytes=10)


def test_duplicates_keep_the_first(tmp_path):
    p = tmp_path / "dup.txt"
    p.write_text("a 1 0\nb 0 1\na 5 5\n")
    v = ev.load_vectors(p, use_cache=False)
    assert np.allclose(v.vector("a"), [1, 0]) and any("duplicate" in n for n in v.notes)


def test_download_glove_from_a_local_server(tmp_path, small_vectors):
    import http.server
    import threading
    import zipfile
    from functools import partial

    words, m = small_vectors
    src = tmp_path / "srv"
    src.mkdir()
    write_glove(tmp_path / "glove.6B.50d.txt", words, m)
    with zipfile.ZipFile(src / "glove.6B.zip", "w") as z:
        z.write(tmp_path / "glove.6B.50d.txt", "glove.6B.50d.txt")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(src))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/glove.6B.zip"
        path = ev.download_glove(url, member="glove.6B.50d.txt", dest_dir=tmp_path / "dl",
                                 progress=lambda f, msg: seen.append(f))
        assert ev.load_vectors(path).words == words
        assert seen[-1] == 1.0 and any(0 < f < 1 for f in seen)
        with pytest.raises(ev.InputError, match="no glove.6B.300d.txt"):
            ev.download_glove(url, member="glove.6B.300d.txt", dest_dir=tmp_path / "dl2")
        with pytest.raises(ev.InputError, match="Could not download"):
            ev.download_glove(url.replace("glove.6B.zip", "missing.zip"), dest_dir=tmp_path / "dl3")
    finally:
        server.shutdown()
    with pytest.raises(ev.InputError, match="http"):
        ev.download_glove("file:///etc/passwd")


def test_grouped_keeps_the_first_group_and_names_unknown_words(small_vectors):
    v = ev.StaticVectors(*small_vectors, "t")
    words, m, groups, missing = v.grouped({"royals": ["King", "queen"], "mixed": ["king", "dog", "zzz"]})
    assert words == ["king", "queen", "dog"] and groups == ["royals", "royals", "mixed"] and missing == ["zzz"]
    assert np.allclose(m[2], v.vector("dog"))


def test_uploads_are_parsed_then_dropped(tmp_path, monkeypatch, small_vectors):
    import io

    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path / "cache"))
    words, m = small_vectors
    buf = io.StringIO()
    for w, row in zip(words, m):
        buf.write(w + " " + " ".join(f"{x:.5f}" for x in row) + "\n")
    v = ev.upload_vectors("my vectors.txt", buf.getvalue().encode())
    assert v.source == "my vectors.txt (12 words, uploaded)" and v.words == words
    again = ev.upload_vectors("renamed.txt", buf.getvalue().encode())  # same bytes: the parsed cache answers
    assert isinstance(again.matrix, np.memmap) and again.source.startswith("renamed.txt")
    with pytest.raises(ev.VectorFileError, match="junk.txt, line 2"):
        ev.upload_vectors("junk.txt", b"a 1 2\nb 1\n")
    with pytest.raises(ev.VectorFileError, match="empty"):
        ev.upload_vectors("nothing.txt", b"")
    files = sorted(p.relative_to(tmp_path / "cache").as_posix() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert len(files) == 2 and all(f.startswith("vectors/upload-") for f in files)  # no raw upload, no temp file


def test_the_cache_folder_is_bounded_and_cleans_up(tmp_path, monkeypatch, small_vectors):
    import os
    import time

    from embedviz import vector_files

    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path / "cache"))
    words, m = small_vectors
    one = None
    for i in range(5):
        p = tmp_path / f"v{i}.txt"
        write_glove(p, words, m * (i + 1))
        ev.load_vectors(p)
        if one is None:
            one = sum(f.stat().st_size for f in (tmp_path / "cache" / "vectors").iterdir())
            monkeypatch.setenv("EMBEDVIZ_CACHE_MB", str(one * 2.5 / 2**20))  # room for two tables
        time.sleep(0.01)
    left = sorted(f.name for f in (tmp_path / "cache" / "vectors").iterdir())
    assert len(left) == 4  # the two most recently used tables, each a .npy and a .words.json
    stale = tmp_path / "cache" / "vectors" / "x.npy123.tmp"
    stale.write_bytes(b"half a file")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    vector_files.trim_cache()
    assert not stale.exists()


def test_a_cache_entry_of_the_wrong_shape_is_rebuilt(tmp_path, monkeypatch, small_vectors):
    from embedviz import vector_files

    monkeypatch.setenv("EMBEDVIZ_CACHE", str(tmp_path / "cache"))
    words, m = small_vectors
    p = tmp_path / "v.txt"
    write_glove(p, words, m)
    ev.load_vectors(p)
    npy = next((tmp_path / "cache" / "vectors").glob("*.npy"))
    np.save(npy, np.zeros((3, 2), dtype=np.float32))  # damaged: three rows for twelve words
    ev.vectors.forget_files()
    again = ev.load_vectors(p)
    assert again.matrix.shape == m.shape and np.allclose(again.matrix, m, atol=1e-4)
    assert np.load(npy).shape == m.shape  # and the entry is written again
    assert vector_files.read_cached(p)[3]  # now served from the cache
