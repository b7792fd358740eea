"""The lecture's scenes, one family a file, in the order a lecture would show them.

:data:`SCENES` maps each scene's name (as ``render.py`` takes it) to its file
under ``scenes/``, its class, and a one-line summary for ``render.py --list``.
"""

#: Scenes that draw the chapter's network node by node, so need n = 3 pixels.
THREE_PIXELS = {"game", "architecture", "forward", "backprop", "loop"}

SCENES: dict[str, tuple[str, str, str]] = {
    "game": (
        "game.py",
        "TheGame",
        "two agents, the minimax objective, and its two end members",
    ),
    "architecture": (
        "architecture.py",
        "Architecture",
        "the network built node by node, weights at an epoch",
    ),
    "forward": (
        "forward.py",
        "SignalFlow",
        "one latent value, and then a real image, through the network",
    ),
    "backprop": (
        "backprop.py",
        "Backpropagation",
        "the error flowing back, factor by factor, and one update",
    ),
    "saturation": (
        "saturation.py",
        "SigmoidSaturation",
        "sigmoid bounds, vanishing gradients, minimax vs non-saturating",
    ),
    "loop": (
        "loop.py",
        "TrainingLoop",
        "the five steps of one epoch, run over real epochs",
    ),
    "fakes": (
        "fakes.py",
        "FakesConverge",
        "the fakes morphing toward the real images over training",
    ),
    "losses": (
        "losses.py",
        "LossCurves",
        "both losses along the epochs, against the equilibrium",
    ),
}
