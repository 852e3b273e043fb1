"""The ONNX encoder: the packaged model exported once per test module (real weights, no stubs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from rag import embedding_onnx
from rag.embedding_onnx import OnnxEmbedder, fingerprint
from rag.errors import StoreError

pytestmark = pytest.mark.slow

SENTENCES = [
    "The central bank raised interest rates by a quarter point on Wednesday.",
    "Inflation slowed for a third month as fuel prices fell.",
    "Floods closed the coastal highway and forced hundreds from their homes.",
    "Rescue teams searched the rubble of the collapsed apartment block overnight.",
    "The striker scored twice as the home side won the cup final.",
    "Tennis champion withdraws from the tournament with a wrist injury.",
    "Parliament passed the budget after a twelve-hour debate.",
    "The opposition leader called for an early election.",
    "Scientists reported a new species of frog in the cloud forest.",
    "The space agency delayed the launch because of high winds.",
    "A magnitude 6.1 earthquake shook the region; no damage was reported.",
    "Wildfires spread across the dry hills east of the city.",
    "The company announced it would cut 2,000 jobs worldwide.",
    "Shares in the carmaker fell eight percent after the recall.",
    "Teachers went on strike over pay and class sizes.",
    "The court ruled that the ban on street protests was unlawful.",
    "Police arrested three men after the bank robbery.",
    "The museum returned the stolen paintings to their owners.",
    "A new vaccine trial showed strong results in older adults.",
    "Hospitals were told to prepare for a rise in flu cases.",
    "The festival drew record crowds despite the rain.",
    "The film won the top prize at the festival on Saturday.",
    "Ministers met to discuss the trade agreement with their neighbours.",
    "The ceasefire collapsed after two days of fighting.",
    "Aid convoys reached the besieged town for the first time in months.",
    "The president pardoned the jailed journalist.",
    "Heavy snow cancelled flights at the capital's airport.",
    "The drought has cut the wheat harvest by a third.",
    "Electricity prices will rise again in the spring.",
    "The new bridge opened to traffic after four years of work.",
    "A ferry carrying 300 passengers ran aground near the harbour.",
    "Voters rejected the proposed constitutional change in a referendum.",
    "The mayor unveiled a plan to plant a million trees.",
    "Researchers found microplastics in Antarctic snow.",
    "The chess world champion retained his title after a tiebreak.",
    "The telescope captured images of a distant galaxy cluster.",
    "Unemployment fell to its lowest level in a decade.",
    "The famous bakery closed its doors after 120 years.",
    "Protesters gathered outside the embassy for a second night.",
    "The orchestra cancelled its tour because of the pandemic.",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def int8(cache):
    embedder = OnnxEmbedder(quantized=True, cache_dir=cache)
    embedder.warm()
    return embedder


@pytest.fixture(scope="module")
def fp32(cache):
    embedder = OnnxEmbedder(quantized=False, cache_dir=cache)
    embedder.warm()
    return embedder


@pytest.fixture(scope="module")
def torch_vectors(real_embedder):
    return real_embedder.embed(SENTENCES)


def test_vectors_are_unit_rows_of_384_floats(int8):
    vectors = int8.embed(SENTENCES[:5])
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_fp32_export_matches_sentence_transformers(fp32, torch_vectors):
    cosine = (fp32.embed(SENTENCES) * torch_vectors).sum(axis=1)
    assert cosine.min() >= 0.999


def test_int8_stays_close_to_sentence_transformers(int8, torch_vectors):
    cosine = (int8.embed(SENTENCES) * torch_vectors).sum(axis=1)
    assert cosine.mean() >= 0.98 and cosine.min() >= 0.95


def test_int8_weights_are_unsigned_so_no_cpu_saturates_their_products(int8):
    """With signed weights, x86 CPUs without VNNI sum u8 x s8 products in saturating 16-bit lanes: the same
    archive got other vectors, and other verdicts, on an AVX2 machine than on an AVX-512 one."""
    import onnx

    model = onnx.load(str(int8.cached_file))
    weights = {t.name: t.data_type for t in model.graph.initializer}
    multiplied = [node.input[1] for node in model.graph.node if node.op_type == "MatMulInteger"]
    assert multiplied and all(weights.get(name) == onnx.TensorProto.UINT8 for name in multiplied)


def test_rows_come_back_in_the_order_given_whatever_their_length(fp32):
    texts = [SENTENCES[0] * 30, "Rain.", SENTENCES[5], "", SENTENCES[9] * 8, "Snow in May."]
    small_batches = OnnxEmbedder(quantized=False, batch_size=2, cache_dir=fp32.cache_dir)
    together = small_batches.embed(texts)
    alone = np.vstack([fp32.embed([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_int8_rows_keep_their_order_too(int8):
    # int8 activations are scaled per batch, so a row moves a little with its batch mates: nearest, not equal
    texts = [SENTENCES[3] * 20, "Rain.", SENTENCES[12], SENTENCES[30] * 5, "Snow in May."]
    together = int8.embed(texts)
    alone = np.vstack([int8.embed([text]) for text in texts])
    similarity = together @ alone.T
    assert list(similarity.argmax(axis=1)) == list(range(len(texts)))
    assert np.diag(similarity).min() >= 0.98


def test_a_long_text_is_cut_at_the_models_256_tokens(fp32):
    long = " ".join(["The council met again to discuss the new housing plan."] * 60)
    longer = long + " An unrelated sentence about volcanoes erupting far away appended at the end."
    assert np.allclose(fp32.embed([long]), fp32.embed([longer]), atol=1e-5)


def test_nothing_to_embed_returns_an_empty_array(int8):
    assert int8.embed([]).shape[0] == 0


def test_its_name_differs_from_the_torch_models(int8, fp32, real_embedder):
    assert len({int8.name, fp32.name, real_embedder.name}) == 3
    assert int8.name.startswith(real_embedder.name)


def test_a_second_instance_loads_the_cached_file_without_exporting(int8, monkeypatch):
    path = int8.cached_file
    before = path.stat().st_mtime_ns

    def no_export(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(embedding_onnx, "export_model", no_export)
    again = OnnxEmbedder(quantized=True, cache_dir=int8.cache_dir)
    assert np.allclose(again.embed(SENTENCES[:3]), int8.embed(SENTENCES[:3]), atol=1e-6)
    assert path.stat().st_mtime_ns == before
    assert sorted(p.name for p in int8.cache_dir.iterdir() if not p.name.endswith(".onnx")) == []


def test_a_fresh_process_loads_the_cache_without_importing_torch(int8):
    script = (
        "import sys; from pathlib import Path; from rag.embedding_onnx import OnnxEmbedder\n"
        f"v = OnnxEmbedder(cache_dir=Path({str(int8.cache_dir)!r})).embed(['Floods close the road.'])\n"
        "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split("\n")[0] == "(1, 384) False False"


def test_a_damaged_cached_file_is_exported_again(fp32, tmp_path):
    damaged = tmp_path / fp32.cached_file.name
    damaged.write_bytes(fp32.cached_file.read_bytes()[:4096])
    embedder = OnnxEmbedder(quantized=False, cache_dir=tmp_path)
    assert embedder.cached_file == damaged
    vectors = embedder.embed(SENTENCES[:2])
    assert np.allclose(vectors, fp32.embed(SENTENCES[:2]), atol=1e-5)
    assert damaged.stat().st_size > 1_000_000


def test_a_failed_export_says_what_to_do_and_leaves_no_half_file(tmp_path, monkeypatch):
    def without_onnx(model_dir, target):
        target.write_bytes(b"half an onnx file")
        raise ModuleNotFoundError("No module named 'onnx'")

    monkeypatch.setattr(embedding_onnx, "_export_fp32", without_onnx)
    with pytest.raises(StoreError, match=r"pip install onnx.*NEWSRAG_ENCODER=torch"):
        OnnxEmbedder(cache_dir=tmp_path / "cache").embed(["hello"])
    assert list((tmp_path / "cache").iterdir()) == []


def test_changed_weights_get_a_new_cache_name(tmp_path, int8):
    model = tmp_path / "model"
    model.mkdir()
    for name in ("config.json", "sentence_bert_config.json"):
        shutil.copy(int8.model_dir / name, model / name)
    (model / "model.safetensors").write_bytes(b"weights one")
    first = fingerprint(model)
    assert fingerprint(model) == first
    (model / "model.safetensors").write_bytes(b"weights two!")
    assert fingerprint(model) != first
