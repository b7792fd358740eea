"""The chapter's network as a Manim diagram, and the small pieces its scenes share.

:class:`NetworkDiagram` draws the latent node L1, the generator's outputs O2-O4
(one shared bias b), the discriminator's inputs I5-I7 (fed by the fake image,
or by a real one along the REAL path) and its decision node D8 (bias c), inside
a Generator box and a Discriminator box. Edges are plain Lines whose colour and
width are set in place, so a scene can show a weight's sign (POSITIVE or
NEGATIVE) and magnitude (stroke width) at any epoch without rebuilding them.

Names follow the chapter: weights ``lambda_1j`` (j = 2, 3, 4) from L1 to O_j,
``lambda_j8`` (j = 5, 6, 7) from I_j to D8; ``w_g = [lambda_12, lambda_13,
lambda_14, b]`` and ``w_d = [lambda_58, lambda_68, lambda_78, c]`` as in
:mod:`ganmath.model`.
"""

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Line,
    MathTypst,
    Rectangle,
    RoundedRectangle,
    ShowPassingFlash,
    Square,
    Text,
    VGroup,
)

from ganmath.model import discriminator_forward, generator_forward
from scenes.common import (
    DISCRIMINATOR,
    FAKE,
    GENERATOR,
    MUTED,
    NEGATIVE,
    POSITIVE,
    REAL,
    TEXT,
    fmt,
    label,
)

NODE_RADIUS = 0.36
ROWS = (1.7, 0.0, -1.7)  # heights of the three pixel rows (O2/I5, O3/I6, O4/I7)
X_L, X_O, X_I, X_D = -5.5, -2.3, 1.1, 4.2  # the four columns
G_NAMES = ("lambda_(12)", "lambda_(13)", "lambda_(14)")
D_NAMES = ("lambda_(58)", "lambda_(68)", "lambda_(78)")


def math(source: str, size: float = 30, color: str = TEXT) -> MathTypst:
    """A Typst formula in the house colour; ``size`` is Manim's font_size."""
    return MathTypst(source, font_size=size, color=color)


def short(value: float) -> str:
    """Three decimals, or two significant digits for tiny values (never "-0.000")."""
    if value == 0 or abs(value) >= 0.001:
        return fmt(value, 3)
    return f"{value:.1e}".replace("-", "\u2212")


def edge_style(weight: float) -> tuple[str, float]:
    """The colour (sign) and stroke width (magnitude, linear) drawing ``weight``."""
    return (POSITIVE if weight >= 0 else NEGATIVE), min(1.5 + 2.0 * abs(weight), 10.0)


def before_name(epoch: int, who: str) -> str:
    """``who`` as it was before ``epoch``: "generator of epoch 4,999", or "initial
    generator" before epoch 0."""
    return f"initial {who}" if epoch == 0 else f"{who} of epoch {epoch - 1:,}"


class Node(VGroup):
    """A circle with its name (a Typst subscript like ``O_2``) in the middle."""

    def __init__(self, name: str, color: str, position, radius: float = NODE_RADIUS):
        self.circle = Circle(radius=radius, color=color, stroke_width=4)
        self.circle.set_fill(color, opacity=0.12).move_to(position)
        self.name = math(name, 32).move_to(position)
        super().__init__(self.circle, self.name)


