"""Display-free drawing with numpy, and an optional pygame window for ``render_mode="human"``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from spikey_core.errors import GameError

HEIGHT, WIDTH = 400, 600
_CART_COLOUR = (30, 30, 30)
_POLE_COLOUR = (202, 152, 101)
_AXLE_COLOUR = (129, 132, 203)
_TRACK_COLOUR = (0, 0, 0)


def _fill_segment(
    image: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    half_width: float,
    colour: tuple[int, int, int],
) -> None:
    """Paint every pixel within ``half_width`` px of the segment ``start``-``end`` (x, y in px)."""
    (x0, y0), (x1, y1) = start, end
    pad = half_width + 1
    left, right = int(max(min(x0, x1) - pad, 0)), int(min(max(x0, x1) + pad, image.shape[1]))
    top, bottom = int(max(min(y0, y1) - pad, 0)), int(min(max(y0, y1) + pad, image.shape[0]))
    if left >= right or top >= bottom:
        return
    ys, xs = np.mgrid[top:bottom, left:right]
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0, 1) if length2 > 0 else 0.0
    distance2 = (xs - (x0 + t * dx)) ** 2 + (ys - (y0 + t * dy)) ** 2
    image[top:bottom, left:right][distance2 <= half_width * half_width] = colour


def draw_cartpole(state: np.ndarray, *, x_max: float, pole_length: float) -> np.ndarray:
    """Picture of a cart-pole state.

    Parameters
    ----------
    state : ndarray, shape (4,)
        ``[x, x_dot, theta, theta_dot]`` in m, m/s, rad, rad/s.
    x_max : float
        Track half-width in m; the image spans ``[-x_max, x_max]``.
    pole_length : float
        Full pole length in m.

    Returns
    -------
    ndarray, uint8, shape (400, 600, 3)
    """
    image = np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)
    scale = WIDTH / (2 * x_max)  # px per m
    track_y = int(HEIGHT * 0.75)
    image[track_y, :] = _TRACK_COLOUR
    cart_x = float(state[0]) * scale + WIDTH / 2
    cart_w, cart_h = 50, 30
    left, right = int(round(cart_x - cart_w / 2)), int(round(cart_x + cart_w / 2))
    image[track_y - cart_h : track_y, max(left, 0) : max(min(right, WIDTH), 0)] = _CART_COLOUR
    pivot = (cart_x, track_y - cart_h)
    # pole length in px, capped so a long pole still fits the picture
    reach = min(pole_length * scale, HEIGHT * 0.6)
    tip = (pivot[0] + reach * np.sin(state[2]), pivot[1] - reach * np.cos(state[2]))
    _fill_segment(image, pivot, tip, 5.0, _POLE_COLOUR)
    _fill_segment(image, pivot, pivot, 5.0, _AXLE_COLOUR)
    return image


class Window:
    """A pygame window showing rgb frames; created only when ``render_mode="human"`` is asked for.

    Raises
    ------
    GameError
        pygame is missing or no display is available (the message says what to do instead).
    """

    def __init__(self, title: str, shape: tuple[int, ...], *, fps: int):
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        try:
            import pygame
        except ImportError as error:
            raise GameError(
                f"{title}: render_mode='human' needs pygame ({error}); install pygame or use "
                "render_mode='rgb_array'"
            ) from None
        self._pygame: Any = pygame
        try:
            pygame.display.init()
            self.surface = pygame.display.set_mode((shape[1], shape[0]))
        except pygame.error as error:
            pygame.display.quit()
            raise GameError(
                f"{title}: render_mode='human' needs a display, but pygame cannot open a window "
                f"({error}); on a headless machine use render_mode='rgb_array'"
            ) from None
        pygame.display.set_caption(title)
        self.clock = pygame.time.Clock()
        self.fps = fps

    def show(self, frame: np.ndarray) -> None:
        """Draw ``frame`` (uint8 (H, W, 3)) and keep the window responsive."""
        pygame = self._pygame
        pygame.event.pump()
        self.surface.blit(pygame.surfarray.make_surface(frame.swapaxes(0, 1)), (0, 0))
        pygame.display.flip()
        self.clock.tick(self.fps)

    def close(self) -> None:
        self._pygame.display.quit()
