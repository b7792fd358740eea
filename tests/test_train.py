"""Training against the chapter's printed log and an independent plain-NumPy loop."""

import importlib

import numpy as np
import pytest

from ganmath import TrainConfig, TrainingDiverged, train

# the chapter's printed log: epoch, D loss, G loss (four decimals)
CHAPTER_LOG = [
    (0, 1.3433, 0.6666),
    (5000, 1.0994, 0.7903),
    (10000, 1.0035, 0.8478),
    (15000, 0.9899, 0.8271),
    (20000, 1.0441, 0.8124),
    (25000, 1.0621, 0.8129),
    (30000, 1.1218, 0.8277),
    (35000, 1.1224, 0.8411),
    (40000, 1.1631, 0.7914),
    (45000, 1.1779, 0.7685),
    (49999, 1.1607, 0.7617),
]


@pytest.fixture(scope="module")
def chapter_trace():
    return train()


def test_chapter_log_digit_for_digit(chapter_trace):
    for epoch, d_loss, g_loss in CHAPTER_LOG:
        assert f"{chapter_trace.d_loss[epoch]:.4f}" == f"{d_loss:.4f}", epoch
        assert f"{chapter_trace.g_loss[epoch]:.4f}" == f"{g_loss:.4f}", epoch


def _reference_run(seed, epochs, B, lr_g, lr_d, minimax=False):
    """The chapter's algorithm written out independently, one pixel at a time."""
    rs = np.random.RandomState(seed)
    lam_g = [rs.randn() * 0.1 for _ in range(3)]
    b = 0.0
    lam_d = [rs.randn() * 0.1 for _ in range(3)]
    c = 0.0
    slopes = rs.uniform(-0.4, -0.7, size=B)
    real = np.zeros((B, 3))
    for i in range(B):
        row = slopes[i] * np.array([1.0, 2.0, 3.0]) + rs.normal(0, 0.02, size=3)
        real[i] = row + (0.5 - np.mean(row))

    def sig(x):
        return 1 / (1 + np.exp(-x))

    def gen(L1):
        return [sig(lam_g[j] * L1 + b) for j in range(3)]

    def disc(px):
        return sig(lam_d[0] * px[0] + lam_d[1] * px[1] + lam_d[2] * px[2] + c)

    rows = []
    for _ in range(epochs):
        L1 = rs.uniform(0.4, 1, B)
        fake = gen(L1)
        px = [np.concatenate([real[:, j], fake[j]]) for j in range(3)]
        err = disc(px) - np.concatenate([np.ones(B), np.zeros(B)])
        g_d = [np.mean(err * px[j]) for j in range(3)] + [np.mean(err)]
        lam_d = [lam_d[j] - lr_d * g_d[j] for j in range(3)]
        c = c - lr_d * g_d[3]

        L1g = rs.uniform(0.4, 1, B)
        O = gen(L1g)
        D = disc(O)
        dz = -D if minimax else D - 1
        dO_in = [dz * lam_d[j] * O[j] * (1 - O[j]) for j in range(3)]
        g_g = [np.mean(dO_in[j] * L1g) for j in range(3)] + [np.mean(sum(dO_in))]
        lam_g = [lam_g[j] - lr_g * g_g[j] for j in range(3)]
        b = b - lr_g * g_g[3]

        d_loss = -np.mean(
            np.log(disc([real[:, j] for j in range(3)]) + 1e-8)
        ) - np.mean(np.log(1 - disc(fake) + 1e-8))
        g_loss = -np.mean(np.log(disc(gen(L1g)) + 1e-8))
        rows.append((lam_g + [b], lam_d + [c], g_g, g_d, d_loss, g_loss))
    return real, rows


