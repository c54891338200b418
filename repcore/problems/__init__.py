"""What a run learns, as named loss terms (base.py: the interface every problem offers the loop).

    base      Grids, FunctionProblem, the PROBLEMS registry
    fit       regression on samples of a target
    diffops   grad / laplace by autograd  -> pinn: forward and inverse Poisson PINNs
    weighting, constraints                 the PINN loss weightings; exact Dirichlet data (u = G + D N)
    deeponet  operator learning on real earthquake records (targets/seismic.py)
Importing the package registers every problem."""
from . import fit, pinn, deeponet  # noqa: F401  (register, in the order the choices are listed)
from .base import PROBLEMS, FunctionProblem, Grids

__all__ = ["PROBLEMS", "FunctionProblem", "Grids"]
