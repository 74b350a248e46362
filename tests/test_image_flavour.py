"""The image-classification flavour end to end, as a supplier runs it: a baked and installed
project runs `make pipeline-fake` (fake digits written as PNG files, `dvc repro`); changing one
image makes DVC train again; a corrupt image stops the pipeline with one line and leaves the
last good outputs as they were; a sweep over the network; `make report` and a strict
`make docs` publish the grid of example predictions.

(Its own tests run in test_matrix.py, with every other combination.)
"""

from __future__ import annotations

import json

import pytest
import yaml
from test_report import parse

from flavours import publish, read_runs_from_store, sweep

pytestmark = pytest.mark.slow

IMAGE = {"task": "image-classification"}


# Run in the project: its network trains without importing PyTorch's compiler, and its Adam
# makes the update torch.optim.Adam makes, step for step.
ADAM_CHECK = """
import functools, sys
import pandas as pd
import torch
from PACKAGE import images, networks

frame = pd.read_parquet("data/raw/fake.parquet").head(40)
features = pd.DataFrame({"image": "data/raw/" + frame["image"]})
network = functools.partial(networks.TinyCNN, width=4)
images.ImageClassifier(network=network, epochs=2, batch_size=8).fit(features, frame["digit"])
assert "torch._dynamo" not in sys.modules, "training imported torch._dynamo"

def trained(optimiser):
    torch.manual_seed(0)
    model = networks.TinyCNN(1, 10, (8, 8))
    step = optimiser(model.parameters(), lr=0.003, weight_decay=0.0001)
    inputs = torch.from_numpy(images.load_images(features, 1, None))
    labels = torch.from_numpy(frame["digit"].astype(int).to_numpy())
    for _ in range(30):
        step.zero_grad()
        torch.nn.functional.cross_entropy(model(inputs), labels).backward()
        step.step()
    return [parameter.detach() for parameter in model.parameters()]

ours, theirs = trained(images.Adam), trained(torch.optim.Adam)
assert all(torch.allclose(a, b, rtol=1e-5, atol=1e-7) for a, b in zip(ours, theirs, strict=True))
print("same update")
"""


def stage_hashes(project) -> dict[str, str]:
    """Each stage's outputs' hashes in dvc.lock: a stage that ran again has new ones."""
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    return {
        f"{stage}:{out['path']}": out["md5"]
        for stage, entry in lock["stages"].items()
        for out in entry.get("outs", [])
    }


def test_image_project_tracks_its_images_sweeps_and_publishes_its_predictions(
    own_install, tmp_path
):
    env, package = own_install(**IMAGE)
    project = env.project

    # No cross-validation: the stages, their files and what reruns them are checked here.
    env.run("make", "RUN=", "fake-data", timeout=600)
    env.python_run("-m", f"{package}.pipeline", "compose", "data=fake", "train.cv_folds=0")
    env.run("dvc", "repro", timeout=900)
    images = sorted((project / "data" / "raw" / "fake_images").glob("*.png"))
    assert len(images) == 600
    metrics = json.loads((project / "metrics" / "metrics.json").read_text(encoding="utf-8"))
    assert 0.9 < metrics["roc_auc"] <= 1 and metrics["n_test"] == 150, metrics
    assert (project / "metrics" / "figures" / "prediction_grid.png").is_file()
    manifest = json.loads((project / "metrics" / "report.json").read_text(encoding="utf-8"))
    assert manifest["task"] == "image multiclass classification (10 classes)"
    assert "prediction_grid.png" in {
        figure["file"].rsplit("/", 1)[-1] for figure in manifest["figures"]
    }
    predictions = (project / "metrics" / "predictions.csv").read_text(encoding="utf-8")
    assert predictions.startswith("image,") and "fake_images/" in predictions
    (run,) = read_runs_from_store(project / "mlflow.db")
    assert run["status"] == "FINISHED" and len(run["models"]) == 1
    assert "figures/prediction_grid.png" in run["artifacts"]
    first = stage_hashes(project)
    checked = env.python_run("-c", ADAM_CHECK.replace("PACKAGE", package))
    assert "same update" in checked.stdout, checked.stdout + checked.stderr

    # One image changed: DVC sees it, and train and evaluate run again on it.
    status = env.run("dvc", "status").stdout
    assert "up to date" in status.lower() or "changed" not in status, status
    from PIL import Image

    Image.new("L", (8, 8), color=255).save(images[0])
    status = env.run("dvc", "status").stdout
    assert "train" in status and "data/raw" in status, status
    rerun = env.run("dvc", "repro", timeout=900).stdout
    assert "Running stage 'train'" in rerun and "Running stage 'evaluate'" in rerun, rerun
    second = stage_hashes(project)
    assert second["train:models/model.joblib"] != first["train:models/model.joblib"]

    # A corrupt image: one line naming it; the last good split, model and metrics stay.
    original = images[1].read_bytes()
    images[1].write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    kept = {path: path.read_bytes() for path in (project / "models").glob("*")}
    kept[project / "metrics" / "metrics.json"] = (project / "metrics" / "metrics.json").read_bytes()
    failed = env.run("dvc", "repro", check=False, timeout=900)
    assert failed.returncode != 0
    errors = [line for line in (failed.stdout + failed.stderr).splitlines() if "error: " in line]
    assert errors and f"{images[1].name}' in column image cannot be read" in errors[0], errors
    assert "Traceback" not in failed.stdout + failed.stderr
    assert all(path.read_bytes() == data for path, data in kept.items())
    images[1].write_bytes(original)

    # A sweep over the network, its jobs in parallel processes (the joblib launcher): one
    # parent, four nested runs, each better than chance.
    done = sweep(
        env,
        f"{package}.train",
        "hparams_search=tiny_cnn_grid",
        "launcher=joblib",
        "data=fake",
        "train.cv_folds=0",
        "model.estimator.epochs=5",
        "tracking.log_model=false",
        sweep_dir=tmp_path / "sweep",
        finished=4,
    )
    children = done.children
    assert {r["params"]["model.estimator.network.width"] for r in children} == {"8", "16"}
    assert all(r["metrics"]["roc_auc"] > 0.8 for r in children)

    # The report and the site show the grid of example predictions (of the last good run).
    page = parse(publish(env))
    assert any(image.endswith("prediction_grid.png") for image in page.images), page.images
    table = page.table(
        ["Class", "Cases", "Sensitivity", "Specificity", "Precision", "F1", "ROC AUC"]
    )
    assert sorted(table) == [str(digit) for digit in range(10)], table
