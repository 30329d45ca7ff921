"""
Softmax regression and MLPs on the noise residual
=================================================

The background-noise study of Qi et al. classifies 4096-sample clips by the log
magnitude spectrum of their wavelet noise residual, with softmax regression
and with multilayer perceptrons. :class:`micfp.neural.MLPClassifier` is both:
no hidden layer gives softmax regression, whose ``weight_decay`` is the cost
term; hidden layers give the MLP; ``n_parts`` gives the study's "model
averaging", where the spectrum is cut into parts that each go through their
own hidden layer.

The split is by recording: every device recorded three takes; clips of takes
1 and 2 train, clips of take 3 test.
"""

# %%
# Clips and features
# ------------------
# Four simulated devices, three takes of 8 s each. The feature steps are fitted
# once and shared by every classifier below.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from micfp.clips import extract_clips
from micfp.datasets import make_recordings
from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum
from micfp.neural import MLPClassifier

recordings = make_recordings(n_devices=4, duration=8, random_state=0)
train = recordings.subset(recordings.recording_ids <= 2)
test = recordings.subset(recordings.recording_ids == 3)
X_train, y_train, _ = extract_clips(train, length=4096, n_clips=80, random_state=0)
X_test, y_test, _ = extract_clips(test, length=4096, n_clips=80, random_state=1)

features = make_pipeline(NoiseResidual(), LogSpectrum(), StandardScaler())
F_train = features.fit_transform(X_train).astype(np.float32)
F_test = features.transform(X_test).astype(np.float32)
print(f"{F_train.shape[0]} training clips of {F_train.shape[1]} spectral values")

# %%
# Softmax regression against MLPs
# -------------------------------
# Small networks train fastest on one CPU thread (``n_threads=1``); a GPU is
# used with ``device="cuda"``.
common = dict(max_epochs=40, lr=1e-3, n_threads=1, random_state=0)
models = {
    "softmax": MLPClassifier((), weight_decay=1e-3, **common),
    "MLP, 1 layer": MLPClassifier((128,), **common),
    "MLP, 3 layers": MLPClassifier((128, 128, 128), **common),
    "MLP, 1 layer, 4 parts": MLPClassifier((128,), n_parts=4, **common),
}
for name, model in models.items():
    model.fit(F_train, y_train)
    print(f"{name:<24} test accuracy {model.score(F_test, y_test):.3f}")

# %%
# Training curves
# ---------------
# ``history_`` holds one entry per epoch (skorch's history), so the training
# loss of every model can be plotted without re-running anything.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for name, model in models.items():
    ax.plot(model.history_[:, "epoch"], model.history_[:, "train_loss"], label=name)
ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
ax.set_title("Training loss of softmax regression and the MLPs")
ax.legend(title="model")
plt.show()

# %%
# Early stopping
# --------------
# With ``early_stopping=True`` a stratified tenth of the training clips is held
# out and training stops once its loss stops improving, keeping the best
# epoch's weights. The held-out clips come from the training takes, so they
# only decide when to stop; the test take stays unseen.
stopped = MLPClassifier(
    (128,),
    early_stopping=True,
    patience=5,
    max_epochs=200,
    n_threads=1,
    random_state=0,
).fit(F_train, y_train)
print(
    f"stopped after {stopped.n_epochs_} epochs, "
    f"test accuracy {stopped.score(F_test, y_test):.3f}"
)
