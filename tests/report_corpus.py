"""Every report of every command: the argument lists the lint test, the MathJax test and a reader run.

Each entry is a command line (without --format / -o) that makes one kind of document; together they
cover every derivation command and each of its modes (scores, weights, batch, worked examples).
"""
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

COMMANDS = {
    "svm-grad": ["svm-grad", "--delta", "1"],
    "svm-grad delta 2": ["svm-grad", "--delta", "2"],
    "svm-grad symbolic": ["svm-grad", "--no-example"],
    "svm-grad classes": ["svm-grad", "--scores", "3,-1,4", "--label", "0", "--classes", "cat 1,dog & co,$bird"],
    "svm-grad hinge": ["svm-grad", "--scores", "3,2,4,1", "--label", "0"],
    "svm-grad K=50": ["svm-grad", "--scores", ",".join(str((i * 7) % 11 - 5) for i in range(50)), "--label", "0"],
    "softmax-grad": ["softmax-grad"],
    "softmax-grad scale": ["softmax-grad", "--scores", "3,-1,4", "--label", "0", "--scale", "2"],
    "softmax-jacobian": ["softmax-jacobian", "--scores", "3,-1,4"],
    "softmax-jacobian symbolic": ["softmax-jacobian"],
    "bce-reduction": ["bce-reduction"],
    "logistic-grad": ["logistic-grad", "--weights", "0.5,-1", "--inputs", "2,1", "--target", "1"],
    "logistic-grad symbolic": ["logistic-grad"],
    "svm weights": ["svm-grad", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1", "--label", "0"],
    "softmax weights": ["softmax-grad", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1",
                        "--label", "0"],
    "svm batch": ["svm-grad", "--wrt", "batch", "--reg", "0.1"],
    "softmax batch": ["softmax-grad", "--wrt", "batch", "--reg", "0.1", "--reg-form", "half"],
    "compare": ["compare", "--scores", "10,-2,3;10,9,9", "--label", "0"],
    "compare weights": ["compare", "--wrt", "weights", "--inputs", "1,2", "--weights", "1,0,2;1,-1,1",
                        "--label", "0"],
    "gradcheck": ["gradcheck", "svm", "--random", "5,4,3", "--seed", "1"],
    "gradcheck softmax": ["gradcheck", "softmax", "--random", "5,4,3", "--seed", "1"],
    "gradcheck logistic": ["gradcheck", "logistic", "--random", "5,4", "--seed", "1"],
    "kink demo": ["gradcheck", "--kink-demo"],
    "diff": ["diff", "log(1 + exp(-z))/x^2 + max(0, x - 1)", "--wrt", "x"],
    "diff gradient": ["diff", "x^2*y + sin(y)", "--wrt", "x,y"],
    "backprop": ["backprop", "(x + y)*z", "--at", "x=-2,y=5,z=-4"],
    "backprop sigmoid": ["backprop", "1/(1 + exp(-(w_0*x_0 + w_1*x_1 + w_2)))", "--at", "w=[2,-3,-3],x=[-1,-2]"],
    "grad two_layer": ["grad", "two_layer"],
    "grad batchnorm": ["grad", "batchnorm"],
    "grad crammer_singer": ["grad", "crammer_singer"],
    "grad spec": ["grad", "X: N x D; W: D x K; b: K; T: N x K; P = sigmoid(X W + b); "
                  "L = -mean_n sum_k (T[n, k] log(P[n, k]) + (1 - T[n, k]) log(1 - P[n, k]))", "--wrt", "W,b"],
    "gradcheck spec": ["gradcheck", "layernorm", "--random", "N=6,D=4"],
    "train": ["train", "softmax", "--dataset", "digits", "--epochs", "3"],
    "check": ["check", str(DATA / "ta_corpus")],
    "verify svm": ["verify", str(DATA / "written" / "svm.tex")],
    "verify softmax": ["verify", str(DATA / "written" / "softmax.md")],
    "verify batch": ["verify", str(DATA / "written" / "batch.md")],
    "verify jacobian": ["verify", str(DATA / "written" / "jacobian.txt")],
    "verify logistic": ["verify", str(DATA / "written" / "logistic.tex")],
    # a wrong line: its counterexample and the likely mistake (an exponent; a regulariser's factor, a matrix)
    "verify wrong jacobian": ["verify", str(DATA / "written_own" / "03_jacobian.tex")],
    "verify wrong batch": ["verify", str(DATA / "written_own" / "05_batch_softmax_matrix.md")],
}

FORMATS = {"text": "txt", "markdown": "md", "latex": "tex", "json": "json"}


def formats_of(name: str) -> dict:
    """The formats a command writes (check also writes CSV, not linted here)."""
    return FORMATS
