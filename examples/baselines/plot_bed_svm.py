"""
BED-SVM and the baseline table
==============================

Zeng et al. (2021) compare their end-to-end network with three classical
baselines: GMM-UBM, GSV-SVM and BED-SVM. BED, the band energy difference of
Luo, Korus and Huang, records for every pair of adjacent FFT bins how often
the energy rises from one to the next: a level-independent trace of the
device's frequency response. :func:`micfp.baselines.make_bed_svm` puts it in
front of a standardized SVM.

This example fits the three baselines, and the mean-MFCC + ZCR + RMS pipeline
of a study of studio microphones, on the same simulated devices with the same
split by recording (takes 1-2 for training, take 3 for testing), and plots the
table. On simulated devices the numbers are not those of the paper; the
comparison is what the same few lines give on a folder of real recordings.
"""

# %%
# Simulated devices and clips
# ---------------------------
import matplotlib.pyplot as plt
import numpy as np

from micfp.baselines import (
    make_bed_svm,
    make_classical_pipeline,
    make_gmm_ubm,
    make_gsv_svm,
)
from micfp.clips import extract_clips
from micfp.datasets import make_recordings

recordings = make_recordings(
    n_devices=5, n_recordings=3, duration=12, content="speech", random_state=1
)
sr = recordings.sr
train = recordings.subset(recordings.recording_ids <= 2)
test = recordings.subset(recordings.recording_ids == 3)
X_train, y_train, _ = extract_clips(train, length=sr, n_clips=10, random_state=0)
X_test, y_test, _ = extract_clips(test, length=sr, n_clips=10, random_state=1)

# %%
# The band energy difference of each device
# -----------------------------------------
# The BED step alone: averaged over each device's training clips, the curves
# differ where the devices' responses tilt differently.
bed_svm = make_bed_svm(sr)
bed = bed_svm["bed"].fit(X_train)
features = bed.transform(X_train)
fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
for device in np.unique(y_train):
    ax.plot(
        bed.frequencies_[:-1],
        features[y_train == device].mean(axis=0),
        label=str(device),
        lw=0.8,
    )
ax.set_xscale("log")
ax.set_xlabel("frequency (Hz)")
ax.set_ylabel("share of rising bins")
ax.set_title("Band energy difference, mean over each device's training clips")
ax.legend(title="device", loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %%
# The baseline table
# ------------------
pipelines = {
    "GMM-UBM": make_gmm_ubm(sr, n_components=32, random_state=0),
    "GSV-SVM": make_gsv_svm(sr, n_components=32, random_state=0),
    "BED-SVM": bed_svm,
    "MFCC+ZCR+RMS, PCA, SVC": make_classical_pipeline(sr),
}
accuracy = {}
for name, pipe in pipelines.items():
    accuracy[name] = pipe.fit(X_train, y_train).score(X_test, y_test)
    print(f"{name:<24} {accuracy[name]:.2f}")

fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.barh(list(accuracy), list(accuracy.values()))
ax.axvline(1 / len(np.unique(y_train)), color="k", ls=":", label="chance")
ax.set_xlabel("accuracy on take 3")
ax.set_xlim(0, 1)
ax.set_title("Four baselines, trained on takes 1-2")
ax.legend(loc="lower right")
plt.show()
