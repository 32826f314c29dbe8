"""One module per homework topic, each reading like the homework it answers.

:mod:`.svm` (the multiclass hinge loss), :mod:`.softmax` (softmax cross-entropy),
:mod:`.jacobian` (the softmax Jacobian), :mod:`.bce` (two-class cross-entropy as
binary cross-entropy), :mod:`.logistic` (logistic regression) and :mod:`.compare`
(SVM and softmax side by side). Each builds its derivation from the engine and
returns a :class:`~derivations.report.Report`.
"""
