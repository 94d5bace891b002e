import numpy as np

from embedviz import plots
from embedviz.cache import memoize


def test_memoize_keys_by_value_and_order():
    calls = []

    @memoize(maxsize=2)
    def f(x, d):
        calls.append(1)
        return object()

    a = np.arange(4.0)
    first = f(a, {"x": 1, "y": 2})
    assert f(a.copy(), {"x": 1, "y": 2}) is first and len(calls) == 1
    assert f(a, {"y": 2, "x": 1}) is not first  # dict order can change a result (trace order)
    assert f(a + 1, {"x": 1, "y": 2}) is not first
    f(a, {"z": 0})
    f(a, {"x": 1, "y": 2})
    assert len(calls) == 5  # the first entry was evicted (maxsize 2)


def test_heatmap_is_the_numbers():
    z = np.array([[1.0, 0.5], [0.25, -1.0]])
    fig = plots.heatmap_figure(z, ["a", "b"], ["r1", "r2"], title="t")
    assert np.array_equal(np.asarray(fig.data[0].z), z)
    assert list(fig.data[0].x) == ["a", "b"] and fig.data[0].text[1][1] == "-1.00"


def test_scatter_groups_labels_3d_and_webgl():
    xy = np.random.default_rng(0).normal(size=(6, 2))
    fig = plots.scatter_figure(xy, list("abcdef"), color=["g1", "g1", "g2", "g2", "g2", "g1"], title="t",
                               hover={"group": ["g1", "g1", "g2", "g2", "g2", "g1"]}, paths={"p": [0, 1, 5]})
    assert [t.name for t in fig.data] == ["g1", "g2", "p"]
    assert np.allclose(fig.data[0].x, xy[[0, 1, 5], 0]) and list(fig.data[1].text) == ["c", "d", "e"]
    assert fig.data[0].type == "scatter" and fig.data[2].mode == "lines"
    big = plots.scatter_figure(np.zeros((1500, 2)), ["w"] * 1500, color=["g"] * 1500, title="t", show_labels=False)
    assert big.data[0].type == "scattergl" and big.data[0].mode == "markers"
    assert plots.scatter_figure(np.zeros((3, 3)), list("abc"), color=list("xxx"), title="t").data[0].type == "scatter3d"


def test_analogy_arrows_and_training_frames():
    c = np.array([[0, 0], [1, 1], [0, 1], [1, 2]], dtype=float)
    fig = plots.analogy_figure(c, ["man", "king", "woman", "queen"], title="t")
    arrows = [(a.ax, a.ay, a.x, a.y) for a in fig.layout.annotations]
    assert (0, 0, 1, 1) in arrows and (0, 1, 1, 2) in arrows
    snaps = np.random.default_rng(0).normal(size=(5, 4, 3))
    fig = plots.training_figure(snaps, [0, 1, 2, 3, 4], list("abcd"), ["g1", "g1", "g2", "g2"])
    assert len(fig.frames) == 5 and np.allclose(fig.frames[-1].data[1].x, snaps[-1, 2:, 0])


def test_training_opens_on_the_trained_result():
    snaps = np.random.default_rng(0).normal(size=(5, 4, 2))
    fig = plots.training_figure(snaps, [0, 10, 20, 30, 40], list("abcd"), ["g1", "g1", "g2", "g2"])
    assert np.allclose(fig.data[0].x, snaps[-1, :2, 0])  # what shows first is the last epoch, not the blob
    assert fig.layout.sliders[0].active == 4 and "after 40 epochs" in fig.layout.title.text
    play = fig.layout.updatemenus[0].buttons[0]
    assert list(play.args[0]) == ["0", "10", "20", "30", "40"]  # Play replays from epoch 0


def test_a_narrow_band_of_cosines_spans_the_colours():
    """0.81-0.96 across the three banks: the colour scale spans the values, so the gap is visible (it
    spanned 0 to 1, and 0.81 and 0.96 were one colour)."""
    v = np.array([[0.96, 0.95, 0.93], [0.95, 0.90, 0.84], [0.93, 0.88, 0.81]])
    fig = plots.layer_similarity_figure(v, ["a ~ b", "a ~ c", "b ~ c"], title="t")
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0.81, 0.96)


def test_axis_labels_grow_the_margin_and_ids_print_as_integers():
    fig = plots.heatmap_figure(np.eye(2), ["x1", "x2"], ["bank (robber) ~ bank (river)", "b"], title="t")
    assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin  # long row labels are not cut
    bars = plots.bar_figure(["0: [CLS]", "1: here"], [101, 2182], title="ids", fmt="d")
    assert list(bars.data[0].text) == ["101", "2182"] and ":d}" in bars.data[0].hovertemplate


def test_controls_do_not_cover_each_other_or_the_title():
    fig = plots.training_figure(np.zeros((3, 4, 2)), [0, 1, 2], list("abcd"), list("aabb"))
    button, slider = fig.layout.updatemenus[0], fig.layout.sliders[0]
    assert button.y > 1 and slider.y < 0  # Play above the plot, the slider below it at full width
    grid = plots.attention_grid_figure(np.ones((2, 3, 4, 4)) / 4, title="2 layers x 3 heads")
    assert grid.layout.xaxis.side == "bottom"  # head labels no longer printed over the title
