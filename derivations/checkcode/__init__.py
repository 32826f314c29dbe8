"""Checking students' code: ``derive check-code`` runs loss-and-gradient functions in a sandbox and grades them.

    inputs.py      the test inputs, each built to expose a kind of mistake (kinks, ties, large scores, CIFAR's shape)
    mistakes.py    the catalogue: the verified matrix forms rewritten as code gets them wrong, evaluated per input
    compare.py     numbers compared as a TA would: a relative tolerance, not-a-number where the reference overflows
    child.py       the harness run inside the sandbox (standard library and NumPy only; never imported here)
    channel.py     reading the harness's messages and arrays safely (no pickle, sizes checked)
    sandbox.py     one submission in its own process: bubblewrap where it works, resource limits always
    diagnosis.py   naming the mistake: the catalogue's candidates that reproduce the student's numbers
    grade.py       one submission: the calls planned (grading, centred differences, timing), run, compared, diagnosed
    batch.py       many submissions, --jobs at a time
    report.py      text, Markdown and JSON reports; gradescope.py: Gradescope's results.json
"""
