"""
==============================
Running on your own recordings
==============================

micfp reads a folder of WAV files with one sub-folder per device::

    root/
        <device>/
            <take>.wav
            <take>.wav
        <device>/
            <take>.wav
            ...

The folder name is the device label and the file name (without ``.wav``) the
recording's identifier. Every device needs at least two recordings: one to
learn from and one to test on, since clips of one recording must never be
split between training and test data.

To make this example runnable anywhere, it first writes a few simulated
recordings into that layout in a temporary folder; with your own files, start
at the three lines of the second section.
"""

# %%
# Writing simulated recordings as WAV files
# -----------------------------------------
# Four simulated devices, three takes of 6 s each, written as 16-bit WAV files
# with :func:`~micfp.io.write_audio`.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from micfp.clips import extract_clips
from micfp.datasets import make_recordings
from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum
from micfp.io import load_recordings, write_audio
from micfp.model_selection import cross_validate_recordings

workdir = tempfile.TemporaryDirectory()
root = Path(workdir.name) / "my-recordings"

names = ["zoom-h1", "phone-a", "phone-b", "lavalier"]
simulated = make_recordings(n_devices=4, n_recordings=3, duration=6, random_state=2)
for signal, device, take in zip(
    simulated.signals, simulated.devices, simulated.recording_ids, strict=True
):
    folder = root / names[device]
    folder.mkdir(parents=True, exist_ok=True)
    write_audio(folder / f"take-{take}.wav", signal, simulated.sr)

for path in sorted(root.rglob("*.wav")):
    print(path.relative_to(root))

# %%
# The three lines
# ---------------
# Read the folder, cut every recording into clips, and cross-validate a
# pipeline with folds that never split a recording. Replace ``root`` with the
# path of your own folder (and ``sr=`` in :func:`~micfp.io.load_recordings`
# if your files have different sample rates).
model = make_pipeline(
    NoiseResidual(),
    LogSpectrum(n_fft=1024, window="hann"),
    StandardScaler(),
    LogisticRegression(C=0.1, max_iter=1000),
)

recordings = load_recordings(root)
X, y, groups = extract_clips(recordings, length=4096, n_clips=50, random_state=0)
scores = cross_validate_recordings(model, X, y, groups, cv=3)

# %%
# What was read, and the scores. Labels are strings, as in the folder names;
# ``paths`` keeps the file of each recording.
print(recordings)
for device, take, path in zip(
    recordings.devices, recordings.recording_ids, recordings.paths, strict=True
):
    print(f"{device:>9} {take:>7}  {Path(path).relative_to(root)}")

print("clip accuracy per fold:     ", np.round(scores["test_clip_accuracy"], 2))
print("recording accuracy per fold:", np.round(scores["test_recording_accuracy"], 2))

# %%
# A look at the data
# ------------------
# One clip of each device and the log spectrum of its noise residual,
# averaged over all clips of that device: the curves the classifier separates.
residual_spectra = make_pipeline(
    NoiseResidual(), LogSpectrum(n_fft=1024, window="hann")
)
spectra = residual_spectra.fit_transform(X)
frequencies = np.fft.rfftfreq(1024, 1 / recordings.sr)

fig, (ax_wave, ax_spec) = plt.subplots(2, 1, figsize=(8, 6))
time_ms = 1000 * np.arange(X.shape[1]) / recordings.sr
for device in np.unique(y):
    first = np.flatnonzero(y == device)[0]
    ax_wave.plot(time_ms, X[first], linewidth=0.6, label=device)
    ax_spec.plot(frequencies, spectra[y == device].mean(axis=0), label=device)
ax_wave.set(xlabel="Time (ms)", ylabel="Amplitude", title="One clip per device")
ax_spec.set(
    xlabel="Frequency (Hz)",
    ylabel="log(|FFT| + 1)",
    title="Mean log spectrum of the noise residual",
)
ax_spec.legend()
fig.tight_layout()
plt.show()

# %%
# Remove the temporary folder.
workdir.cleanup()
