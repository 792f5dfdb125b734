"""A safe reader of ``effect`` formulas: patsy evaluates each term as Python, so a formula is
checked against a small grammar before patsy sees it.

Allowed: metadata column names, numbers, the operators ``+ - * / : **``, parentheses, and calls
of :data:`FUNCTIONS` (``C``, ``bs``, ``cr``, ``np.log``, ``center``, ``standardize``, ``I`` …)
whose arguments follow the same grammar, with the keywords in :data:`KEYWORDS` and a quoted
string only where it names a column (``Q("…")``) or a level (``Treatment("…")``). Anything else
is a one-line error naming the token. patsy then evaluates the formula in an environment that
holds only these functions.

>>> check_formula("~ bs(year, df=4) + C(place)", ["year", "place"])
'bs(year, df=4) + C(place)'
>>> check_formula("~ year + __import__('os').system('x')", ["year"])
Traceback (most recent call last):
topics.errors.InputError: formula "~ year + __import__('os').system('x')": '__import__' is not an allowed function (allowed: C, I, Q, Treatment, bs, cc, center, cr, np.abs, np.exp, np.log, np.log10, np.log1p, np.log2, np.sqrt, scale, standardize)
"""

from __future__ import annotations

import io
import keyword
import tokenize
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np

from topics.errors import input_error

#: numpy functions a formula may call, as ``np.<name>``.
NUMPY = ("abs", "exp", "log", "log10", "log1p", "log2", "sqrt")
#: Every function a formula may call (patsy's own and the numpy ones).
FUNCTIONS = frozenset(
    {"C", "I", "Q", "Treatment", "bs", "cc", "center", "cr", "scale", "standardize"}
    | {f"np.{name}" for name in NUMPY}
)
#: Keyword arguments those functions may take.
KEYWORDS = frozenset({"df", "degree", "include_intercept", "lower_bound", "upper_bound",
                      "reference", "rescale", "ddof"})  # fmt: skip
#: Functions whose arguments may be quoted strings (a column name, a reference level).
STRING_ARGUMENTS = frozenset({"Q", "Treatment"})
_OPERATORS = frozenset({"+", "-", "*", "/", ":", "**"})
_CONSTANTS = frozenset({"True", "False"})


class _Parser:
    """Recursive descent over Python tokens: ``expr := unary (op unary)*``,
    ``unary := ('+'|'-')* atom``, ``atom := number | column | call | '(' expr ')'``."""

    def __init__(self, text: str, columns: Sequence[str]):
        self.text = text
        self.columns = list(columns)
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError) as exc:
            raise self.error(f"cannot be read ({exc.args[0]})") from None
        skip = {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                tokenize.DEDENT, tokenize.COMMENT}  # fmt: skip
        self.tokens = [t for t in tokens if t.type not in skip]
        self.i = 0

    def error(self, problem: str):
        return input_error(None, f"formula {self.text!r}: {problem}")

    def peek(self) -> tokenize.TokenInfo | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str = "more", exact: bool = False) -> tokenize.TokenInfo:
        """The next token; with ``exact``, it must be ``expected``."""
        token = self.peek()
        if token is None:
            raise self.error(f"ends early (expected {expected})")
        if exact and token.string != expected:
            raise self.error(f"unexpected {token.string!r} (expected {expected!r})")
        self.i += 1
        return token

    def parse(self) -> None:
        if not self.tokens:
            raise self.error("names no covariate")
        self.expression(strings=False)
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek().string!r}")

    def expression(self, strings: bool) -> None:
        self.unary(strings)
        while (token := self.peek()) is not None and token.string in _OPERATORS:
            self.take()
            self.unary(strings)

    def unary(self, strings: bool) -> None:
        while (token := self.peek()) is not None and token.string in ("+", "-"):
            self.take()
        self.atom(strings)

    def atom(self, strings: bool) -> None:
        token = self.take("a column, number, function or '('")
        if token.type == tokenize.NUMBER:
            if token.string[-1] in "jJ":
                raise self.error(f"{token.string!r} is not a real number")
            return
        if token.type == tokenize.STRING:
            if not strings:
                raise self.error(f"the string {token.string} is allowed only in Q() or Treatment()")
            if not token.string.startswith(("'", '"')):  # no f-, b- or r-strings
                raise self.error(f"{token.string!r} is not a plain quoted string")
            return
        if token.string == "(":
            self.expression(strings)
            self.take(")", exact=True)
            return
        if token.type != tokenize.NAME or keyword.iskeyword(token.string):
            if token.string in _CONSTANTS and strings:
                return
            raise self.error(f"{token.string!r} is not allowed")
        name = token.string
        while (dot := self.peek()) is not None and dot.string == ".":
            self.take()
            name += "." + self.take("a name after '.'").string
        following = self.peek()
        if following is not None and following.string == "(":
            if name not in FUNCTIONS:
                raise self.unknown(name, call=True)
            self.call(name)
        elif name not in self.columns:
            raise self.unknown(name)

    def call(self, name: str) -> None:
        self.take("(", exact=True)
        if self.peek() is not None and self.peek().string == ")":
            self.take()
            return
        while True:
            ahead = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            if ahead is not None and ahead.string == "=" and self.peek().type == tokenize.NAME:
                word = self.take().string
                if word not in KEYWORDS:
                    raise self.error(f"{name}() keyword {word!r} is not allowed "
                                     f"(allowed: {', '.join(sorted(KEYWORDS))})")  # fmt: skip
                self.take("=", exact=True)
            self.expression(strings=name in STRING_ARGUMENTS)
            token = self.take("',' or ')'")
            if token.string == ")":
                return
            if token.string != ",":
                raise self.error(f"unexpected {token.string!r} in {name}()")

    def unknown(self, name: str, call: bool = False):
        if call:
            allowed = ", ".join(sorted(FUNCTIONS))
            return self.error(f"{name!r} is not an allowed function (allowed: {allowed})")
        from topics.corpus.metadata import METADATA_HINT

        known = ", ".join(self.columns) or "none"
        return self.error(
            f"{name!r} names no metadata column (usable columns: {known}; {METADATA_HINT})"
        )


def check_formula(formula: str, columns: Sequence[str]) -> str:
    """The right-hand side of ``formula`` once it is known to use only ``columns`` and the
    grammar above; a one-line :class:`InputError` naming the first token that is not."""
    rhs = formula.split("~", 1)[-1].strip()
    parser = _Parser(rhs, columns)
    parser.text = formula
    parser.parse()
    return rhs


def environment():
    """The only names patsy may look up besides the columns (and its own builtins)."""
    import patsy

    namespace = {"np": SimpleNamespace(**{name: getattr(np, name) for name in NUMPY})}
    return patsy.EvalEnvironment([namespace])
