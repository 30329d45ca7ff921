"""
Choosing the wavelet de-noising of the noise residual by grid search
====================================================================

The device fingerprint of Qi et al. is the noise residual of a clip, the clip
minus its wavelet de-noised version, described by its log spectrum. How much
of the clip ends up in the residual depends on the wavelet, the number of
decomposition levels and the threshold rule. Because
:class:`~micfp.denoise.NoiseResidual` is a scikit-learn transformer, these are
ordinary hyper-parameters: :class:`~sklearn.model_selection.GridSearchCV`
selects them inside a :class:`~sklearn.pipeline.Pipeline`, next to the choice
of using no residual at all.

The cross-validation folds are whole takes: every device recorded take 1 and
take 2, the search trains on one and validates on the other, so clips of one
recording never sit on both sides of a split. The search selects on
recording-level accuracy: the clips of each validation recording vote
(:func:`~micfp.model_selection.make_recording_scorer`, which receives the
recording of every clip through scikit-learn's metadata routing). The final
test uses take 3, which the search never saw.
"""

# %%
# Simulated devices
# -----------------
# Six devices record three takes of speech each. Takes 1 and 2 are for
# training and model selection, take 3 for the final test.
import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV, LeaveOneGroupOut
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from micfp.clips import extract_clips
from micfp.datasets import make_recordings
from micfp.denoise import NoiseResidual
from micfp.features import LogSpectrum
from micfp.model_selection import make_recording_scorer

recordings = make_recordings(
    n_devices=6, n_recordings=3, duration=5, content="speech", random_state=0
)
train = recordings.subset(recordings.recording_ids <= 2)
test = recordings.subset(recordings.recording_ids == 3)

X_train, y_train, recording = extract_clips(
    train, length=4096, n_clips=40, random_state=0
)
X_test, y_test, test_recording = extract_clips(
    test, length=4096, n_clips=40, random_state=1
)
take = train.recording_ids[recording]  # 1 or 2 for every training clip
print(f"{len(X_train)} training clips from {len(np.unique(recording))} recordings")

# %%
# The pipeline and the grid
# -------------------------
# The grid crosses three wavelets, two levels and two threshold rules, and
# adds the pipeline without noise extraction (the residual step replaced by
# ``"passthrough"``), the baseline of Qi et al.'s Table III.
pipe = make_pipeline(
    NoiseResidual(), LogSpectrum(), StandardScaler(), RidgeClassifier(alpha=10.0)
)
param_grid = [
    {
        "noiseresidual__wavelet": ["haar", "db4", "db8"],
        "noiseresidual__level": [2, 5],
        "noiseresidual__threshold": ["universal", "bayes"],
    },
    {"noiseresidual": ["passthrough"]},
]
# The folds come from the take numbers; the scorer gets the recording of each
# clip as ``groups``. RidgeClassifier has no predict_proba, so the clips of a
# recording vote by majority.
folds = list(LeaveOneGroupOut().split(X_train, y_train, groups=take))
with sklearn.config_context(enable_metadata_routing=True):
    recording_scorer = make_recording_scorer(voting="hard")
search = GridSearchCV(
    pipe,
    param_grid,
    cv=folds,
    scoring={
        "recording": recording_scorer,
        "clip": "accuracy",
    },
    refit="recording",
)
with sklearn.config_context(enable_metadata_routing=True):
    search.fit(X_train, y_train, groups=recording)
print("best:", search.best_params_)
print(f"cross-validated recording accuracy {search.best_score_:.3f}")
best = search.best_index_
print(f"cross-validated clip accuracy {search.cv_results_['mean_test_clip'][best]:.3f}")

# %%
# Cross-validated clip accuracy of every setting
# ----------------------------------------------
# Six validation recordings a fold make recording accuracy coarse (steps of
# 1/6), so the map shows the clip accuracy behind it.
results = search.cv_results_
wavelets, levels = ["haar", "db4", "db8"], [2, 5]
fig, axes = plt.subplots(1, 2, figsize=(8, 3), sharey=True, layout="constrained")
for ax, rule in zip(axes, ["universal", "bayes"], strict=True):
    grid = np.full((len(wavelets), len(levels)), np.nan)
    for params, score in zip(results["params"], results["mean_test_clip"], strict=True):
        if params.get("noiseresidual__threshold") == rule:
            i = wavelets.index(params["noiseresidual__wavelet"])
            j = levels.index(params["noiseresidual__level"])
            grid[i, j] = score
    image = ax.imshow(grid, vmin=0, vmax=1, cmap="viridis")
    for (i, j), score in np.ndenumerate(grid):
        ax.text(j, i, f"{score:.2f}", ha="center", va="center", color="w")
    ax.set(
        title=f"threshold={rule!r}",
        xticks=range(len(levels)),
        xticklabels=levels,
        yticks=range(len(wavelets)),
        yticklabels=wavelets,
        xlabel="level",
    )
axes[0].set_ylabel("wavelet")
fig.colorbar(image, ax=axes, label="mean clip accuracy over folds")
raw = results["mean_test_clip"][
    [p.get("noiseresidual") == "passthrough" for p in results["params"]]
][0]
fig.suptitle(f"Noise residual settings (no residual: {raw:.2f})")
plt.show()

# %%
# Accuracy on the unseen take
# ---------------------------
# ``search`` was refitted on all training clips with the best setting.
scorer = recording_scorer
print(f"clip accuracy on take 3: {search.best_estimator_.score(X_test, y_test):.3f}")
print(
    "recording accuracy on take 3: "
    f"{scorer(search.best_estimator_, X_test, y_test, groups=test_recording):.3f}"
)
