"""The one exception the parser raises for bad input."""


class ParseError(ValueError):
    """The input is not maths the parser accepts; the message is one line meant for the user."""
