"""What a run learns, as named loss terms (base.py: the Problem interface every problem offers the loop).

    schedules, weighting   the protocol's named pieces: learning-rate schedules, loss weightings
    base      Protocol, Problem, Grids, FunctionProblem, the PROBLEMS registry
    fit       regression on samples of a target
    diffops   grad / laplace by autograd  -> pinn: forward and inverse Poisson PINNs
    constraints            exact Dirichlet data (u = G + D N) for the PINNs
    deeponet  operator learning on real earthquake records (targets/seismic.py)
    operator  operator learning on the paper author's earthquake records (repcore.operators): FNO, kernel nets
Importing the package registers every problem and every protocol choice."""
from . import fit, pinn, deeponet, operator, schedules, weighting  # noqa: F401  (register, in the order the choices are listed)
from .base import PROBLEMS, FunctionProblem, Grids, Problem, Protocol

__all__ = ["PROBLEMS", "FunctionProblem", "Grids", "Problem", "Protocol"]