class NetworkDiagram(VGroup):
    """The chapter's GAN, one piece per attribute so scenes can build it in order.

    Attributes
    ----------
    latent, outputs, inputs, decision
        The nodes L1, [O2, O3, O4], [I5, I6, I7] and D8.
    g_edges, d_edges
        Lines L1 -> O_j and I_j -> D8, the weighted edges.
    passes
        Arrows O_j -> I_j: the fake image handed to the discriminator (FAKE).
    real_path
        Three REAL pixels with arrows into I5-I7 and a caption.
    g_bias, d_bias
        The tags of the shared bias b (one per O node) and of c.
    g_names, d_names
        The weights' names as Typst formulas, beside their edges.
    g_box, d_box
        The Generator and Discriminator frames with their titles.
    output
        The arrow out of D8, where a probability can be written.
    """

    def __init__(self):
        super().__init__()
        self.latent = Node("L_1", GENERATOR, [X_L, 0, 0])
        self.outputs = [
            Node(f"O_{j + 2}", GENERATOR, [X_O, y, 0]) for j, y in enumerate(ROWS)
        ]
        self.inputs = [
            Node(f"I_{j + 5}", DISCRIMINATOR, [X_I, y, 0]) for j, y in enumerate(ROWS)
        ]
        self.decision = Node("D_8", DISCRIMINATOR, [X_D, 0, 0])

        self.g_edges = [self._line(self.latent, o) for o in self.outputs]
        self.d_edges = [self._line(i, self.decision) for i in self.inputs]
        self.passes = [
            Arrow(
                o.get_right(),
                i.get_left(),
                buff=0.05,
                color=FAKE,
                stroke_width=4,
                max_tip_length_to_length_ratio=0.08,
            )
            for o, i in zip(self.outputs, self.inputs, strict=True)
        ]
        self.real_path = self._real_path()
        self.g_bias = VGroup(*(self._bias("b", o, LEFT) for o in self.outputs))
        self.d_bias = self._bias("c", self.decision, UP)
        self.g_names = [
            self._name(n, e, side)
            for n, e, side in zip(G_NAMES, self.g_edges, (1, 1, -1), strict=True)
        ]
        self.d_names = [
            self._name(n, e, side)
            for n, e, side in zip(D_NAMES, self.d_edges, (1, 1, -1), strict=True)
        ]
        self.g_box = self._box("Generator", GENERATOR, X_L - 0.75, X_O + 0.7)
        self.d_box = self._box("Discriminator", DISCRIMINATOR, X_I - 0.7, X_D + 0.75)
        self.output = Arrow(
            self.decision.get_right(),
            [X_D + 1.2, 0, 0],
            buff=0.05,
            color=DISCRIMINATOR,
            stroke_width=4,
            max_tip_length_to_length_ratio=0.2,
        )
        self.add(
            self.g_box,
            self.d_box,
            *self.g_edges,
            *self.d_edges,
            *self.passes,
            self.real_path,
            self.g_bias,
            self.d_bias,
            *self.g_names,
            *self.d_names,
            self.latent,
            *self.outputs,
            *self.inputs,
            self.decision,
            self.output,
        )

    # construction pieces

    @staticmethod
    def _line(a: Node, b: Node) -> Line:
        start, end = a.get_center(), b.get_center()
        unit = (end - start) / np.linalg.norm(end - start)
        return Line(
            start + NODE_RADIUS * unit,
            end - NODE_RADIUS * unit,
            color=MUTED,
            stroke_width=3,
        )

    @staticmethod
    def _edge_label(mob, edge: Line, side: int, at: float = 0.45, gap: float = 0.3):
        """Put ``mob`` beside ``edge`` at fraction ``at``; side +1 is to its left."""
        direction = edge.get_unit_vector()
        normal = np.array([-direction[1], direction[0], 0.0]) * side
        point = edge.point_from_proportion(at)
        extent = abs(normal[0]) * mob.width / 2 + abs(normal[1]) * mob.height / 2
        return mob.move_to(point + normal * (gap + extent))

    def _name(self, source: str, edge: Line, side: int) -> MathTypst:
        """A weight's name beside its edge, leaving room below it for its value.

        Outer edges (``side`` pointing away from the middle row) get the name and
        a value-sized gap stacked; the middle edge gets the name alone above it.
        """
        name = math(source, 32)
        if edge in (self.g_edges[1], self.d_edges[1]):
            return self._edge_label(name, edge, side)
        room = label(fmt(-0.0, 3), 22)
        stack = VGroup(name, room).arrange(DOWN, buff=0.06)
        self._edge_label(stack, edge, side)
        return name

    def _bias(self, name: str, node: Node, side) -> VGroup:
        """A small tag feeding a bias into ``node`` from ``side`` (LEFT or UP)."""
        tag = math(name, 30, MUTED)
        if np.allclose(side, LEFT):
            tag.move_to(node.get_center() + np.array([-0.55, 0.62, 0]))
        else:
            tag.move_to(node.get_center() + UP * 1.0)
        arrow = Arrow(
            tag.get_center(),
            node.get_center(),
            buff=0.2 if side is UP else 0.16,
            color=MUTED,
            stroke_width=2,
            max_tip_length_to_length_ratio=0.35,
        )
        arrow.put_start_and_end_on(
            tag.get_center() + 0.16 * arrow.get_unit_vector(),
            node.get_center() - NODE_RADIUS * arrow.get_unit_vector(),
        )
        return VGroup(tag, arrow)

    def _real_path(self) -> VGroup:
        pixels, arrows = VGroup(), VGroup()
        for node in self.inputs:
            pixel = Square(0.26, color=REAL, stroke_width=2)
            pixel.set_fill(REAL, opacity=0.9)
            pixel.move_to(node.get_center() + np.array([-1.25, 0.72, 0]))
            pixels.add(pixel)
            arrows.add(
                Arrow(
                    pixel.get_center(),
                    node.get_center(),
                    buff=0,
                    color=REAL,
                    stroke_width=3,
                    max_tip_length_to_length_ratio=0.18,
                ).put_start_and_end_on(
                    pixel.get_center() + 0.2 * _unit(node, pixel),
                    node.get_center() - NODE_RADIUS * _unit(node, pixel),
                )
            )
        caption = label("real", 22, REAL).next_to(pixels[0], UP, buff=0.12)
        group = VGroup(pixels, arrows, caption)
        group.pixels, group.arrows, group.caption = pixels, arrows, caption
        return group

    @staticmethod
    def _box(title: str, color: str, left: float, right: float) -> VGroup:
        top, bottom = ROWS[0] + 0.85, ROWS[-1] - 0.6
        frame = RoundedRectangle(
            width=right - left,
            height=top - bottom,
            corner_radius=0.2,
            color=color,
            stroke_width=2,
            stroke_opacity=0.7,
        )
        frame.move_to([(left + right) / 2, (top + bottom) / 2, 0])
        heading = label(title, 28, color).next_to(frame, UP, buff=0.12)
        group = VGroup(frame, heading)
        group.frame, group.heading = frame, heading
        return group

    # what scenes change

    def style_edges(self, w_g: np.ndarray, w_d: np.ndarray) -> None:
        """Colour and thicken the six weighted edges in place for ``w_g``, ``w_d``."""
        for edge, w in zip(
            self.g_edges + self.d_edges, [*w_g[:-1], *w_d[:-1]], strict=True
        ):
            color, width = edge_style(float(w))
            edge.set_stroke(color, width=width)

    def on_edge(self, mob, kind: str, k: int):
        """Put ``mob`` in the value slot of edge ``k`` (``kind`` "g" or "d").

        The slot is under the weight's name; the middle edge's is just below the
        edge, at its wide end (by O3 for the generator, by I6 for the
        discriminator), where the lower edge, converging on L1 or D8, is farthest.
        """
        edges, names = (
            (self.g_edges, self.g_names)
            if kind == "g"
            else (self.d_edges, self.d_names)
        )
        if k == 1:
            edge = edges[1]
            mob.next_to(edge.get_center(), DOWN, buff=0.12)
            if kind == "g":
                return mob.align_to(edge.get_end() + LEFT * 0.15, RIGHT)
            return mob.align_to(edge.get_start() + RIGHT * 0.15, LEFT)
        return mob.next_to(names[k], DOWN, buff=0.06)

    def value_labels(self, w_g: np.ndarray, w_d: np.ndarray) -> VGroup:
        """Each weight's value (Text) under its name, and the biases under the boxes."""
        out = VGroup()
        for kind, values in (("g", w_g[:-1]), ("d", w_d[:-1])):
            for k, w in enumerate(values):
                out.add(
                    self.on_edge(
                        label(short(float(w)), 22, edge_style(float(w))[0]), kind, k
                    )
                )
        out.add(
            label(f"b = {short(float(w_g[-1]))}", 22, MUTED).next_to(
                self.g_box.frame, DOWN, buff=0.12
            )
        )
        out.add(
            label(f"c = {short(float(w_d[-1]))}", 22, MUTED).next_to(
                self.d_box.frame, DOWN, buff=0.12
            )
        )
        return out

    def flash(
        self,
        edges,
        color: str,
        run_time: float = 1.0,
        width: float = 9,
        backward: bool = False,
    ):
        """Pulses travelling along ``edges``; ``backward`` runs them end to start."""
        pulses = []
        for e in edges:
            path = e.copy().set_stroke(color, width=width)
            if hasattr(e, "tip") and e.tip is not None:
                path = Line(e.get_start(), e.get_end()).set_stroke(color, width=width)
            if backward:
                path.reverse_points()
            pulses.append(ShowPassingFlash(path, time_width=0.6, run_time=run_time))
        return pulses


