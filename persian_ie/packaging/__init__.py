"""An installable pipeline package that carries the project's code."""
