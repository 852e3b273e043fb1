"""Grouping a period's articles into stories: a pure function over their vectors and names.

    group(articles) -> [(index, ...), ...]   each story's articles, as indexes into `articles`

First the groups the archive already knows: exact copies and near-duplicate copies (MinHash story
groups, `articles.grp`) are one story whatever their vectors say. Then those groups are clustered by
SciPy's hierarchical clustering (average linkage, cut at a distance) over a distance that mixes the
cosine of their vectors with the names they share: two reports of one event use the same people and
places, and two reports of two events of one kind ("a fire", "an election") do not. SciPy rather than
scikit-learn's `AgglomerativeClustering` (the same average linkage): importing `scipy.cluster` takes
0.75 s here, `sklearn.cluster` 3.0 s, and a digest should come back in under a second. Over
`MAX_PAIRWISE` groups the pairwise matrix would be too big, and scikit-learn's BIRCH, which needs no
such matrix, clusters the vectors alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.stories.records import StoryArticle

THRESHOLD = 0.40  # largest average distance within a story (1 - cosine - NAMES_WEIGHT * names shared)
NAMES_WEIGHT = 0.25
MAX_PAIRWISE = 4000


def group(articles: Sequence[StoryArticle], threshold: float = THRESHOLD,
          names_weight: float = NAMES_WEIGHT) -> list[tuple[int, ...]]:
    """The stories among `articles`: tuples of indexes, each in the order of `articles`; stories in the
    order of their first article."""
    units = known_groups(articles)
    if len(units) > 1:
        vectors = np.stack([_mean([articles[i].vector for i in unit]) for unit in units])
        names = [frozenset().union(*(articles[i].names for i in unit)) for unit in units]
        labels = _cluster(vectors, names, threshold, names_weight)
        merged: dict[int, list[int]] = {}
        for unit, label in zip(units, labels, strict=True):
            merged.setdefault(int(label), []).extend(unit)
        units = [tuple(sorted(members)) for members in merged.values()]
    return sorted(units, key=lambda members: members[0])


def known_groups(articles: Sequence[StoryArticle]) -> list[tuple[int, ...]]:
    """Articles that share a story group or passages (exact copies), as index tuples."""
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, article in enumerate(articles):
        for key in (f"g:{article.meta.group}", f"h:{article.holder}"):
            if key in seen:
                parent[root(i)] = root(seen[key])
            else:
                seen[key] = i
    units: dict[int, list[int]] = {}
    for i in range(len(articles)):
        units.setdefault(root(i), []).append(i)
    return [tuple(members) for members in units.values()]


def distances(vectors: np.ndarray, names: Sequence[frozenset[str]], names_weight: float = NAMES_WEIGHT) -> np.ndarray:
    """1 - cosine - names_weight * (names shared / names of the one with fewer), at least 0."""
    similarity = vectors @ vectors.T
    if names_weight:
        vocabulary = {n: k for k, n in enumerate(sorted(frozenset().union(*names)))}
        if vocabulary:
            marks = np.zeros((len(names), len(vocabulary)), dtype=np.float32)
            for row, found in enumerate(names):
                marks[row, [vocabulary[n] for n in found]] = 1.0
            shared = marks @ marks.T
            sizes = marks.sum(axis=1)
            fewer = np.maximum(np.minimum.outer(sizes, sizes), 1.0)
            similarity = similarity + names_weight * shared / fewer
    result = np.clip(1.0 - similarity, 0.0, None).astype(np.float64)
    np.fill_diagonal(result, 0.0)
    return result


def _cluster(vectors: np.ndarray, names: Sequence[frozenset[str]], threshold: float, names_weight: float) -> np.ndarray:
    if len(vectors) > MAX_PAIRWISE:
        from sklearn.cluster import Birch

        # on unit vectors, euclidean distance^2 = 2 (1 - cosine)
        return Birch(threshold=float(np.sqrt(2 * threshold)) / 2, n_clusters=None).fit_predict(vectors)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    tree = linkage(squareform(distances(vectors, names, names_weight), checks=False), method="average")
    return fcluster(tree, t=threshold, criterion="distance")


def _mean(vectors: Sequence[np.ndarray]) -> np.ndarray:
    total = np.sum(vectors, axis=0)
    norm = float(np.linalg.norm(total))
    return total / norm if norm else total
