"""Settings: defaults < TOML file < environment, validated, with clear errors."""

from pathlib import Path

import pytest

from rag.errors import InputError
from rag.settings import PACKAGED_MODEL, Settings


def test_defaults_are_spelled_out():
    settings = Settings.load({})
    assert settings.embed_model == PACKAGED_MODEL and settings.backend == "auto"
    assert settings.home == Path("~/.local/share/newsrag").expanduser()


def test_the_environment_wins_over_the_toml_file(tmp_path):
    (tmp_path / "config.toml").write_text('[newsrag]\nmodel = "mistral"\nchunk_words = 150\n', encoding="utf-8")
    settings = Settings.load({"NEWSRAG_HOME": str(tmp_path), "NEWSRAG_MODEL": "qwen2.5"})
    assert (settings.model, settings.chunk_words, settings.home) == ("qwen2.5", 150, tmp_path)


@pytest.mark.parametrize("environ, message", [
    ({"NEWSRAG_CHUNK_WORDS": "many"}, "chunk_words' must be a int"),
    ({"NEWSRAG_BACKEND": "gpt"}, "backend must be auto, ollama or extractive"),
])
def test_bad_values_name_the_setting(environ, message):
    with pytest.raises(InputError, match=message):
        Settings.load(environ)


def test_a_broken_config_file_names_the_file(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("model = \n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.toml"):
        Settings.load({"NEWSRAG_CONFIG": str(config)})


def test_an_unknown_encoder_is_refused_with_the_choices():
    with pytest.raises(InputError, match="encoder must be one of auto, torch, onnx, onnx-int8"):
        Settings.load({"NEWSRAG_ENCODER": "gpu"})


def test_auto_keeps_an_archives_encoder_and_starts_a_new_one_on_int8():
    from rag.archive import auto_encoder

    assert auto_encoder(None, PACKAGED_MODEL) == "onnx-int8"  # new archive, packaged model: the fast export
    assert auto_encoder(None, "/models/my-own-model") == "torch"  # any other model: as sentence-transformers runs it
    assert auto_encoder(PACKAGED_MODEL, PACKAGED_MODEL) == "torch"  # built with torch: stays torch, no reindex
    assert auto_encoder(f"{PACKAGED_MODEL}#onnx", PACKAGED_MODEL) == "onnx"
    assert auto_encoder(f"{PACKAGED_MODEL}#onnx-int8", PACKAGED_MODEL) == "onnx-int8"


def test_num_ctx_caps_the_context_and_refuses_too_small_a_cap():
    assert Settings.load({}).num_ctx == 0  # no cap: the model's own context length
    assert Settings.load({"NEWSRAG_NUM_CTX": "8192"}).num_ctx == 8192
    for small in ("512", "-1"):
        with pytest.raises(InputError, match="num_ctx must be 0 .* or at least 1024"):
            Settings.load({"NEWSRAG_NUM_CTX": small})
