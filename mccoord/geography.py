"""Distances between regions and the gravity matrix of MODEL.md section 2."""

from __future__ import annotations

import numpy as np

#: Mean Earth radius [km] (IUGG).
EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distances between points.

    Parameters
    ----------
    lat, lon : array_like
        Latitudes and longitudes [degrees].

    Returns
    -------
    numpy.ndarray
        Symmetric ``(R, R)`` matrix of distances [km] with a zero diagonal.
    """
    phi = np.radians(np.asarray(lat, dtype=float))
    lam = np.radians(np.asarray(lon, dtype=float))
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    hav = np.sin(dphi / 2) ** 2 + np.cos(phi[:, None]) * np.cos(phi[None, :]) * np.sin(dlam / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    np.fill_diagonal(d, 0.0)
    return d


def gravity_matrix(distance_km: np.ndarray, d0: float) -> np.ndarray:
    """Normalised gravity matrix ``G_ij = exp(-d_ij / d0) / max_k sum_j exp(-d_kj / d0)``.

    Parameters
    ----------
    distance_km : numpy.ndarray
        ``(R, R)`` distances [km].
    d0 : float
        Distance decay [km].

    Returns
    -------
    numpy.ndarray
        ``G`` with ``G_ii = 0`` and every row sum at most 1 (the largest equals 1),
        exactly symmetric (the kernels rely on ``G_ij == G_ji`` bit for bit; a
        distance matrix that is symmetric only up to rounding is averaged with its
        transpose, which leaves an exactly symmetric one unchanged). Computed by the
        kernels' own :func:`kernels.rules.gravity`, so a path that draws ``d0`` gets the
        same matrix bit for bit.
    """
    from .kernels.rules import gravity

    d = np.ascontiguousarray(distance_km, dtype=float)
    G = np.empty_like(d)
    gravity(d, float(d0), G)
    return G
