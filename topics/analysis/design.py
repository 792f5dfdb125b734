"""Covariate formulas for :mod:`topics.analysis.effects`: a patsy design matrix over the
documents, and the rows that turn coefficients into reported quantities (predictions over a
grid of values, differences from a reference level, the coefficients themselves).

>>> design = Design.build("~ C(place)", pd.DataFrame({"place": ["湖北", "湖南", "湖北", "四川"]}))
>>> design.categorical, design.info.column_names
({'place': ['四川', '湖北', '湖南']}, ['Intercept', 'C(place)[T.湖北]', 'C(place)[T.湖南]'])
>>> contrast_rows(design)[["kind", "value"]].values.tolist()[3:6]
[['difference', '湖北 − 四川'], ['difference', '湖南 − 四川'], ['coefficient', 'Intercept']]
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from topics.analysis.formula import check_formula, environment
from topics.errors import input_error

#: Points of the prediction grid of a continuous covariate (its distinct values if fewer).
GRID_POINTS = 25
#: A numeric covariate with at least this many distinct values gets a spline in figures.
SPLINE_MIN_VALUES = 8


def _rhs(formula: str) -> str:
    formula = formula.strip()
    if "~" in formula and formula.split("~", 1)[0].strip():
        raise input_error(None, f"formula {formula!r} has a left-hand side",
                          "give only covariates, e.g. '~ year'; every topic is the response")  # fmt: skip
    return formula.split("~", 1)[-1].strip()


def formula_variables(formula: str, columns: Sequence[str]) -> list[str]:
    """The columns named in ``formula``, in column order."""
    rhs = _rhs(formula)
    return [c for c in columns if re.search(rf"(?<![\w.]){re.escape(c)}(?![\w.])", rhs)]


def default_formula(values: pd.Series) -> str:
    """The formula figures use for one column: a B-spline (4 degrees of freedom) for a number
    with :data:`SPLINE_MIN_VALUES` distinct values or more, a line for fewer, levels for text."""
    name = values.name if str(values.name).isidentifier() else f'Q("{values.name}")'
    if values.dtype.kind not in "iuf" and str(values.dtype) != "Int64":
        return f"~ C({name})"
    return f"~ bs({name}, df=4)" if values.nunique() >= SPLINE_MIN_VALUES else f"~ {name}"


@dataclass
class Design:
    """A formula's design matrix over the units that have every covariate it names."""

    formula: str
    data: pd.DataFrame  # the units kept, one row each, covariates only
    X: np.ndarray
    info: object  # patsy DesignInfo, to build rows for new covariate values
    variables: list[str]
    categorical: dict[str, list]  # variable → levels (reference first)

    @classmethod
    def build(cls, formula: str, data: pd.DataFrame) -> Design:
        """Design of ``formula`` (``~ year``…) over ``data``; units missing a covariate are
        dropped. InputError for an unknown name, a bad formula or too few units."""
        import patsy

        rhs = check_formula(formula, list(data.columns))  # before patsy evaluates any of it
        variables = formula_variables(formula, list(data.columns))
        if not variables:
            from topics.corpus.metadata import METADATA_HINT

            known = ", ".join(data.columns) or "none"
            raise input_error(None, f"formula {formula!r} names no metadata column",
                              f"usable columns: {known}; {METADATA_HINT}")  # fmt: skip
        kept = data[variables].dropna()
        kept = kept.astype({c: "int64" for c in variables if str(kept[c].dtype) == "Int64"})
        kept = kept.astype({c: object for c in variables if kept[c].dtype.kind not in "iufb"})
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                X = patsy.dmatrix(rhs, kept, environment(), return_type="dataframe",
                                  NA_action=patsy.NAAction(NA_types=[]))  # fmt: skip
        except patsy.PatsyError as exc:
            message = str(exc).splitlines()[0]
            raise input_error(None, f"formula {formula!r}: {message}") from None
        _check_finite(formula, X)
        categorical = {}
        for factor, info in X.design_info.factor_infos.items():
            for v in variables:
                if info.type == "categorical" and v in formula_variables(factor.code, variables):
                    categorical[v] = list(info.categories)
        if len(X) <= X.shape[1]:
            raise input_error(None, f"formula {formula!r}: {len(X)} units with its covariates "
                              f"cannot fit {X.shape[1]} coefficients")  # fmt: skip
        return cls(formula, kept, X.to_numpy(), X.design_info, variables, categorical)

    def rows(self, frame: pd.DataFrame) -> np.ndarray:
        """Design rows for covariate values in ``frame`` (the fit's spline knots, levels…)."""
        import patsy

        return np.asarray(patsy.build_design_matrices([self.info], frame)[0])

    def typical(self) -> dict:
        """Values other covariates are held at: the median of a number, the commonest level."""
        return {
            v: (self.data[v].mode().iloc[0] if v in self.categorical else self.data[v].median())
            for v in self.variables
        }

    def grid(self, variable: str) -> list:
        """Values of ``variable`` to predict at: levels, distinct values, or an even grid."""
        if variable in self.categorical:
            return self.categorical[variable]
        values = np.unique(self.data[variable].to_numpy(dtype=float))
        if len(values) <= GRID_POINTS:
            return values.tolist()
        return np.linspace(values[0], values[-1], GRID_POINTS).tolist()


def _check_finite(formula: str, X: pd.DataFrame) -> None:
    """A one-line error naming the design columns (terms) that hold NaN or infinite values."""
    bad = [name for name in X.columns if not np.isfinite(X[name].to_numpy(dtype=float)).all()]
    if bad:
        raise input_error(
            None, f"formula {formula!r}: term(s) {', '.join(bad)} are not finite for some units "
            "(e.g. the log of a number <= 0, or a division by zero)", "change the term",
        )  # fmt: skip


def _value_text(value) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}" if isinstance(value, float | np.floating) else str(value)


def contrast_rows(design: Design) -> pd.DataFrame:
    """What is reported, one row per quantity: ``covariate``, ``kind`` ("prediction" at a
    value, "difference" from the reference level, "coefficient"), ``value``, ``x`` (the number
    for a continuous covariate) and ``weights`` (a contrast over the coefficients)."""
    records = []
    typical = design.typical()
    for variable in design.variables:
        values = design.grid(variable)
        frame = pd.DataFrame([{**typical, variable: v} for v in values])
        rows = design.rows(frame)
        numeric = variable not in design.categorical
        for v, row in zip(values, rows, strict=True):
            x = float(v) if numeric else np.nan
            records.append((variable, "prediction", _value_text(v), x, row))
        if not numeric:
            for v, row in zip(values[1:], rows[1:], strict=True):
                records.append(
                    (variable, "difference", f"{v} − {values[0]}", np.nan, row - rows[0])
                )
    for i, name in enumerate(design.info.column_names):
        records.append(("", "coefficient", name, np.nan, np.eye(len(design.X[0]))[i]))
    return pd.DataFrame(records, columns=["covariate", "kind", "value", "x", "weights"])
