"""Regions you can name: density contours over a map and a name for each dense region, on real
GloVe maps (20,000 words, for speed)."""

import numpy as np
import pytest

import embedviz as ev
from embedviz import plots, regions


@pytest.fixture(scope="module")
def glove():
    return ev.load_vectors()


@pytest.fixture(scope="module", params=["pca", "tsne"])
def word_map(request, glove):
    return ev.word_map(glove, request.param, size=20_000, sample=1000)


def test_each_dense_region_is_outlined_and_named_by_its_own_words(word_map):
    m = word_map
    r = ev.map_regions(m)
    assert ev.map_regions(m) is r  # computed once per map
    assert len(r.regions) >= (2 if m.method == "pca" else 6)
    sizes = [g.points for g in r.regions]
    assert sizes == sorted(sizes, reverse=True)
    names = set()
    for g in r.regions:
        assert len(g.words) == 3 and all(m.readable[m.find(w)[0]] for w in g.words)  # words, no numbers or debris
        assert all(m.find(w)[0] >= regions.COMMON for w in g.words)  # not "the", "of"
        names.add(g.name)
        # the outline is closed and holds its centre and most of its words
        assert np.allclose(g.outline[0], g.outline[-1])
        inside = set(m.in_lasso(g.outline[:, 0], g.outline[:, 1]).tolist())
        near = m.tree.query_ball_point(g.centre, 1e-9 + 0.5 * np.ptp(g.outline, axis=0).min())
        assert near and len(inside & set(near)) > 0.5 * len(near)
        assert all(m.find(w)[0] in inside for w in g.words)
        assert 0.6 * g.points <= len(inside) <= 1.6 * g.points
    assert len(names) == len(r.regions)  # each its own name


def test_a_tsne_map_names_regions_by_their_meaning(glove):
    m = ev.word_map(glove, "tsne", size=20_000, sample=1000)
    words = {w for g in ev.map_regions(m).regions for w in g.words}
    # regions of numbers, sport, conflict... t-SNE parts them; their names say so
    assert len(words & {"percent", "game", "win", "finals", "militants", "oil", "music", "democratic"}) >= 3, words


def test_regions_are_drawn_over_the_map(word_map):
    m = word_map
    r = ev.map_regions(m)
    view = m.extent()
    fig = plots.map_figure(m, view, markers=m.markers(view), labelled=m.labelled(view), png=m.density_png(view),
                           regions=r, title="regions")
    names = next(t for t in fig.data if t.name == "region names")
    assert [s.replace("<b>", "").replace("</b>", "") for s in names.text] == [g.name for g in r.regions]
    lines = next(t for t in fig.data if t.name == "regions")
    assert np.isnan(np.asarray(lines.x, dtype=float)).sum() == len(r.regions)


def test_region_names_stay_inside_the_plot_and_apart(word_map):
    m = word_map
    r = ev.map_regions(m)
    view = m.extent()
    size, font_px = (800, 520), 8.5
    at = r.name_places(view, size=size, font_px=font_px)
    x0, x1, y0, y1 = view
    px = np.stack([(at[:, 0] - x0) / (x1 - x0) * size[0], (y1 - at[:, 1]) / (y1 - y0) * size[1]], axis=1)
    half = np.array([[(len(g.name) * font_px + 6) / 2, 9.0] for g in r.regions])
    lo, hi = px - half, px + half
    assert (lo >= -1e-6).all() and (hi[:, 0] <= size[0] + 1e-6).all() and (hi[:, 1] <= size[1] + 1e-6).all()
    for i in range(len(px)):
        for j in range(i):
            apart = (lo[i] >= hi[j] - 1e-6).any() or (lo[j] >= hi[i] - 1e-6).any()
            assert apart, (r.regions[i].name, r.regions[j].name)
    # the figure writes them there
    fig = plots.map_figure(m, view, markers=m.markers(view), labelled=m.labelled(view), regions=r, title="regions")
    names = next(t for t in fig.data if t.name == "region names")
    np.testing.assert_allclose(np.c_[names.x, names.y], at)
    # a wider view of the same map (zoomed out): still inside, still apart
    wide = (x0 - (x1 - x0), x1, y0, y1)
    assert len(r.name_places(wide)) == len(r.regions)


def test_the_page_draws_regions_and_an_honest_neighbour_caption():
    from pagetest import ok, spec
    from test_best_map import page

    at = page(projections_method="PCA")
    ok(at)
    assert not any(t.get("name") == "region names" for t in spec(at)["data"])
    at.toggle(key="projections_vocab_map_regions").set_value(True).run()
    ok(at)
    names = next(t for t in spec(at)["data"] if t["name"] == "region names")
    assert len(names["text"]) >= 2
    at.text_input(key="projections_vocab_map_find").input("frog").run()
    ok(at)
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "(each among all 20,000 points). Among all 20,000, a point of this map keeps about" in said
    assert "measured on 200 points" in said
    assert any(t["name"] == "neighbour labels" for t in spec(at)["data"])
