"""The engine: the step tree (:mod:`.steps`), the closed list of rules (:mod:`.rules`), the notation of the
course (:mod:`.notation`), the step-recording differentiator (:mod:`.differentiate`), the tidying moves
(:mod:`.algebra`), the verifier (:mod:`.verify`) and its evaluator (:mod:`.evaluate`), the builder of
verified chains (:mod:`.build`) and the reader of user numbers (:mod:`.inputs`).

Nothing here knows a loss, a report format or an answer sheet.
"""
