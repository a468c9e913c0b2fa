"""What a path needs before its first step: its parameters and its initial state.

Without parameter uncertainty every path of a mix starts from the same initial TFP and
steady-state deviations (:func:`initial_state`, computed once per call). Under
uncertainty each path draws its own vector (:func:`kernels.parameters.draw_parameters`)
and :func:`path_setup` recomputes what depends on it: the gravity matrix, initial
capital, the investment rates and the initial state. Both path loops (scalar and
lanes) use these functions, so a path starts from the same numbers in either.
"""

from __future__ import annotations

from numba import njit

from .layout import ALPHA, CAPITAL_OUTPUT, D0, SAVING
from .model import initial_tfp
from .parameters import draw_parameters
from .rules import gravity


@njit(cache=True, nogil=True)
def initial_state(scenario, G, K0, par, theta, a0, astar_dev):
    """Initial log TFP ``a_i(0)`` into ``a0`` and steady-state deviations ``a*_i - mean a*``.

    ``a*_i = a_i(0) + (1 - alpha)(ln y*_i - ln y_i(0))`` when the scenario gives steady
    states; otherwise every ``a*_i`` is equal and the deviations are 0 (MODEL.md
    section 2).
    """
    initial_tfp(scenario, G, K0, par, theta, a0)
    R = a0.shape[0]
    for i in range(R):
        astar_dev[i] = 0.0
    if scenario.has_steady_state:
        one_minus_alpha = 1.0 - par[ALPHA]
        mean = 0.0
        for i in range(R):
            astar_dev[i] = a0[i] + one_minus_alpha * scenario.ln_gap[i]
            mean += astar_dev[i]
        mean /= R
        for i in range(R):
            astar_dev[i] -= mean


@njit(cache=True, nogil=True)
def is_drawn(key, params):
    """Whether parameter position ``key`` is drawn per path."""
    for j in range(params.marginal_pos.shape[0]):
        if params.marginal_pos[j] == key:
            return True
    for j in range(params.mvn_pos.shape[0]):
        if params.mvn_pos[j] == key:
            return True
    return False


@njit(cache=True, nogil=True)
def path_setup(seed, path, scenario, params, substeps, own, drawn):
    """Draw path ``path``'s parameters and build the arrays that depend on them.

    ``own`` is the path's scratch ``(G, K0, saving, par, a0, astar_dev, u, z)``: on return
    its gravity matrix (rebuilt from the distances when ``d0`` is drawn, else the
    scenario's), initial capital, investment rates, parameter vector, initial log TFP
    and steady-state deviations; ``drawn`` receives the uncertain keys' values. Returns
    the number of draws used, 0 when no admissible vector was found (the arrays are then
    not filled).
    """
    G, K0, saving, par, a0, astar_dev, u, z = own
    draws = draw_parameters(seed, path, params, substeps, par, drawn, u, z)
    if draws == 0:
        return 0
    R = scenario.lny0.shape[0]
    if is_drawn(D0, params):
        gravity(scenario.distance, par[D0], G)
    else:
        for i in range(R):
            for j in range(R):
                G[i, j] = scenario.G[i, j]
    capital = is_drawn(CAPITAL_OUTPUT, params)
    invest = is_drawn(SAVING, params)
    for i in range(R):
        K0[i] = par[CAPITAL_OUTPUT] * scenario.y0[i] * scenario.L0[i] if capital else scenario.K0[i]
        saving[i] = par[SAVING] if invest else scenario.saving[i]
    initial_state(scenario, G, K0, par, params.theta, a0, astar_dev)
    return draws
