"""The guided tour: seven steps through the tutorials' story, each a page opened on its example.
Home lists the steps; a page opened from a step shows where it is and what comes next."""

import streamlit as st

STEPS = [  # (page, label, the example the step opens on, what to notice)
    ("app_pages/1_Tokens.py", "Tokens", {"example": "The tutorial's first sentence"},
     "'embeddings' is not in the vocabulary, so it becomes em ##bed ##ding ##s. Note [CLS] and [SEP]."),
    ("app_pages/2_Layers.py", "The layers", {"example": "The three banks"},
     "One sentence becomes layers + 1 x tokens x hidden numbers. Most values sit near zero; a few dimensions stand far out."),
    ("app_pages/3_Context.py", "The three banks", {"example": "The three banks"},
     "'bank' in 'bank vault' and 'bank robber' stays closer than either to 'river bank', and the gap opens in the middle layers."),
    ("app_pages/4_Sentences.py", "Sentence vectors", {"example": "Questions"},
     "Questions that mean the same thing score highest, even with no words in common."),
    ("app_pages/5_Static_vectors.py", "king - man + woman", {"tab": "Analogies", "example": "king - man + woman"},
     "The answer is queen. The input words are left out; see where 'king' itself would have ranked."),
    ("app_pages/6_Projections.py", "Clusters in PCA", {"example": "vehicles, pets, fruits"},
     "Vehicles, pets and fruits fall into separate clouds, from static vectors alone."),
    ("app_pages/7_Train.py", "Train from scratch", {"example": "The tutorial's nine words"},
     "Nine words in three dimensions: press Play and watch each group pull together."),
]


def link(k: int, *, label: str | None = None, container=st) -> None:
    """A link to step ``k`` (1-based), opening its page on its example."""
    path, name, params, _ = STEPS[k - 1]
    container.page_link(path, label=label or f"{k}. {name}", query_params={**params, "tour": str(k)},
                        icon=":material/arrow_forward:")


def steps() -> None:
    """Home's list of steps: a link each, and what to notice there."""
    for k, (_, _, _, notice) in enumerate(STEPS, start=1):
        left, right = st.columns([1, 3])
        link(k, container=left)
        right.caption(f"What to notice: {notice}")


def strip() -> None:
    """On a page opened from a step: "Guided tour, step k of 7", what to notice, and the next step."""
    try:
        k = int(st.query_params.get("tour", ""))
    except ValueError:
        return
    if not 1 <= k <= len(STEPS):
        return
    with st.container(border=True):
        left, right = st.columns([3, 1])
        left.markdown(f"**Guided tour, step {k} of {len(STEPS)}: {STEPS[k - 1][1]}.** {STEPS[k - 1][3]}")
        if k < len(STEPS):
            link(k + 1, label=f"Next: {STEPS[k][1]}", container=right)
        else:
            right.page_link("app.py", label="Back to the start", icon=":material/home:")


def download(enc, *, container=st) -> None:
    """A button that saves the whole tour (figures, what to notice, the numbers) as one HTML file that
    opens with no server, for sending to people; built on click."""
    import embedviz as ev

    notices = [s[3] for s in STEPS]
    container.download_button("Save the tour as one HTML file", key="tour_html", file_name="embedviz-tour.html",
                              data=lambda: ev.tour_html(enc, ev.load_vectors(ev.GLOVE), notices), mime="text/html",
                              on_click="ignore", icon=":material/download:",
                              help="Every step's figure and numbers in one file that opens in any browser, offline.")
