"""`python -m benchmarks [suite ...] [--quick] [--markdown FILE]`: run and print the tables."""

import argparse
import importlib
import sys

from .harness import machine_description

SUITES = {
    "core": "benchmarks.core_bench",
    "training": "benchmarks.training_bench",
    "graph": "benchmarks.graph_bench",
    "race": "benchmarks.race_bench",
    "grading": "benchmarks.grading_bench",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("suites", nargs="*", help=f"which suites (default all): {list(SUITES)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, a quick smoke run")
    parser.add_argument("--markdown", help="also write the tables to this Markdown file")
    args = parser.parse_args(argv)
    names = args.suites or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {unknown}; choose from {list(SUITES)}")
    parts = ["```", *machine_description(), "```"]
    print("\n".join(parts), flush=True)
    for name in names:
        table = importlib.import_module(SUITES[name]).run(quick=args.quick)
        text = table.markdown()
        print("\n" + text, flush=True)
        parts += ["", text]
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write("\n".join(parts) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
