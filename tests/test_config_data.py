"""Configuration checks and files; CSV images and their errors."""

import json

import numpy as np
import pytest

from ganmath import ConfigError, DataError, TrainConfig, load_config
from ganmath.data import read_csv_images


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"epochs": 0}, "epochs must be at least 1"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"lr_g": -0.1}, "lr_g must be positive"),
        ({"lr_d": float("nan")}, "lr_d must be finite"),
        ({"lr_g": float("inf")}, "lr_g must be finite"),
        ({"latent_range": (1.0, 0.4)}, "low < high"),
        ({"latent_range": (0.5,)}, "two finite numbers"),
        ({"loss": "wasserstein"}, "loss must be one of"),
        ({"epochs": 2.5}, "epochs must be a whole number"),
        ({"epochs": True}, "epochs must be a whole number"),
        ({"pixels": 0}, "pixels must be at least 1"),
        ({"seed": -1}, "seed must be in"),
        ({"init_scale": -1.0}, "init_scale"),
        ({"record_every": 0}, "record_every"),
        ({"lr_g": "fast"}, "lr_g must be a number"),
    ],
)
def test_bad_values_are_refused(changes, words):
    with pytest.raises(ConfigError, match=words):
        TrainConfig(**changes)


def test_defaults_are_the_chapter_run():
    c = TrainConfig()
    assert (c.seed, c.epochs, c.batch_size, c.lr_g, c.lr_d) == (
        42,
        50000,
        32,
        1e-3,
        1e-3,
    )
    assert c.loss == "non-saturating" and c.latent_range == (0.4, 1.0)
    assert c.init_scale == 0.1 and c.pixels == 3


def test_toml_and_json_files(tmp_path):
    toml = tmp_path / "run.toml"
    toml.write_text("epochs = 200\nlr_g = 0.01\nlatent_range = [0.2, 0.9]\n")
    c = load_config(toml)
    assert c.epochs == 200 and c.lr_g == 0.01 and c.latent_range == (0.2, 0.9)
    js = tmp_path / "run.json"
    js.write_text(json.dumps({"seed": 7, "loss": "minimax"}))
    assert load_config(js).loss == "minimax"


def test_unknown_keys_are_errors_with_a_suggestion(tmp_path):
    toml = tmp_path / "run.toml"
    toml.write_text("epoch = 200\n")
    with pytest.raises(ConfigError, match="unknown key 'epoch'.*'epochs'"):
        load_config(toml)


def test_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("epochs = = 3")
    with pytest.raises(ConfigError, match="not valid toml"):
        load_config(bad)
    listy = tmp_path / "list.json"
    listy.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="expected a table"):
        load_config(listy)


def test_data_path_is_relative_to_the_config_file(tmp_path):
    (tmp_path / "sub").mkdir()
    toml = tmp_path / "sub" / "run.toml"
    toml.write_text('data = "real.csv"\n')
    assert load_config(toml).data == str(tmp_path / "sub" / "real.csv")


def _csv(tmp_path, text):
    path = tmp_path / "images.csv"
    path.write_text(text)
    return path


def test_csv_with_and_without_header(tmp_path):
    rows = np.array([[0.9, 0.5, 0.1], [1.2, 0.4, -0.1]])
    body = "\n".join(",".join(str(v) for v in r) for r in rows)
    np.testing.assert_array_equal(read_csv_images(_csv(tmp_path, body)), rows)
    np.testing.assert_array_equal(
        read_csv_images(_csv(tmp_path, "I5,I6,I7\n" + body + "\n\n")), rows
    )


@pytest.mark.parametrize(
    "text, words",
    [
        ("1,2,3\n4,5\n", ":2: 2 values where earlier rows have 3"),
        ("1,2,3\n4,x,6\n", ":2: 'x' is not a number"),
        ("a,b,c\n1,2,3\n4,5,nan\n", ":3: values must be finite"),
        ("", "no rows of numbers"),
        ("p1,p2,p3\n", "no rows of numbers"),
        ("1,2\n3,4\n", "images have 2 pixels, the model has 3"),
    ],
)
def test_bad_csv_names_the_line(tmp_path, text, words):
    with pytest.raises(DataError, match=words):
        read_csv_images(_csv(tmp_path, text), pixels=3)


def test_missing_csv(tmp_path):
    with pytest.raises(DataError, match="cannot read data file"):
        read_csv_images(tmp_path / "none.csv")


def test_byte_order_marks_are_tolerated(tmp_path):
    csv_file = tmp_path / "excel.csv"
    csv_file.write_bytes("\ufeff0.9,0.5,0.1\r\n1.1,0.5,-0.1\r\n".encode())
    np.testing.assert_array_equal(
        read_csv_images(csv_file), [[0.9, 0.5, 0.1], [1.1, 0.5, -0.1]]
    )
    toml = tmp_path / "bom.toml"
    toml.write_bytes("\ufeffepochs = 7\n".encode())
    assert load_config(toml).epochs == 7


def test_config_files_must_be_toml_or_json(tmp_path):
    yaml = tmp_path / "run.yaml"
    yaml.write_text("seed: 1\n")
    with pytest.raises(ConfigError, match="TOML .* or JSON"):
        load_config(yaml)
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(folder)
    with pytest.raises(DataError, match="not a regular file"):
        read_csv_images(tmp_path)
