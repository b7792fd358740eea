"""The trace file: round trip, atomic writes, bad files, keyframes, interpolation."""

import json
import zipfile

import numpy as np
import pytest

from ganmath import TraceError, TrainConfig, load_trace, save_trace, train
from ganmath.model import discriminator_forward, generator_forward
from ganmath.trace import (
    KEYS,
    SCHEMA,
    forward_at,
    interpolate,
    keyframes,
    step_epochs,
    update_at,
)


@pytest.fixture(scope="module")
def trace():
    return train(TrainConfig(epochs=2000))


def test_round_trip_keeps_every_array(trace, tmp_path):
    path = save_trace(trace, tmp_path / "t.npz")
    again = load_trace(path)
    assert again.config == trace.config
    for key in trace.arrays:
        np.testing.assert_array_equal(again.arrays[key], trace.arrays[key])
    with np.load(path, allow_pickle=False) as raw:  # what a notebook sees
        assert str(raw["schema"]) == SCHEMA
        assert json.loads(str(raw["config"]))["epochs"] == 2000
        assert set(KEYS) <= set(raw.files)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_trace_stays_small():
    big = train(TrainConfig())
    size = sum(a.nbytes for a in big.arrays.values())
    assert size < 20e6


def test_not_a_trace(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file")
    with pytest.raises(TraceError, match="not a trace"):
        load_trace(junk)
    with pytest.raises(TraceError, match="no such trace file"):
        load_trace(tmp_path / "absent.npz")
    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    with pytest.raises(TraceError, match="not a ganimate trace"):
        load_trace(other)


def test_truncated_trace(trace, tmp_path):
    path = save_trace(trace, tmp_path / "t.npz")
    data = path.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(TraceError):
        load_trace(cut)


def _rewrite(path, tmp_path, **changes):
    with np.load(path, allow_pickle=False) as raw:
        arrays = {k: raw[k] for k in raw.files}
    arrays.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del arrays[key]
    out = tmp_path / "changed.npz"
    np.savez(out, **arrays)
    return out


def test_newer_schema_missing_key_and_bad_shapes(trace, tmp_path):
    path = save_trace(trace, tmp_path / "t.npz")
    with pytest.raises(TraceError, match="newer"):
        load_trace(_rewrite(path, tmp_path, schema=np.array("ganimate.trace/2")))
    with pytest.raises(TraceError, match="missing g_loss"):
        load_trace(_rewrite(path, tmp_path, g_loss=None))
    with pytest.raises(TraceError, match="d_params has shape"):
        load_trace(_rewrite(path, tmp_path, d_params=np.zeros((5, 4))))
    with pytest.raises(TraceError, match="NaN"):
        load_trace(_rewrite(path, tmp_path, d_loss=np.full(2000, np.nan)))
    with pytest.raises(TraceError, match="config"):
        load_trace(_rewrite(path, tmp_path, config=np.array("{oops")))


def test_zip_member_corrupted(trace, tmp_path):
    path = save_trace(trace, tmp_path / "t.npz")
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "g_params.npy":
                data = data[:200]
            dst.writestr(item, data)
    with pytest.raises(TraceError):
        load_trace(bad)


def test_keyframes(trace):
    uniform = keyframes(trace, 5)
    np.testing.assert_array_equal(
        trace.epoch[uniform], np.round(np.linspace(0, 1999, 5))
    )
    log = keyframes(trace, 12, "log")
    epochs = trace.epoch[log]
    assert epochs[0] == 0 and epochs[-1] == 1999
    assert np.all(np.diff(epochs) > 0)
    assert np.diff(epochs)[0] < np.diff(epochs)[-1]  # dense early, sparse late
    with pytest.raises(ValueError):
        keyframes(trace, 5, "cubic")


def test_keyframes_on_a_sparse_trace():
    sparse = train(TrainConfig(epochs=1000, record_every=10))
    rows = keyframes(sparse, 30, "log")
    assert rows[0] == 0 and rows[-1] == len(sparse.epoch) - 1
    assert len(set(rows)) == len(rows)


def test_interpolate(trace):
    np.testing.assert_array_equal(
        interpolate(trace, "g_params", 10), trace.g_params[10]
    )
    half = interpolate(trace, "g_params", 10.5)
    np.testing.assert_allclose(half, (trace.g_params[10] + trace.g_params[11]) / 2)
    np.testing.assert_array_equal(interpolate(trace, "d_loss", 1e9), trace.d_loss[-1])


def test_forward_at_recomputes_the_batch(trace):
    f = forward_at(trace, 1234)
    O_in, O = generator_forward(trace.test_latents, trace.g_params[1234])
    np.testing.assert_array_equal(f.O, O)
    _, D = discriminator_forward(trace.real_images, trace.d_params[1234])
    np.testing.assert_array_equal(f.D_real, D)
    assert f.O.shape == (32, 3) and f.D_fake.shape == (32,)
    # the kept latent draws reproduce the recorded means of D at that epoch
    s = len(trace.sample_epochs) // 2
    e = int(trace.sample_epochs[s])
    L1 = trace.sample_latents[s, 0]
    f = forward_at(trace, e, L1)
    _, O_prev = generator_forward(L1, trace.g_params[e - 1])
    _, D_fake = discriminator_forward(O_prev, trace.d_params[e])
    assert np.mean(D_fake) == pytest.approx(trace.d_fake[e], rel=1e-12)
    assert np.mean(f.D_real) == pytest.approx(trace.d_real[e], rel=1e-12)


def test_files_that_only_look_like_traces(trace, tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("just some notes\n")
    with pytest.raises(TraceError, match="not a trace"):
        load_trace(text)
    with pytest.raises(TraceError, match="not a regular file"):
        load_trace(tmp_path)
    path = save_trace(trace, tmp_path / "t.npz")
    raw = tmp_path / "raw_member.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(raw, "w") as dst:
        for item in src.infolist():
            data = (
                b"not an npy file" if item.filename == "d_loss.npy" else src.read(item)
            )
            dst.writestr(item, data)
    with pytest.raises(TraceError, match="d_loss is not an array"):
        load_trace(raw)
    with pytest.raises(TraceError, match="holds <U"):
        load_trace(_rewrite(path, tmp_path, g_params=trace.g_params.astype(str)))
    with pytest.raises(TraceError, match="no version"):
        load_trace(_rewrite(path, tmp_path, schema=np.array("ganimate.trace/0")))


@pytest.mark.parametrize("record_every", [1, 37])
def test_whole_updates_on_record(record_every):
    trace = train(TrainConfig(epochs=3000, record_every=record_every))
    epochs = step_epochs(trace)
    assert epochs[0] == 0 and len(epochs) > 20
    for e in epochs:
        step = update_at(trace, e)
        assert trace.epoch[step["row"]] == e
        np.testing.assert_allclose(
            step["g_old"] - 0.001 * step["g_grad"], step["g_new"], rtol=0, atol=1e-15
        )
        np.testing.assert_allclose(
            step["d_old"] - 0.001 * step["d_grad"], step["d_new"], rtol=0, atol=1e-15
        )
    with pytest.raises(ValueError, match="kept no latent draws"):
        update_at(trace, epochs[-1] - 1 if record_every == 1 else 37)
