"""`render.py train`: the chapter's log lines, flags over files, one-line errors."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ganmath import load_trace

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, str(ROOT / "render.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_train_prints_the_chapter_log(tmp_path):
    out = tmp_path / "trace.npz"
    r = run("train", "--out", str(out))
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stdout.splitlines() if line.startswith("Epoch")]
    assert lines[0] == "Epoch 0: D_loss = 1.3433, G_loss = 0.6666"
    assert lines[-1] == "Epoch 49999: D_loss = 1.1607, G_loss = 0.7617"
    assert len(lines) == 11
    assert load_trace(out).epochs == 50000


def test_flags_override_the_config_file(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('epochs = 300\nseed = 3\nlr_g = 0.05\nloss = "minimax"\n')
    out = tmp_path / "t.npz"
    r = run(
        "train",
        "--config",
        str(config),
        "--epochs",
        "120",
        "--lr-d",
        "0.02",
        "--out",
        str(out),
        "--quiet",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    trace = load_trace(out)
    assert trace.config["epochs"] == 120 and trace.config["seed"] == 3
    assert trace.config["lr_g"] == 0.05 and trace.config["lr_d"] == 0.02
    assert trace.config["loss"] == "minimax"
    assert np.all(np.isfinite(trace.g_params))


@pytest.mark.parametrize(
    "args, words",
    [
        (["--epochs", "0"], "epochs must be at least 1"),
        (["--epochs", "ten"], "invalid int value"),
        (["--lr-g", "-1"], "lr_g must be positive"),
        (["--lr-d", "nan"], "lr_d must be finite"),
        (["--loss", "hinge"], "invalid choice"),
        (["--batch-size", "0"], "batch_size must be at least 1"),
        (["--lr-g", "1e308", "--lr-d", "1e308"], "diverged at epoch 0"),
        (["--config", "missing.toml"], "cannot read configuration"),
        (["--data", "missing.csv"], "cannot read data file"),
    ],
)
def test_bad_values_get_one_line_and_status_2(tmp_path, args, words):
    out = tmp_path / "t.npz"
    r = run("train", "--out", str(out), *args, cwd=tmp_path)
    assert r.returncode == 2
    assert words in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unknown_config_key(tmp_path):
    config = tmp_path / "run.json"
    config.write_text('{"epochz": 3}')
    r = run("train", "--config", str(config), "--out", str(tmp_path / "t.npz"))
    assert r.returncode == 2 and "unknown key 'epochz'" in r.stderr


def test_unwritable_output(tmp_path):
    r = run("train", "--epochs", "10", "--out", str(tmp_path))
    assert r.returncode == 2 and "is a folder" in r.stderr


def test_paths_the_system_refuses(tmp_path):
    r = run("train", "--epochs", "10", "--out", str(tmp_path / ("a" * 300 + ".npz")))
    assert r.returncode == 2 and "File name too long" in r.stderr
    assert "Traceback" not in r.stderr


def test_output_under_a_file_is_refused_before_training(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = run("train", "--out", str(blocker / "t.npz"))
    assert r.returncode == 2 and "is a file, not a folder" in r.stderr
    assert "Epoch" not in r.stdout  # refused before any training


def test_huge_runs_are_refused_up_front(tmp_path):
    r = run("train", "--epochs", "1000000000", "--out", str(tmp_path / "t.npz"))
    assert r.returncode == 2 and "record_every" in r.stderr
