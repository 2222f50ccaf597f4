"""An example scoring script for `mlx.deploy` and `mlx.batch_score` (the Azure ML contract: init() and run()).

    mlx.deploy("diabetes-ridge@production", "examples/score.py", endpoint="diabetes", deployment="blue")

`init()` runs once per scoring process and loads the model from MLEXT_MODEL_DIR (AZUREML_MODEL_DIR is set too).
`run(data)` gets one request body as text, here `{"data": [[feature, ...], ...]}`, and returns the predictions.
"""

import json
import os
import pickle
from pathlib import Path

model = None


def init():
    global model
    folder = Path(os.environ["MLEXT_MODEL_DIR"])
    path = next(folder.rglob("*.pkl"))  # model.pkl, as examples/train_diabetes.py writes it to outputs/model/
    with path.open("rb") as file:
        model = pickle.load(file)


def run(data):
    rows = json.loads(data)["data"]
    return model.predict(rows).tolist()
