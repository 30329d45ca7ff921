"""
PSTNN: supervector and MFCC frames, fused by attention
======================================================

Zeng et al.'s parallel spatial and temporal network reads two views of a clip:
a Gaussian mean supervector (the "spatial" view, a UBM of MFCC frames adapted
to the clip) and the sequence of MFCC frames itself (the "temporal" view,
read by a Bi-LSTM). :func:`micfp.neural.make_pstnn_pipeline` builds the whole
chain, clips -> MFCC frames -> ``[supervector | frames]`` ->
:class:`~micfp.neural.PSTNNClassifier`, as one scikit-learn Pipeline.

Each branch has its own classification head; training minimizes the
deep-and-shallow loss ``0.25 * L_temporal + 0.5 * L_spatial + 0.25 * L_fused``.
Below, the fused network is compared with its attention replaced by
concatenation, on simulated devices, with a split by recording.
"""

# %%
# One-second clips
# ----------------
# Supervectors and recurrent models need clips of a second or more; 4096
# samples hold only five MFCC frames.
import matplotlib.pyplot as plt
import numpy as np
import torch

from micfp.clips import extract_clips
from micfp.datasets import make_recordings
from micfp.neural import make_pstnn_pipeline

recordings = make_recordings(n_devices=4, duration=8, sr=16000, random_state=0)
train = recordings.subset(recordings.recording_ids <= 2)
test = recordings.subset(recordings.recording_ids == 3)
X_train, y_train, _ = extract_clips(train, length=16000, n_clips=20, random_state=0)
X_test, y_test, _ = extract_clips(test, length=16000, n_clips=20, random_state=1)

# %%
# The pipeline
# ------------
# Sizes are smaller than the paper's (64 Gaussians, 1024-wide layers) to keep
# the example short; the layout parameters of the classifier are set by the
# helper to match the features.
network = dict(
    n_components=8,
    spatial_hidden_sizes=(128,),
    embedding_size=128,
    backend_hidden_sizes=(64, 32),
    max_epochs=25,
    n_threads=1,
    random_state=0,
)
fused = make_pstnn_pipeline(16000, **network).fit(X_train, y_train)
print(
    f"layout: supervector_size={fused['pstnn'].supervector_size}, "
    f"frame_width={fused['pstnn'].frame_width}"
)

concat = make_pstnn_pipeline(16000, fusion="concat", **network).fit(X_train, y_train)
for name, pipe in [("attention", fused), ("concatenation", concat)]:
    print(f"{name:<14} test accuracy {pipe.score(X_test, y_test):.3f}")

# %%
# Each head on its own
# --------------------
# The network returns the logits of the fused back-end, the temporal head and
# the spatial head; the fused one gives ``predict``. Running the fitted module
# directly shows what each branch alone would predict on the test take.
features = fused[:-1].transform(X_test).astype(np.float32)
net = fused["pstnn"].net_
with torch.inference_mode():
    logits = net.forward(features)
classes = fused["pstnn"].classes_
for name, out in zip(["fused", "temporal", "spatial"], logits, strict=True):
    accuracy = np.mean(classes[out.argmax(dim=1).numpy()] == y_test)
    print(f"{name:<9} head accuracy {accuracy:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for name, pipe in [("attention", fused), ("concatenation", concat)]:
    history = pipe["pstnn"].history_
    ax.plot(history[:, "epoch"], history[:, "train_loss"], label=name)
ax.set(xlabel="epoch", ylabel="deep-and-shallow training loss", yscale="log")
ax.set_title("PSTNN training loss by fusion")
ax.legend(title="fusion")
plt.show()
