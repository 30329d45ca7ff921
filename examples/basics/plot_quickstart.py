"""
==========
Quickstart
==========

Identify which of six simulated devices made each recording, from the noise
each device adds. The steps are those of every micfp analysis:

1. get recordings, labelled with their devices;
2. split them by recording, before anything is fitted;
3. cut each recording into fixed-length clips, one clip a row;
4. fit a Pipeline on the training clips;
5. decide per recording by letting its clips vote, and report.
"""

# %%
# Simulated recordings
# --------------------
# :func:`~micfp.datasets.make_recordings` simulates devices with their own
# microphone response, self-noise, hum and converter. Each device records
# three takes; content, room and level change from take to take, the device
# does not.
import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from micfp.clips import extract_clips
from micfp.datasets import make_recordings
from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum
from micfp.model_selection import make_recording_scorer, split_recordings
from micfp.voting import vote_by_group

recordings = make_recordings(n_devices=6, n_recordings=3, duration=20, random_state=1)
print(recordings)

# %%
# Split by recording
# ------------------
# Takes 1 and 2 of every device train, take 3 tests: the protocol of the
# noise-residual study. The split comes first, so no clip of a test recording
# is ever seen in training. A random split of clips would put clips of one
# recording on both sides and measure how well the model recognises the
# recording, not the device.
train, test = split_recordings(recordings, test_ids=[3])
print("training takes:", np.unique(train.recording_ids))
print("test takes:", np.unique(test.recording_ids))

# %%
# Clips
# -----
# 100 random clips of 4096 samples (93 ms at 44.1 kHz) from each recording.
# ``groups`` holds the recording each clip came from.
X_train, y_train, _ = extract_clips(train, length=4096, n_clips=100, random_state=0)
X_test, y_test, groups_test = extract_clips(
    test, length=4096, n_clips=100, random_state=1
)
print("training clips:", X_train.shape, " test clips:", X_test.shape)

# %%
# The pipeline
# ------------
# :class:`~micfp.denoise.NoiseResidual` removes the content by wavelet
# de-noising and keeps the residual, the device noise;
# :class:`~micfp.features.LogSpectrum` takes its log-magnitude spectrum (here
# averaged over Hann-windowed frames of 1024 samples, 513 values a clip); a
# standardized logistic regression classifies it.
model = make_pipeline(
    NoiseResidual(wavelet="db8", level=5),
    LogSpectrum(n_fft=1024, window="hann"),
    StandardScaler(),
    LogisticRegression(C=0.1, max_iter=1000),
)
model.fit(X_train, y_train)
print(f"clip accuracy: {model.score(X_test, y_test):.2f}")

# %%
# One decision per recording
# --------------------------
# A single clip holds little evidence. The clips of a recording vote:
# :func:`~micfp.voting.vote_by_group` averages their log-probabilities.
proba = model.predict_proba(X_test)
recording_index, recording_proba = vote_by_group(proba, groups_test)
recording_pred = model.classes_[recording_proba.argmax(axis=1)]
recording_true = test.devices[recording_index]
for device, predicted in zip(recording_true, recording_pred, strict=True):
    print(f"take 3 of device {device}: identified as device {predicted}")

# %%
# The same number comes from a scorer that votes, the one to pass to
# cross-validation or a grid search (see the user guide on evaluation).
with sklearn.config_context(enable_metadata_routing=True):
    scorer = make_recording_scorer()
print(f"recording accuracy: {scorer(model, X_test, y_test, groups=groups_test):.2f}")

# %%
# Report
# ------
# Per-device precision and recall of the clips, and the confusion matrices of
# clips and of recordings.
print(classification_report(y_test, model.predict(X_test)))

fig, (ax_clips, ax_recordings) = plt.subplots(1, 2, figsize=(10, 4.5))
ConfusionMatrixDisplay.from_predictions(
    y_test,
    model.predict(X_test),
    normalize="true",
    values_format=".2f",
    ax=ax_clips,
    colorbar=False,
)
ax_clips.set_title("Clips (row-normalized)")
ConfusionMatrixDisplay.from_predictions(
    recording_true, recording_pred, ax=ax_recordings, colorbar=False
)
ax_recordings.set_title("Recordings (counts)")
fig.tight_layout()
plt.show()