@pytest.mark.parametrize(
    "seed, B, lr_g, lr_d, minimax",
    [
        (0, 8, 0.01, 0.02, False),
        (7, 32, 0.05, 0.001, False),
        (123, 5, 0.1, 0.1, True),
    ],
)
def test_matches_independent_reference(seed, B, lr_g, lr_d, minimax):
    epochs = 400
    config = TrainConfig(
        seed=seed,
        epochs=epochs,
        batch_size=B,
        lr_g=lr_g,
        lr_d=lr_d,
        loss="minimax" if minimax else "non-saturating",
    )
    trace = train(config)
    real, rows = _reference_run(seed, epochs, B, lr_g, lr_d, minimax)
    np.testing.assert_allclose(trace.real_images, real, rtol=0, atol=1e-15)
    for key, index in [
        ("g_params", 0),
        ("d_params", 1),
        ("g_grads", 2),
        ("d_grads", 3),
    ]:
        expected = np.array([r[index] for r in rows])
        np.testing.assert_allclose(trace.arrays[key], expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(trace.d_loss, [r[4] for r in rows], rtol=1e-9)
    np.testing.assert_allclose(trace.g_loss, [r[5] for r in rows], rtol=1e-9)


def test_trace_shapes_and_initial_parameters():
    trace = train(TrainConfig(epochs=12, batch_size=6, pixels=4))
    assert trace.real_images.shape == (6, 4)
    assert trace.g_params.shape == trace.d_grads.shape == (12, 5)
    assert trace.d_real.shape == trace.d_fake.shape == (12,)
    np.testing.assert_array_equal(trace.epoch, np.arange(12))
    assert trace.init_g_params[-1] == 0.0 and trace.init_d_params[-1] == 0.0
    # the first update moves the initial parameters by exactly lr times the gradient
    np.testing.assert_allclose(
        trace.g_params[0], trace.init_g_params - 0.001 * trace.g_grads[0]
    )
    np.testing.assert_allclose(
        trace.d_params[0], trace.init_d_params - 0.001 * trace.d_grads[0]
    )


def test_record_every_keeps_a_subset_of_the_same_run():
    full = train(TrainConfig(epochs=1001))
    sparse = train(TrainConfig(epochs=1001, record_every=100))
    epochs = set(sparse.epoch.tolist())
    assert set(range(0, 1001, 100)) <= epochs and 1000 in epochs
    assert len(epochs) < 200
    for e in sparse.sample_epochs[sparse.sample_epochs > 0]:
        assert e in epochs and e - 1 in epochs  # one whole update is on record
    np.testing.assert_array_equal(sparse.g_params, full.g_params[sparse.epoch])
    np.testing.assert_array_equal(sparse.d_grads, full.d_grads[sparse.epoch])
    np.testing.assert_array_equal(sparse.d_loss, full.d_loss[sparse.epoch])
    np.testing.assert_array_equal(sparse.sample_latents, full.sample_latents)


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"epochs": 10**9}, "would need .* GiB; keep fewer rows with record_every"),
        ({"epochs": 10**20}, "would need"),
        ({"batch_size": 10**8}, "batch_size x pixels"),
        ({"pixels": 10**8}, "batch_size x pixels"),
    ],
)
def test_runs_too_large_for_memory_are_refused_up_front(changes, words):
    from ganmath import ConfigError

    with pytest.raises(ConfigError, match=words):
        train(TrainConfig(**changes))


def test_a_large_sparse_run_is_accepted():
    trace = train(TrainConfig(epochs=200_000, record_every=1000))
    assert trace.epochs == 200_000 and len(trace.epoch) < 600


def test_divergence_at_the_first_epoch_names_it():
    with pytest.raises(TrainingDiverged, match="diverged at epoch 0") as info:
        train(TrainConfig(epochs=500, lr_g=1e308, lr_d=1e308))
    assert info.value.trace is None


def test_divergence_keeps_the_trace_before_the_bad_epoch(monkeypatch):
    # a real divergence is hard to provoke mid-run (the stable sigmoid saturates
    # instead), so stop the compiled loop at epoch 5137 as a non-finite step would
    training = importlib.import_module("ganmath.train")  # the package exports train()

    bad = 5137
    kernel = training._train_chunk

    def failing(real, w_g, w_d, latents, *rest):
        start = failing.start
        failing.start += len(latents)
        if start <= bad < start + len(latents):
            kernel(real, w_g, w_d, latents[: bad - start], *rest)
            return bad - start
        return kernel(real, w_g, w_d, latents, *rest)

    failing.start = 0
    monkeypatch.setattr(training, "_train_chunk", failing)
    with pytest.raises(TrainingDiverged, match=f"epoch {bad}") as info:
        train(TrainConfig(epochs=8000))
    partial = info.value.trace
    np.testing.assert_array_equal(partial.epoch, np.arange(bad))
    np.testing.assert_array_equal(
        partial.g_params, train(TrainConfig(epochs=bad)).g_params
    )
    assert np.all(partial.sample_epochs < bad)


def test_progress_reports_the_chapter_log_epochs():
    seen = []
    train(TrainConfig(epochs=12001), lambda done, total, log: seen.append((done, log)))
    assert seen[-1][0] == 12001
    assert [e for _, log in seen for e, _, _ in log] == [0, 5000, 10000, 12000]


def test_csv_data_source(tmp_path):
    images = np.array([[0.9, 0.5, 0.1], [1.1, 0.5, -0.1], [0.8, 0.5, 0.2]])
    path = tmp_path / "real.csv"
    path.write_text("p1,p2,p3\n" + "\n".join(",".join(map(str, r)) for r in images))
    trace = train(TrainConfig(epochs=50, batch_size=3, data=str(path)))
    np.testing.assert_array_equal(trace.real_images, images)
    from ganmath import ConfigError

    with pytest.raises(ConfigError, match="batch_size = 3"):
        train(TrainConfig(epochs=5, data=str(path)))
