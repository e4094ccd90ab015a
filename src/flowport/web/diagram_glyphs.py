"""The small markers inside BPMN shapes, as fixed SVG paths, so the drawing code stays short.

Each glyph is drawn once at the size the modelers use (36px events, 50px gateways, a 16px task
icon) and placed with a translate/scale transform; a glyph is a list of (path data, CSS class).
"""

from __future__ import annotations

Glyph = tuple[tuple[str, str], ...]

_LINE = "fp-line"
_MARK = "fp-mark"
_BOLD = "fp-line fp-bold"

# Event definitions, around the event's centre. "fill" is replaced: filled when the event throws.
EVENT_GLYPHS: dict[str, Glyph] = {
    "timerEventDefinition": (
        ("M-11,0 a11,11 0 1 0 22,0 a11,11 0 1 0 -22,0 Z", _MARK),
        ("M0,0 V-8 M0,0 L5,3 M0,-11 v2 M11,0 h-2 M0,11 v-2 M-11,0 h2", _LINE),
    ),
    "messageEventDefinition": (("M-9,-6 h18 v12 h-18 Z", "fill"), ("M-9,-6 L0,0 L9,-6", "fp-line fp-fold")),
    "signalEventDefinition": (("M0,-10 L9,6 H-9 Z", "fill"),),
    "errorEventDefinition": (("M-9,9 L-4,-8 L1,1 L5,-9 L2,8 L-3,-1 Z", "fill"),),
    "escalationEventDefinition": (("M0,-10 L7,8 L0,1 L-7,8 Z", "fill"),),
    "terminateEventDefinition": (("M-10,0 a10,10 0 1 0 20,0 a10,10 0 1 0 -20,0 Z", "fp-mark fp-filled"),),
    "conditionalEventDefinition": (("M-7,-9 h14 v18 h-14 Z", _MARK), ("M-4,-5 h8 M-4,-1 h8 M-4,3 h8", _LINE)),
    "linkEventDefinition": (("M-8,-3 h8 v-5 l8,8 l-8,8 v-5 h-8 Z", "fill"),),
    "compensateEventDefinition": (("M-1,-7 L-9,0 L-1,7 Z M8,-7 L0,0 L8,7 Z", "fill"),),
    "cancelEventDefinition": (("M-7,-7 L7,7 M7,-7 L-7,7", _BOLD),),
}

# Gateway kinds, around the diamond's centre.
GATEWAY_GLYPHS: dict[str, Glyph] = {
    "exclusiveGateway": (("M-8,-8 L8,8 M8,-8 L-8,8", _BOLD),),
    "parallelGateway": (("M-11,0 H11 M0,-11 V11", _BOLD),),
    "inclusiveGateway": (("M-11,0 a11,11 0 1 0 22,0 a11,11 0 1 0 -22,0 Z", "fp-mark fp-bold"),),
    "complexGateway": (("M-11,0 H11 M0,-11 V11 M-8,-8 L8,8 M8,-8 L-8,8", _BOLD),),
    "eventBasedGateway": (
        (
            "M-13,0 a13,13 0 1 0 26,0 a13,13 0 1 0 -26,0 Z M-10,0 a10,10 0 1 0 20,0 a10,10 0 1 0 -20,0 Z",
            _LINE,
        ),
        ("M0,-6 L5.7,-1.9 L3.5,4.9 L-3.5,4.9 L-5.7,-1.9 Z", _MARK),
    ),
}

# Task types, from the icon's top-left corner (6px inside the task's).
TASK_GLYPHS: dict[str, Glyph] = {
    "userTask": (
        ("M3.5,4 a3.5,3.5 0 1 0 7,0 a3.5,3.5 0 1 0 -7,0 Z", _MARK),
        ("M0,16 c0,-6 3,-8 7,-8 c4,0 7,2 7,8 Z", _MARK),
    ),
    "serviceTask": (
        (
            "M1.5,7 a5.5,5.5 0 1 0 11,0 a5.5,5.5 0 1 0 -11,0 Z",
            _MARK,
        ),
        ("M4.5,7 a2.5,2.5 0 1 0 5,0 a2.5,2.5 0 1 0 -5,0 Z", _MARK),
        (
            "M7,-1 v3 M7,12 v3 M-1,7 h3 M12,7 h3",
            _LINE,
        ),
        ("M1.3,1.3 l2,2 M10.7,10.7 l2,2 M12.7,1.3 l-2,2 M3.3,10.7 l-2,2", _LINE),
    ),
    "scriptTask": (
        ("M3,0 h10 c-3,3 -3,6 0,9 c3,3 3,6 0,9 h-10 c3,-3 3,-6 0,-9 c-3,-3 -3,-6 0,-9 Z", _MARK),
        ("M5,5 h6 M6,9 h6 M5,13 h6", _LINE),
    ),
    "sendTask": (("M0,2 h16 v11 h-16 Z", "fp-mark fp-filled"), ("M0,2 L8,7.5 L16,2", "fp-line fp-fold")),
    "receiveTask": (("M0,2 h16 v11 h-16 Z", _MARK), ("M0,2 L8,7.5 L16,2", _LINE)),
    "manualTask": (("M0,6 h8 l4,-4 h4 v3 h-4 m4,0 v3 h-4 m4,0 v3 h-4 m3,0 v2 h-11 l-4,-2 Z", _MARK),),
    "businessRuleTask": (("M0,0 h16 v12 h-16 Z", _MARK), ("M0,4 h16 M5,0 v12", _LINE)),
}

# Multi-instance and loop markers, from the marker's top-left corner (bottom centre of the task).
LOOP_GLYPHS: dict[str, Glyph] = {
    "parallel": (("M2,0 v12 M6,0 v12 M10,0 v12", _LINE),),
    "sequential": (("M0,1 h12 M0,5 h12 M0,9 h12", _LINE),),
    "standard": (("M3,11 a5,5 0 1 1 6,0 M9,11 v-4 M9,11 h4", _LINE),),
}

COLLAPSED = (("M0,0 h14 v14 h-14 Z", _MARK), ("M3,7 h8 M7,3 v8", _LINE))
