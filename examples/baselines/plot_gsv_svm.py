"""
GSV-SVM and GMM-UBM on simulated devices
========================================

Two classical baselines of recording-device identification model the MFCC
frames of a clip with Gaussian mixtures. A universal background model (UBM)
is fitted on the frames of all training clips. The GMM-UBM classifier adapts
one mixture per device from it and scores a clip by its average frame
log-likelihood ratio; the GSV-SVM adapts the UBM's means to each clip, stacks
them into a supervector and classifies supervectors with a linear SVM.

Both are a single call of :mod:`micfp.baselines`. The split is by recording:
every device recorded three takes, the models learn from takes 1 and 2 and are
tested on take 3, whose content and room they never saw.
"""

# %%
# Clips of one second from three takes per device
# -----------------------------------------------
# Supervectors need frames: a second of audio gives a few dozen MFCC frames
# of 30 ms every 15 ms, 39 values each with deltas.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

from micfp.baselines import make_gmm_ubm, make_gsv_svm
from micfp.clips import extract_clips
from micfp.datasets import make_recordings

recordings = make_recordings(
    n_devices=5, n_recordings=3, duration=12, content="speech", random_state=0
)
train = recordings.subset(recordings.recording_ids <= 2)
test = recordings.subset(recordings.recording_ids == 3)
sr = recordings.sr
X_train, y_train, _ = extract_clips(train, length=sr, n_clips=10, random_state=0)
X_test, y_test, _ = extract_clips(test, length=sr, n_clips=10, random_state=1)
print(f"{len(X_train)} training clips, {len(X_test)} test clips of {sr} samples")

# %%
# Fit both baselines
# ------------------
# The MFCC step is fitted once per pipeline; the UBM has 32 Gaussians here to
# keep the example fast (64 is the usual size).
gsv_svm = make_gsv_svm(sr, n_components=32, random_state=0)
gmm_ubm = make_gmm_ubm(sr, n_components=32, random_state=0)
for name, pipe in [("GSV-SVM", gsv_svm), ("GMM-UBM", gmm_ubm)]:
    pipe.fit(X_train, y_train)
    print(f"{name}: accuracy on take 3 = {pipe.score(X_test, y_test):.2f}")

# %%
# What the supervector looks like
# -------------------------------
# Each row is one test clip's supervector (32 adapted means of 39 values,
# scaled by ``sqrt(w) / sigma``), ordered by device: clips of one device share
# a pattern the linear SVM separates.
# The raw values span very different ranges from one coordinate to the next,
# so each coordinate is shown standardized over the test clips, clipped at
# three standard deviations.
supervectors = gsv_svm[:-1].transform(X_test)
print(f"{supervectors.shape[1]} values per supervector")
order = np.argsort(y_test, kind="stable")
centred = supervectors - supervectors.mean(axis=0)
z = centred / np.maximum(supervectors.std(axis=0), 1e-12)
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
image = ax.imshow(z[order], aspect="auto", cmap="coolwarm", vmin=-3, vmax=3)
fig.colorbar(image, ax=ax, label="standardized value")
boundaries = np.flatnonzero(np.diff(y_test[order])) + 0.5
for boundary in boundaries:
    ax.axhline(boundary, color="k", lw=0.8)
ax.set_xlabel("supervector coordinate")
ax.set_ylabel("test clip (by device)")
ax.set_title("GSV supervectors of the take-3 clips, one band per device")
plt.show()

# %%
# The GMM-UBM scores are log-likelihood ratios
# --------------------------------------------
# ``log_likelihood_ratio`` gives every clip's score for every device; the
# predicted device has the highest. The confusion matrices show which devices
# each baseline mixes up.
scores = gmm_ubm[-1].log_likelihood_ratio(gmm_ubm[:-1].transform(X_test))
print("scores of the first test clip:", np.round(scores[0], 3))
fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
for ax, (name, pipe) in zip(
    axes, [("GMM-UBM", gmm_ubm), ("GSV-SVM", gsv_svm)], strict=True
):
    ConfusionMatrixDisplay.from_estimator(pipe, X_test, y_test, ax=ax, colorbar=False)
    ax.set_title(f"{name} on take 3")
plt.show()