def retext(current, new) -> None:
    """Make ``current`` look like ``new`` in place, its ``text`` too.

    ``become`` copies the drawing but not a Text's ``text`` attribute, so without
    this the scene would still report the old words for what it shows.
    """
    pairs = (
        zip(current.submobjects, new.submobjects, strict=True)
        if not isinstance(current, Text)
        else [(current, new)]
    )
    for old, fresh in pairs:
        old.become(fresh)
        old.text = fresh.text


def caption(text: str, color: str = TEXT, size: float = 26) -> Text:
    """A one-line narration at the bottom of the frame."""
    return label(text, size, color).to_edge(DOWN, buff=0.35)


def _unit(a, b) -> np.ndarray:
    v = a.get_center() - b.get_center()
    return v / np.linalg.norm(v)


class Profile(VGroup):
    """A three-pixel image as a small bar chart: 0 and 1 marked, bars in ``color``.

    Bars start at 0, so real pixels below 0 or above 1 stick out past the marks,
    where a sigmoid output can never reach.
    """

    def __init__(
        self,
        values,
        color: str,
        unit: float = 1.0,
        bar: float = 0.32,
        caption: str | None = None,
    ):
        super().__init__()
        self.unit, self.bar_width, self.color = unit, bar, color
        width = 3 * bar + 4 * 0.12
        self.zero = Line(
            LEFT * width / 2, RIGHT * width / 2, color=MUTED, stroke_width=2
        )
        self.one = Line(
            LEFT * width / 2, RIGHT * width / 2, color=MUTED, stroke_width=1.5
        ).shift(UP * unit)
        self.one.set_stroke(opacity=0.6)
        self.ticks = VGroup(
            label("0", 22, MUTED).next_to(self.zero, LEFT, buff=0.1),
            label("1", 22, MUTED).next_to(self.one, LEFT, buff=0.1),
        )
        self.bars = VGroup(*(Rectangle(width=bar, height=0.01) for _ in range(3)))
        self.add(self.zero, self.one, self.ticks, self.bars)
        if caption:
            self.caption = label(caption, 22, color).next_to(self.zero, DOWN, buff=0.45)
            self.add(self.caption)
        self.set_values(values)

    def set_values(self, values) -> "Profile":
        """Resize the bars in place to ``values`` (pixel intensities)."""
        base = self.zero.get_center()
        for k, (rect, v) in enumerate(zip(self.bars, values, strict=True)):
            x = base[0] + (k - 1) * (self.bar_width + 0.12)
            height = max(abs(float(v)) * self.unit, 0.01)
            rect.stretch_to_fit_height(height)
            rect.set_stroke(self.color, width=1.5).set_fill(self.color, opacity=0.85)
            rect.move_to([x, base[1] + np.sign(v) * height / 2, 0])
        return self


def generator_chain(L1: float, w_g: np.ndarray, w_d: np.ndarray) -> dict:
    """One latent value's factors in the non-saturating generator gradient.

    ``dL/dlambda_1j = (D8 - 1) * lambda_j8 * O_j (1 - O_j) * L1`` for each pixel j;
    returned as arrays over j with the forward values they come from.
    """
    _, out = generator_forward(np.array([L1], dtype=float), w_g)
    D_in, D8 = discriminator_forward(out, w_d)
    out, error = out[0], float(D8[0]) - 1.0
    slope = out * (1.0 - out)
    return {
        "O": out,
        "D_in": float(D_in[0]),
        "D8": float(D8[0]),
        "error": error,
        "lambda": w_d[:-1].copy(),
        "slope": slope,
        "L1": float(L1),
        "grad": error * w_d[:-1] * slope * L1,
    }


__all__ = [
    "NetworkDiagram",
    "Node",
    "Profile",
    "caption",
    "edge_style",
    "generator_chain",
    "math",
    "before_name",
    "retext",
    "short",
]
