"""The one palette of every scene and figure: the Okabe-Ito colours.

The set stays distinguishable under the common colour-vision deficiencies.
Real images are always ``REAL`` and fakes always ``FAKE``, everywhere.
"""

REAL = "#56B4E9"  # sky blue: real images, the real path
FAKE = "#E69F00"  # orange: fake images, the generator's path
GENERATOR = FAKE
DISCRIMINATOR = "#CC79A7"  # reddish purple
POSITIVE = "#009E73"  # bluish green: positive weights
NEGATIVE = "#D55E00"  # vermillion: negative weights
HIGHLIGHT = "#F0E442"  # yellow: what the narration points at
GRADIENT = "#D55E00"  # vermillion: errors and gradients flowing back
MUTED = "#8A8F98"  # grey: axes, captions, secondary text
