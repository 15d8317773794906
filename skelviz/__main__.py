"""``python -m skelviz TASK ...``: the command line of every task (:mod:`skelviz.runs.cli`)."""

from skelviz.runs.cli import main

if __name__ == "__main__":
    main()
