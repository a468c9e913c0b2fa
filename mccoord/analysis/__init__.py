"""Convergence analysis of observed panels and simulated ensembles.

Every function accepts an observed panel (long or wide DataFrame, or a DataArray with
dims ``region`` and ``year``) or a simulated Dataset from :mod:`mccoord.simulate`
(``ln_y`` and ``L`` of dims ``(path, time, region)``); with a simulated Dataset the
results carry a ``path`` dim. See :mod:`mccoord.analysis.panel`.
"""

from .attribution import attribution
from .beta import beta_convergence, implied_speed
from .clubs import convergence_clubs, hp_trend, log_t_test
from .coupling import GRADES, coordination_grade, coupling_coordination
from .discovery import Discovery, scenario_discovery
from .haken import HakenResult, haken
from .markov import markov, quantile_classes
from .panel import income_panel, population_panel
from .sensitivity import sensitivity
from .sigma import sigma_convergence
from .theil import theil

__all__ = [
    "GRADES",
    "HakenResult",
    "beta_convergence",
    "convergence_clubs",
    "coordination_grade",
    "coupling_coordination",
    "haken",
    "hp_trend",
    "implied_speed",
    "income_panel",
    "log_t_test",
    "markov",
    "population_panel",
    "quantile_classes",
    "sigma_convergence",
    "theil",
    "attribution",
    "Discovery",
    "scenario_discovery",
    "sensitivity",
]
